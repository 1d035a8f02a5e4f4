package policy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// covers reports whether an existing toleration already grants what want
// asks for: the same key (or an empty key with Exists), Exists or the same
// value, the same effect or an empty one, and no tolerationSeconds unless
// want has the same.
func covers(have, want *corev1.Toleration) bool {
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
	for i := range wanted {
		want := &wanted[i]
		if m.tolerated(want) {
			continue
		}
		m.addToleration(want)
		m.changed(want.detail)
		changed = true
	}
	return changed
}

// linearTolerations is how many tolerations a pod may have before the
// writer indexes them: up to here a scan is cheaper than the index.
const linearTolerations = 8

// tolerated reports whether one of the pod's tolerations covers want.
func (w *writer) tolerated(want *toleration) bool {
	n := w.tolerationCount()
	if w.tolerationIndex == nil {
		if n <= linearTolerations {
			for i := range n {
				if covers(w.tolerationAt(i), &want.Toleration) {
					return true
				}
			}
			return false
		}
		w.tolerationIndex = newTolerationIndex(n+w.room.tolerations, n, w.tolerationAt)
	}
	return w.tolerationIndex.covered(w.tolerationAt, want)
}

// tolerationIndex finds the tolerations of a pod that can cover a wanted
// one, so that merging the tolerations of many policies into one pod stays
// linear. A toleration with any operator but Exists covers only one of the
// same key and value, so those are found by a hash of key and value; Exists
// ones (the DefaultTolerationSeconds pair, a wildcard) are few and tried in
// turn.
type tolerationIndex struct {
	exists []int32
	equal  hashTable
}

// tolerationHash hashes a toleration's key and value.
func tolerationHash(t *corev1.Toleration) uint32 {
	return fnv32(t.Key, t.Value)
}

// newTolerationIndex indexes tolerations 0 to n-1, as at returns them,
// with room for capacity in all.
func newTolerationIndex(capacity, n int, at func(int) *corev1.Toleration) *tolerationIndex {
	x := &tolerationIndex{equal: newHashTable(capacity)}
	for i := range n {
		t := at(i)
		x.add(i, t, tolerationHash(t))
	}
	return x
}

// add indexes t, the pod's toleration at index i (the next one), whose
// tolerationHash is hash.
func (x *tolerationIndex) add(i int, t *corev1.Toleration, hash uint32) {
	if t.Operator == corev1.TolerationOpExists {
		x.exists = append(x.exists, int32(i))
		return
	}
	x.equal.insert(hash, i)
}

// covered reports whether one of the indexed tolerations, as at returns
// them, covers want.
func (x *tolerationIndex) covered(at func(int) *corev1.Toleration, want *toleration) bool {
	for _, i := range x.exists {
		if covers(at(int(i)), &want.Toleration) {
			return true
		}
	}
	if want.Operator == corev1.TolerationOpExists {
		return false // only Exists covers Exists
	}
	_, ok := x.equal.find(want.hash, func(i int) bool { return covers(at(i), &want.Toleration) })
	return ok
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
