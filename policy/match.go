package policy

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Namespace is what the engine knows of the pod's namespace.
type Namespace struct {
	Name   string
	Labels map[string]string
	// ContainerMinimum is the smallest Container minimum of the namespace's
	// LimitRanges, which injected containers must meet.
	ContainerMinimum corev1.ResourceList
}

// matchFunc reports whether one criterion of a policy holds; like
// Gatekeeper's matchers, it returns true when its criterion is unset.
type matchFunc func(c *compiled, podLabels labels.Set, ns Namespace) bool

// matchers are tried in order, cheapest first. The namespace name comes
// first and is left out for the policies of the set's namespace index
// (candidateMatchers).
var matchers = []matchFunc{
	matchNamespaceName,
	matchNamespaceLabels,
	matchPodLabels,
}

// candidateMatchers are the matchers a candidate of Set.candidates still
// has to pass: its namespace name matches by construction of the index,
// and looking it up again in the policy's own map cost a tenth of Apply.
var candidateMatchers = matchers[1:]

// matchesCandidate reports whether c, a candidate for ns, matches the pod.
func (c *compiled) matchesCandidate(podLabels labels.Set, ns Namespace) bool {
	for _, m := range candidateMatchers {
		if !m(c, podLabels, ns) {
			return false
		}
	}
	return true
}

func matchNamespaceName(c *compiled, _ labels.Set, ns Namespace) bool {
	return c.namespaces == nil || c.namespaces[ns.Name]
}

func matchNamespaceLabels(c *compiled, _ labels.Set, ns Namespace) bool {
	return c.nsSelector == nil || c.nsSelector.Matches(labels.Set(ns.Labels))
}

func matchPodLabels(c *compiled, podLabels labels.Set, _ Namespace) bool {
	if c.podLabels != nil {
		for _, l := range c.podLabels {
			if v, ok := podLabels[l.key]; !ok || v != l.value {
				return false
			}
		}
		return true
	}
	return c.podSelector == nil || c.podSelector.Matches(podLabels)
}

// labelPair is one key and value of a matchLabels.
type labelPair struct{ key, value string }

// matchLabelsOnly returns the pairs of a selector that is matchLabels
// alone, in key order, which a pod's labels can be checked against
// directly: labels.Selector looks each key up twice. It is nil for any
// other selector.
func matchLabelsOnly(sel *metav1.LabelSelector) []labelPair {
	if sel == nil || len(sel.MatchExpressions) > 0 || len(sel.MatchLabels) == 0 {
		return nil
	}
	pairs := make([]labelPair, 0, len(sel.MatchLabels))
	for _, key := range slices.Sorted(maps.Keys(sel.MatchLabels)) {
		pairs = append(pairs, labelPair{key, sel.MatchLabels[key]})
	}
	return pairs
}
