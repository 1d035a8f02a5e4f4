package policy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// covers reports whether an existing toleration already grants what want
// asks for: the same key (or an empty key with Exists), Exists or the same
// value, the same effect or an empty one, and no tolerationSeconds unless
// want has the same.
func covers(have, want corev1.Toleration) bool {
	haveOp := have.Operator
	if haveOp == "" {
		haveOp = corev1.TolerationOpEqual
	}
	switch {
	case have.Key != want.Key && (have.Key != "" || haveOp != corev1.TolerationOpExists):
		return false
	case haveOp != corev1.TolerationOpExists && (want.Operator == corev1.TolerationOpExists || have.Value != want.Value):
		return false
	case have.Effect != "" && have.Effect != want.Effect:
		return false
	case have.TolerationSeconds != nil && (want.TolerationSeconds == nil || *have.TolerationSeconds != *want.TolerationSeconds):
		return false
	}
	return true
}

// addTolerations appends each wanted toleration no existing one covers.
func addTolerations(m *mutation, wanted []toleration) bool {
	changed := false
	for _, want := range wanted {
		if tolerated(m.pod.Spec.Tolerations, want.Toleration) {
			continue
		}
		m.addToleration(want)
		m.changed(want.detail)
		changed = true
	}
	return changed
}

func tolerated(existing []corev1.Toleration, want corev1.Toleration) bool {
	for _, have := range existing {
		if covers(have, want) {
			return true
		}
	}
	return false
}

// describeToleration formats a toleration for a change, in one allocation.
func describeToleration(t corev1.Toleration) string {
	value, effect, seconds := "="+t.Value, "", ""
	if t.Operator == corev1.TolerationOpExists {
		value = " Exists"
	}
	if t.Effect != "" {
		effect = ":" + string(t.Effect)
	}
	if t.TolerationSeconds != nil {
		seconds = fmt.Sprintf(" for %ds", *t.TolerationSeconds)
	}
	return "toleration " + t.Key + value + effect + seconds
}

// mutateTolerations adds the policy's extra tolerations; lists merge, so
// every matching policy adds the items not yet present.
func mutateTolerations(m *mutation) bool {
	return addTolerations(m, m.policy.tolerations)
}
