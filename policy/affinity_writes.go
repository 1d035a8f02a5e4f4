package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// affinityWrites holds a policy's node-affinity writes, prepared when the set is
// loaded: the expressions, terms, their JSON and the details of their
// changes are the same for every pod, so Apply only chooses among them.
type affinityWrites struct {
	// strict is the required pool expression of strictPools, allowed the
	// required zone expression of zones.allowed; nil when unset.
	strict, allowed *requirement
	// poolTerms are the pool preferences without a ladder, one per pool;
	// zoneTerms the zones.preferred terms.
	poolTerms, zoneTerms []weightedTerm
	// zones is the list sameZoneBy picks from (zoneList), sameZone the term
	// for each of its zones.
	zones    []string
	sameZone []weightedTerm
	// ladders are the pool x zone ladders (ladder.go) of a policy with pools
	// and zones: ladders[0] with zones.preferred alone (nil without it),
	// ladders[1+i] with the zone sameZoneBy picks at index i of zones too.
	ladders [][]weightedTerm
}

// requirement is a required expression to add, with its JSON as an item
// of matchExpressions and as a whole nodeSelectorTerms list holding it.
type requirement struct {
	corev1.NodeSelectorRequirement
	boxed, term any
	detail      string
}

// weightedTerm is a preferred term with its JSON and the detail its
// addition reports.
type weightedTerm struct {
	term   corev1.PreferredSchedulingTerm
	boxed  any
	detail string
}

// expression returns the requirement itself, or nil.
func (r *requirement) expression() *corev1.NodeSelectorRequirement {
	if r == nil {
		return nil
	}
	return &r.NodeSelectorRequirement
}

func newRequirement(expr corev1.NodeSelectorRequirement) *requirement {
	expr.Values = slices.Clip(expr.Values)
	term := corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{expr}}
	return &requirement{
		NodeSelectorRequirement: expr,
		boxed:                   json.RawMessage(appendRequirementJSON(nil, &expr)),
		term:                    json.RawMessage(append(appendSelectorTermJSON([]byte{'['}, &term), ']')),
		detail:                  fmt.Sprintf("required %s In [%s]", expr.Key, strings.Join(expr.Values, ",")),
	}
}

func newWeightedTerm(term corev1.PreferredSchedulingTerm, detail string) weightedTerm {
	term.Preference.MatchExpressions = slices.Clip(term.Preference.MatchExpressions)
	return weightedTerm{term: term, boxed: json.RawMessage(appendPreferredTermJSON(nil, &term)), detail: detail}
}

// prepareAffinity prepares the node-affinity writes of c.
func prepareAffinity(c *compiled) affinityWrites {
	var p affinityWrites
	pools, z := c.spec.Pools, c.spec.Zones
	if c.strictPools && len(pools) > 0 {
		p.strict = newRequirement(inExpression(c.poolKey, poolNames(pools)...))
	}
	for _, pool := range pools {
		p.poolTerms = append(p.poolTerms, newWeightedTerm(preferredTerm(pool.Weight, inExpression(c.poolKey, pool.Name)),
			fmt.Sprintf("preferred %s=%s weight %d", c.poolKey, pool.Name, pool.Weight)))
	}
	if z == nil {
		return p
	}
	if len(z.Allowed) > 0 {
		p.allowed = newRequirement(inExpression(c.zoneKey, z.Allowed...))
	}
	for _, pref := range z.Preferred {
		p.zoneTerms = append(p.zoneTerms, newWeightedTerm(preferredTerm(pref.Weight, inExpression(c.zoneKey, pref.Name)),
			fmt.Sprintf("preferred %s=%s weight %d", c.zoneKey, pref.Name, pref.Weight)))
	}
	if z.SameZoneBy != "" {
		p.zones = zoneList(z)
	}
	for _, zone := range p.zones {
		// The detail names the pod's label value: it is written per pod.
		p.sameZone = append(p.sameZone, newWeightedTerm(preferredTerm(c.sameZoneWeight, inExpression(c.zoneKey, zone)), ""))
	}
	if len(pools) == 0 {
		return p
	}
	p.ladders = make([][]weightedTerm, 1+len(p.zones))
	for i := -1; i < len(p.zones); i++ {
		if bonuses := zoneBonuses(c, p.zones, i); len(bonuses) > 0 {
			p.ladders[i+1] = ladder(c, bonuses)
		}
	}
	return p
}

// sameZoneDetail is the detail of the sameZoneBy term for a pod whose label
// has value, the term picked at index i.
func sameZoneDetail(c *compiled, value string, i int) string {
	return "same zone for " + c.spec.Zones.SameZoneBy + "=" + value + ": preferred " + c.zoneKey + "=" +
		c.affinity().zones[i] + " weight " + strconv.Itoa(int(c.sameZoneWeight))
}

// sameZonePick returns the index in the policy's zone list of the zone
// sameZoneBy picks for pod, and the label's value; -1 when the policy has
// no sameZoneBy, no zone list, or the pod lacks the label.
func sameZonePick(c *compiled, pod *corev1.Pod) (int, string) {
	if len(c.affinity().zones) == 0 {
		return -1, ""
	}
	value, ok := pod.Labels[c.spec.Zones.SameZoneBy]
	if !ok {
		return -1, ""
	}
	return sameZoneIndex(value, len(c.affinity().zones)), value
}
