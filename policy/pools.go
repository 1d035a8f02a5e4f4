package policy

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// mutatePools adds the fallback scheme of the policy's pools: a toleration per
// pool, a required expression confining the pod to the pools (strictPools),
// and a weighted preferred term per pool, or the pool x zone ladder when the
// policy also prefers a zone for the pod (ladder.go). A pod that chose its
// own pool only gets the tolerations of that pool, if the policy knows it.
func mutatePools(m *mutation) bool {
	c := m.policy
	if len(c.spec.Pools) == 0 || !m.claim() {
		return false
	}
	strict := c.affinity().strict
	if chosen, values, other := selfSelected(m.pod, c.poolKey, strict.expression()); chosen {
		return tolerateChosenPools(m, values, other)
	}
	changed := false
	for _, tolerations := range c.poolTolerations {
		if addTolerations(m, tolerations) {
			changed = true
		}
	}
	if strict != nil && m.addRequiredExpression(strict) {
		m.changed(strict.detail)
		changed = true
	}
	terms := c.affinity().poolTerms
	if ladder := ladderTerms(m); ladder != nil {
		terms = ladder
	}
	for i := range terms {
		if m.addPreferredTerm(&terms[i], 1) {
			m.changed(terms[i].detail)
			changed = true
		}
	}
	return changed
}

// tolerateChosenPools lets a pod that picked its pools run there, when every
// pool it picked is one of the policy's; otherwise it leaves the pod alone.
func tolerateChosenPools(m *mutation, values []string, other bool) bool {
	c := m.policy
	var chosen []toleration
	for _, v := range values {
		i := slices.IndexFunc(c.spec.Pools, func(p Pool) bool { return p.Name == v })
		if i < 0 {
			other = true
			break
		}
		chosen = append(chosen, c.poolTolerations[i]...)
	}
	if other || len(chosen) == 0 {
		m.skip(SkipPodChosePool, fmt.Sprintf("pod selects %s outside the policy's pools", c.poolKey))
		return false
	}
	return addTolerations(m, chosen)
}

// poolTolerations returns, per pool, the toleration of its taint followed by
// the pool's extra tolerations.
func poolTolerations(taintKey string, pools []Pool) [][]toleration {
	out := make([][]toleration, len(pools))
	for i, pool := range pools {
		taint := corev1.Toleration{Key: taintKey, Operator: corev1.TolerationOpEqual, Value: pool.Name, Effect: corev1.TaintEffectNoSchedule}
		out[i] = prepareTolerations(append([]corev1.Toleration{taint}, pool.Tolerations...))
	}
	return out
}

func poolNames(pools []Pool) []string {
	names := make([]string, len(pools))
	for i, p := range pools {
		names[i] = p.Name
	}
	return names
}
