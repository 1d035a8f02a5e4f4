package policy

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// Match criteria, as PolicyMatch.Criterion names them.
const (
	CriterionNamespaces        = "namespaces"
	CriterionNamespaceSelector = "namespaceSelector"
	CriterionPodSelector       = "podSelector"
	// CriterionAll is a policy whose match is empty: it selects every pod.
	CriterionAll = "match {}"
)

// PolicyMatch says whether one policy matches a pod, and which criterion
// decided: for a policy that does not match, the first criterion that
// failed; for one that matches, the criteria it gives (all of which held).
type PolicyMatch struct {
	Policy    string `json:"policy"`
	Mode      Mode   `json:"mode"`
	Matched   bool   `json:"matched"`
	Criterion string `json:"criterion"`
	// Detail is the criterion as written: the namespace list or the
	// selector in label-selector syntax.
	Detail string `json:"detail,omitempty"`
	// PoolKey, ZoneKey and Pools are the policy's Node labels and pool
	// names (defaults resolved), for grouping Nodes in an explanation.
	PoolKey string   `json:"poolKey,omitempty"`
	ZoneKey string   `json:"zoneKey,omitempty"`
	Pools   []string `json:"pools,omitempty"`
}

// criterion is one entry of matchers (match.go) with its name and what
// it looks like, so that Explain reuses the very functions Apply calls.
type criterion struct {
	name     string
	match    matchFunc
	describe func(c *compiled) (string, bool) // detail and whether it is given
}

var criteria = []criterion{
	{CriterionNamespaces, matchNamespaceName, func(c *compiled) (string, bool) {
		return "[" + strings.Join(c.spec.Match.Namespaces, ",") + "]", c.namespaces != nil
	}},
	{CriterionNamespaceSelector, matchNamespaceLabels, func(c *compiled) (string, bool) {
		return selectorString(c.nsSelector), c.nsSelector != nil
	}},
	{CriterionPodSelector, matchPodLabels, func(c *compiled) (string, bool) {
		return selectorString(c.podSelector), c.podSelector != nil
	}},
}

// Explain reports, for every policy of the set in order, whether it matches
// a pod with podLabels in ns and which criterion decided. It matches exactly
// as Apply does. A nil set has no policies.
func (s *Set) Explain(podLabels map[string]string, ns Namespace) []PolicyMatch {
	if s == nil {
		return nil
	}
	set := labels.Set(podLabels)
	out := make([]PolicyMatch, 0, len(s.policies))
	for _, c := range s.policies {
		out = append(out, explainOne(c, set, ns))
	}
	return out
}

func explainOne(c *compiled, podLabels labels.Set, ns Namespace) PolicyMatch {
	m := PolicyMatch{Policy: c.name, Mode: c.mode, Matched: true, PoolKey: c.poolKey, ZoneKey: c.zoneKey}
	if len(c.spec.Pools) > 0 {
		m.Pools = poolNames(c.spec.Pools)
	}
	var names, details []string
	for _, cr := range criteria {
		detail, given := cr.describe(c)
		if !given {
			continue
		}
		if !cr.match(c, podLabels, ns) {
			m.Matched, m.Criterion, m.Detail = false, cr.name, detail
			return m
		}
		names = append(names, cr.name)
		details = append(details, detail)
	}
	if len(names) == 0 {
		m.Criterion = CriterionAll
		return m
	}
	m.Criterion = strings.Join(names, ",")
	m.Detail = strings.Join(details, "; ")
	return m
}

func selectorString(s labels.Selector) string {
	if s == nil {
		return ""
	}
	if str := s.String(); str != "" {
		return str
	}
	return "{} (every object)"
}
