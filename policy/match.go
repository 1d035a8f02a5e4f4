package policy

import (
	corev1 "k8s.io/api/core/v1"
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

// matchers are tried in order, cheapest first.
var matchers = []matchFunc{
	matchNamespaceName,
	matchNamespaceLabels,
	matchPodLabels,
}

func (c *compiled) matches(podLabels labels.Set, ns Namespace) bool {
	for _, m := range matchers {
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
	return c.podSelector == nil || c.podSelector.Matches(podLabels)
}
