package policy

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
)

// NamespaceOf returns what the engine knows of a namespace from its labels
// and LimitRanges. Every namespace carries kubernetes.io/metadata.name (the
// API server sets it), so it is added when the labels given lack it: the CLI
// is told labels, the webhook reads them, and both must match alike.
func NamespaceOf(name string, nsLabels map[string]string, limitRanges []*corev1.LimitRange) Namespace {
	if nsLabels[corev1.LabelMetadataName] != name {
		nsLabels = maps.Clone(nsLabels)
		if nsLabels == nil {
			nsLabels = map[string]string{}
		}
		nsLabels[corev1.LabelMetadataName] = name
	}
	return Namespace{Name: name, Labels: nsLabels, ContainerMinimum: containerMinimum(limitRanges)}
}

// containerMinimum returns, per resource, the largest Container min over the
// LimitRanges: the least an injected container must request to be accepted.
func containerMinimum(ranges []*corev1.LimitRange) corev1.ResourceList {
	var out corev1.ResourceList
	for _, lr := range ranges {
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for res, q := range item.Min {
				if cur, ok := out[res]; ok && cur.Cmp(q) >= 0 {
					continue
				}
				if out == nil {
					out = corev1.ResourceList{}
				}
				out[res] = q.DeepCopy()
			}
		}
	}
	return out
}
