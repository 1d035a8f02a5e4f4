package policy

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// The preference ladder. The scheduler sums the weights of the preferred
// terms a node matches; Karpenter (v1.15, preference policy Respect) instead
// makes the single heaviest term a requirement and drops terms heaviest
// first until the pod fits. With separate pool terms and zone terms the two
// disagree: Karpenter turns "special01" (100) into a requirement and never
// looks at the zone (50), so a job's nodes are launched in any zone. When
// one policy decides both the pools and the zones of a pod, and gives the pod
// a zone preference (zones.preferred, or the zone sameZoneBy picks), the pool
// and zone preferences are therefore written as one ladder of disjoint
// terms: per pool, one term per preferred zone (pool AND zone In [z]) and
// one for the pool's other zones (pool AND zone NotIn [the preferred
// zones]). A node matches at most one of them, so the scheduler's sum is
// that term's weight, and Karpenter's heaviest-first order is the same order.
// Each term weighs what the separate terms summed to on such a node (pool
// weight + zone weights), scaled so the heaviest is 100 when a sum exceeds
// 100: the ranking of pool x zone is unchanged, only now both agree on it.

// Indexes of the pools and zones mutators in the mutators table (a test
// checks them; the table cannot be read here without an initialisation
// cycle).
const (
	poolsMutator = 0
	zonesMutator = 1
)

// zoneBonus is the zone weight a policy gives the nodes of one zone.
type zoneBonus struct {
	zone   string
	weight int32
}

// ladderTerms returns the pool terms of the ladder for the pod, or nil when
// the ladder does not apply: the policy lacks pools or zones, another
// policy decides the pod's pools or zones, the pod chose its own pool or
// zone, or the policy prefers no zone for this pod.
func ladderTerms(m *mutation) []weightedTerm {
	c := m.policy
	if c.affinity().ladders == nil {
		return nil
	}
	for _, i := range [...]int{poolsMutator, zonesMutator} {
		if owner := m.claims[i]; owner != nil && owner != c {
			return nil
		}
	}
	if chosen, _, _ := selfSelected(m.pod, c.poolKey, c.affinity().strict.expression()); chosen {
		return nil
	}
	if chosen, _, _ := selfSelected(m.pod, c.zoneKey, c.affinity().allowed.expression()); chosen {
		return nil
	}
	i, _ := sameZonePick(c, m.pod)
	return c.affinity().ladders[i+1]
}

// zoneBonuses sums, per zone, the zones.preferred weight and the
// sameZoneWeight of the zone at index same of zones (none when same is -1),
// in the order the zones first appear.
func zoneBonuses(c *compiled, zones []string, same int) []zoneBonus {
	var out []zoneBonus
	add := func(zone string, w int32) {
		if i := slices.IndexFunc(out, func(b zoneBonus) bool { return b.zone == zone }); i >= 0 {
			out[i].weight += w
			return
		}
		out = append(out, zoneBonus{zone: zone, weight: w})
	}
	for _, p := range c.spec.Zones.Preferred {
		add(p.Name, p.Weight)
	}
	if same >= 0 {
		add(zones[same], c.sameZoneWeight)
	}
	return out
}

// ladder builds the disjoint pool x zone terms with their summed weights,
// scaled into 1-100. Without strictPools, nodes outside the pools keep their
// zone preference through terms poolKey NotIn [pools] AND zone In [z].
func ladder(c *compiled, bonuses []zoneBonus) []weightedTerm {
	zones := make([]string, len(bonuses))
	for i, b := range bonuses {
		zones[i] = b.zone
	}
	type raw struct {
		exprs  []corev1.NodeSelectorRequirement
		weight int32
		what   string
	}
	var terms []raw
	for _, pool := range c.spec.Pools {
		for _, b := range bonuses {
			terms = append(terms, raw{
				[]corev1.NodeSelectorRequirement{inExpression(c.poolKey, pool.Name), inExpression(c.zoneKey, b.zone)},
				pool.Weight + b.weight, fmt.Sprintf("%s=%s in %s=%s", c.poolKey, pool.Name, c.zoneKey, b.zone)})
		}
		terms = append(terms, raw{
			[]corev1.NodeSelectorRequirement{inExpression(c.poolKey, pool.Name), notInExpression(c.zoneKey, zones...)},
			pool.Weight, fmt.Sprintf("%s=%s outside %s [%s]", c.poolKey, pool.Name, c.zoneKey, strings.Join(zones, ","))})
	}
	if !c.strictPools {
		for _, b := range bonuses {
			terms = append(terms, raw{
				[]corev1.NodeSelectorRequirement{notInExpression(c.poolKey, poolNames(c.spec.Pools)...), inExpression(c.zoneKey, b.zone)},
				b.weight, fmt.Sprintf("other pools in %s=%s", c.zoneKey, b.zone)})
		}
	}
	var heaviest int32
	for _, t := range terms {
		heaviest = max(heaviest, t.weight)
	}
	out := make([]weightedTerm, len(terms))
	for i, t := range terms {
		w := scaleWeight(t.weight, heaviest)
		out[i] = newWeightedTerm(corev1.PreferredSchedulingTerm{Weight: w, Preference: corev1.NodeSelectorTerm{MatchExpressions: t.exprs}},
			fmt.Sprintf("preferred %s weight %d", t.what, w))
	}
	return out
}

// scaleWeight scales w so that heaviest becomes 100, rounding to the
// nearest and never below 1; weights stay as they are when heaviest fits.
func scaleWeight(w, heaviest int32) int32 {
	if heaviest <= 100 {
		return w
	}
	return max(1, (w*100+heaviest/2)/heaviest)
}
