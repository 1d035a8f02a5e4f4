package policy

import (
	"math/rand/v2"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// TestToleratedIndexAgreesWithScan checks the toleration index against a
// scan of every toleration with covers, on random pods long enough to be
// indexed and random wanted tolerations, the index growing as tolerations
// are added.
func TestToleratedIndexAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 16))
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	random := func() corev1.Toleration {
		tol := corev1.Toleration{
			Key:      pick("", "a", "b", "ab"),
			Operator: corev1.TolerationOperator(pick("", "Equal", "Exists")),
			Value:    pick("", "x", "y", "bx"),
			Effect:   corev1.TaintEffect(pick("", "NoSchedule", "NoExecute")),
		}
		if rng.IntN(3) == 0 {
			tol.TolerationSeconds = ptr.To(int64(300 * rng.IntN(2)))
		}
		return tol
	}
	for round := range 200 {
		pod := &corev1.Pod{}
		for range linearTolerations + 1 + rng.IntN(20) {
			pod.Spec.Tolerations = append(pod.Spec.Tolerations, random())
		}
		w := newWriter(pod)
		w.writes = []string{tolerationsPath}
		for range 50 {
			want := &prepareTolerations([]corev1.Toleration{random()})[0]
			scan := false
			for i := range w.tolerationCount() {
				scan = scan || covers(w.tolerationAt(i), &want.Toleration)
			}
			if got := w.tolerated(want); got != scan {
				t.Fatalf("round %d: tolerated(%+v) = %v, a scan says %v; tolerations %+v", round, want.Toleration, got, scan, w.finish().Spec.Tolerations)
			}
			if !scan && rng.IntN(2) == 0 {
				w.addToleration(want)
			}
		}
		if w.tolerationIndex == nil {
			t.Fatalf("round %d: %d tolerations were not indexed", round, w.tolerationCount())
		}
	}
}
