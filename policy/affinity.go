package policy

import (
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// JSON paths of the affinity fields the pools and zones mutators write.
const (
	affinityPath         = "/spec/affinity"
	nodeAffinityPath     = affinityPath + "/nodeAffinity"
	podAffinityPath      = affinityPath + "/podAffinity"
	requiredPath         = nodeAffinityPath + "/requiredDuringSchedulingIgnoredDuringExecution"
	requiredTermsPath    = requiredPath + "/nodeSelectorTerms"
	preferredNodePath    = nodeAffinityPath + "/preferredDuringSchedulingIgnoredDuringExecution"
	preferredPodAffPath  = podAffinityPath + "/preferredDuringSchedulingIgnoredDuringExecution"
	matchExpressionsPath = "/matchExpressions"
)

func inExpression(key string, values ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpIn, Values: values}
}

func notInExpression(key string, values ...string) corev1.NodeSelectorRequirement {
	return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpNotIn, Values: values}
}

func preferredTerm(weight int32, exprs ...corev1.NodeSelectorRequirement) corev1.PreferredSchedulingTerm {
	return corev1.PreferredSchedulingTerm{
		Weight:     weight,
		Preference: corev1.NodeSelectorTerm{MatchExpressions: exprs},
	}
}

// RequiredTerms returns the pod's required node-affinity terms, or nil.
func RequiredTerms(pod *corev1.Pod) []corev1.NodeSelectorTerm {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	return a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
}

// PreferredTerms returns the pod's preferred node-affinity terms, or nil.
func PreferredTerms(pod *corev1.Pod) []corev1.PreferredSchedulingTerm {
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		return a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	}
	return nil
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
	for _, term := range RequiredTerms(pod) {
		for _, expr := range term.MatchExpressions {
			if expr.Key != key || (ours != nil && requirementEqual(&expr, ours)) {
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

// ownAffinity copies the pod's affinity before the first write to it.
func (w *writer) ownAffinity() {
	if !w.owned.affinity {
		w.pod.Spec.Affinity = w.pod.Spec.Affinity.DeepCopy()
		w.owned.affinity = true
	}
}

// affinity returns the pod's own copy of its affinity, creating and
// recording it as an empty object when missing; the callers' operations
// fill it.
func (w *writer) affinity() *corev1.Affinity {
	w.ownAffinity()
	if w.pod.Spec.Affinity == nil {
		w.pod.Spec.Affinity = &corev1.Affinity{}
		w.add(affinityPath, emptyObject)
	}
	return w.pod.Spec.Affinity
}

// nodeAffinity returns the pod's node affinity, created like affinity.
func (w *writer) nodeAffinity() *corev1.NodeAffinity {
	a := w.affinity()
	if a.NodeAffinity == nil {
		a.NodeAffinity = &corev1.NodeAffinity{}
		w.add(nodeAffinityPath, emptyObject)
	}
	return a.NodeAffinity
}

// addRequiredExpression adds r to every required term, since terms are
// ORed, or creates the one term when there is none.
func (w *writer) addRequiredExpression(r *requirement) bool {
	na := w.nodeAffinity()
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
		w.add(requiredPath, emptyObject)
	}
	required := na.RequiredDuringSchedulingIgnoredDuringExecution
	expr := r.NodeSelectorRequirement
	if len(required.NodeSelectorTerms) == 0 {
		// nodeSelectorTerms is required by the API: null or [] is replaced whole.
		term := corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{expr}}
		required.NodeSelectorTerms = []corev1.NodeSelectorTerm{term}
		w.add(requiredTermsPath, r.term)
		return true
	}
	changed := false
	for i := range required.NodeSelectorTerms {
		term := &required.NodeSelectorTerms[i]
		if slices.ContainsFunc(term.MatchExpressions, func(have corev1.NodeSelectorRequirement) bool { return requirementEqual(&have, &expr) }) {
			continue
		}
		w.appendTo(requiredTermsPath+"/"+strconv.Itoa(i)+matchExpressionsPath, len(term.MatchExpressions), r.boxed)
		term.MatchExpressions = append(term.MatchExpressions, expr)
		changed = true
	}
	return changed
}

// addPreferredTerm adds a weighted term unless the pod already has nth
// equal ones: terms from different sources (a zone preference and a job's
// hashed zone) count separately even when they are equal, so that each
// keeps its weight.
func (w *writer) addPreferredTerm(t *weightedTerm, nth int) bool {
	have := 0
	terms := PreferredTerms(w.pod)
	for i := range terms {
		if preferredTermEqual(&terms[i], &t.term) {
			have++
		}
	}
	if have >= nth {
		return false
	}
	na := w.nodeAffinity()
	w.appendTo(preferredNodePath, len(na.PreferredDuringSchedulingIgnoredDuringExecution), t.boxed)
	na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution, t.term)
	return true
}

// addPreferredPodAffinity adds a weighted pod-affinity term unless an equal
// one exists.
func (w *writer) addPreferredPodAffinity(term corev1.WeightedPodAffinityTerm) bool {
	if a := w.pod.Spec.Affinity; a != nil && a.PodAffinity != nil &&
		slices.ContainsFunc(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution, semanticEqual(term)) {
		return false
	}
	a := w.affinity()
	if a.PodAffinity == nil {
		a.PodAffinity = &corev1.PodAffinity{}
		w.add(podAffinityPath, emptyObject)
	}
	pa := a.PodAffinity
	w.appendTo(preferredPodAffPath, len(pa.PreferredDuringSchedulingIgnoredDuringExecution), term)
	pa.PreferredDuringSchedulingIgnoredDuringExecution = append(pa.PreferredDuringSchedulingIgnoredDuringExecution, term)
	return true
}

func semanticEqual[T any](want T) func(T) bool {
	return func(have T) bool { return equality.Semantic.DeepEqual(have, want) }
}

// requirementEqual is equality.Semantic.DeepEqual for node selector
// requirements (a nil and an empty list are equal), without reflection.
func requirementEqual(a, b *corev1.NodeSelectorRequirement) bool {
	return a.Key == b.Key && a.Operator == b.Operator && slices.Equal(a.Values, b.Values)
}

func requirementsEqual(a, b []corev1.NodeSelectorRequirement) bool {
	return slices.EqualFunc(a, b, func(x, y corev1.NodeSelectorRequirement) bool { return requirementEqual(&x, &y) })
}

// preferredTermEqual is equality.Semantic.DeepEqual for preferred terms.
func preferredTermEqual(a, b *corev1.PreferredSchedulingTerm) bool {
	return a.Weight == b.Weight && requirementsEqual(a.Preference.MatchExpressions, b.Preference.MatchExpressions) &&
		requirementsEqual(a.Preference.MatchFields, b.Preference.MatchFields)
}
