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
	have := w.pod.Spec.Tolerations
	if w.tolerationIndex == nil {
		if len(have) <= linearTolerations {
			for i := range have {
				if covers(&have[i], &want.Toleration) {
					return true
				}
			}
			return false
		}
		w.tolerationIndex = newTolerationIndex(have)
	}
	return w.tolerationIndex.covered(have, want)
}

// tolerationIndex finds the tolerations of a pod that can cover a wanted
// one, so that merging the tolerations of many policies into one pod stays
// linear. A toleration with any operator but Exists covers only one of the
// same key and value, so those are found by a hash of key and value; Exists
// ones (the DefaultTolerationSeconds pair, a wildcard) are few and tried in
// turn. The table holds no pointers, which the garbage collector skips.
type tolerationIndex struct {
	exists []int32
	// slots is an open-addressing table with linear probing: a slot holds
	// the low 32 bits of the hash of a toleration's key and value and 1 +
	// its index (0: the slot is free). Tolerations of equal hash take a
	// slot each; covers decides between them. Its length is a power of
	// two, at least twice the number of entries.
	slots   []tolerationSlot
	entries int
}

type tolerationSlot struct {
	hash  uint32
	index int32
}

// tolerationHash is the FNV-1a hash (64 bits) of a toleration's key and
// value.
func tolerationHash(t *corev1.Toleration) uint64 {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	for i := 0; i < len(t.Key); i++ {
		h = (h ^ uint64(t.Key[i])) * prime64
	}
	h = (h ^ 0xff) * prime64 // no key byte is 0xff in a valid key; a separator either way
	for i := 0; i < len(t.Value); i++ {
		h = (h ^ uint64(t.Value[i])) * prime64
	}
	return h
}

func newTolerationIndex(tolerations []corev1.Toleration) *tolerationIndex {
	x := &tolerationIndex{slots: make([]tolerationSlot, tableSize(cap(tolerations)))}
	for i := range tolerations {
		x.add(i, &tolerations[i])
	}
	return x
}

// tableSize is the smallest power of two at least twice n (and 16).
func tableSize(n int) int {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return size
}

// add indexes t, the pod's toleration at index i (the next one).
func (x *tolerationIndex) add(i int, t *corev1.Toleration) {
	if t.Operator == corev1.TolerationOpExists {
		x.exists = append(x.exists, int32(i))
		return
	}
	if 2*(x.entries+1) > len(x.slots) {
		old := x.slots
		x.slots = make([]tolerationSlot, 2*len(old))
		for _, s := range old {
			if s.index != 0 {
				x.insert(s)
			}
		}
	}
	x.insert(tolerationSlot{hash: uint32(tolerationHash(t)), index: int32(i) + 1})
	x.entries++
}

func (x *tolerationIndex) insert(s tolerationSlot) {
	mask := uint32(len(x.slots) - 1)
	j := s.hash & mask
	for x.slots[j].index != 0 {
		j = (j + 1) & mask
	}
	x.slots[j] = s
}

// covered reports whether one of have, the indexed tolerations, covers want.
func (x *tolerationIndex) covered(have []corev1.Toleration, want *toleration) bool {
	for _, i := range x.exists {
		if covers(&have[i], &want.Toleration) {
			return true
		}
	}
	if want.Operator == corev1.TolerationOpExists {
		return false // only Exists covers Exists
	}
	mask, hash := uint32(len(x.slots)-1), uint32(want.hash)
	for j := hash & mask; x.slots[j].index != 0; j = (j + 1) & mask {
		if s := x.slots[j]; s.hash == hash && covers(&have[s.index-1], &want.Toleration) {
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
