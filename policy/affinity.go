package policy

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

func inExpression(key string, values ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpIn, Values: values}
}

func preferredTerm(weight int32, expr corev1.NodeSelectorRequirement) corev1.PreferredSchedulingTerm {
	return corev1.PreferredSchedulingTerm{
		Weight:     weight,
		Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{expr}},
	}
}

func nodeAffinity(pod *corev1.Pod) *corev1.NodeAffinity {
	if pod.Spec.Affinity == nil {
		pod.Spec.Affinity = &corev1.Affinity{}
	}
	if pod.Spec.Affinity.NodeAffinity == nil {
		pod.Spec.Affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	return pod.Spec.Affinity.NodeAffinity
}

func requiredTerms(pod *corev1.Pod) []corev1.NodeSelectorTerm {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	return a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
}

// selfSelected reports whether the pod chose its own values for a node label:
// its nodeSelector names the key, or an expression in a required term does
// that is not exactly the one poolpatch adds itself (ours, nil when poolpatch
// adds none). It returns the values chosen with In, and whether some choice
// is not a plain In (NotIn, Exists, ...).
func selfSelected(pod *corev1.Pod, key string, ours *corev1.NodeSelectorRequirement) (chosen bool, values []string, other bool) {
	if v, ok := pod.Spec.NodeSelector[key]; ok {
		chosen, values = true, append(values, v)
	}
	for _, term := range requiredTerms(pod) {
		for _, expr := range term.MatchExpressions {
			if expr.Key != key || (ours != nil && equality.Semantic.DeepEqual(expr, *ours)) {
				continue
			}
			chosen = true
			if expr.Operator == corev1.NodeSelectorOpIn {
				values = append(values, expr.Values...)
			} else {
				other = true
			}
		}
	}
	return chosen, values, other
}

// addRequiredExpression adds expr to every required term, since terms are
// ORed, or creates the one term when there is none.
func addRequiredExpression(pod *corev1.Pod, expr corev1.NodeSelectorRequirement) bool {
	na := nodeAffinity(pod)
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
	}
	required := na.RequiredDuringSchedulingIgnoredDuringExecution
	if len(required.NodeSelectorTerms) == 0 {
		required.NodeSelectorTerms = []corev1.NodeSelectorTerm{{}}
	}
	changed := false
	for i := range required.NodeSelectorTerms {
		term := &required.NodeSelectorTerms[i]
		if !slices.ContainsFunc(term.MatchExpressions, semanticEqual(expr)) {
			term.MatchExpressions = append(term.MatchExpressions, expr)
			changed = true
		}
	}
	return changed
}

// addPreferredTerm adds a weighted term unless an equal one exists.
func addPreferredTerm(pod *corev1.Pod, term corev1.PreferredSchedulingTerm) bool {
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil &&
		slices.ContainsFunc(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution, semanticEqual(term)) {
		return false
	}
	na := nodeAffinity(pod)
	na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution, term)
	return true
}

// addPreferredPodAffinity adds a weighted pod-affinity term unless an equal
// one exists.
func addPreferredPodAffinity(pod *corev1.Pod, term corev1.WeightedPodAffinityTerm) bool {
	if a := pod.Spec.Affinity; a != nil && a.PodAffinity != nil &&
		slices.ContainsFunc(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution, semanticEqual(term)) {
		return false
	}
	if pod.Spec.Affinity == nil {
		pod.Spec.Affinity = &corev1.Affinity{}
	}
	if pod.Spec.Affinity.PodAffinity == nil {
		pod.Spec.Affinity.PodAffinity = &corev1.PodAffinity{}
	}
	pa := pod.Spec.Affinity.PodAffinity
	pa.PreferredDuringSchedulingIgnoredDuringExecution = append(pa.PreferredDuringSchedulingIgnoredDuringExecution, term)
	return true
}

func semanticEqual[T any](want T) func(T) bool {
	return func(have T) bool { return equality.Semantic.DeepEqual(have, want) }
}
