package cluster

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kubeletVersion is what the fake Nodes report: the pinned control plane's.
const kubeletVersion = "v1.37.2"

// sameTaints reports whether two taint lists hold the same key, value and
// effect triples (added times are ignored).
func sameTaints(got, want []corev1.Taint) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if g.Key == w.Key && g.Value == w.Value && g.Effect == w.Effect {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// statusMatches reports whether a Node status is Ready with fn's capacity.
func statusMatches(st corev1.NodeStatus, fn fakeNode) bool {
	ready := false
	for _, c := range st.Conditions {
		if c.Type == corev1.NodeReady {
			ready = c.Status == corev1.ConditionTrue
		}
	}
	return ready && sameResources(st.Allocatable, fn.allocatable) && sameResources(st.Capacity, fn.allocatable)
}

// sameResources compares two resource lists by quantity.
func sameResources(got, want corev1.ResourceList) bool {
	if len(got) != len(want) {
		return false
	}
	for name, q := range want {
		g, ok := got[name]
		if !ok || g.Cmp(q) != 0 {
			return false
		}
	}
	return true
}

// nodeStatus is the status of a healthy fake Node with fn's capacity,
// keeping the parts of old that the harness does not own.
func nodeStatus(fn fakeNode, old corev1.NodeStatus) corev1.NodeStatus {
	now := metav1.Now()
	condition := func(t corev1.NodeConditionType, s corev1.ConditionStatus, reason string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: s, Reason: reason, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	st := old
	st.Capacity = fn.allocatable.DeepCopy()
	st.Allocatable = fn.allocatable.DeepCopy()
	st.Phase = corev1.NodeRunning
	st.Conditions = []corev1.NodeCondition{
		condition(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady"),
		condition(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory"),
		condition(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure"),
		condition(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID"),
	}
	st.NodeInfo.KubeletVersion = kubeletVersion
	st.NodeInfo.OperatingSystem = "linux"
	st.NodeInfo.Architecture = "amd64"
	return st
}

// parseQuantity parses a resource quantity such as "110" or "4Gi".
func parseQuantity(s string) (resource.Quantity, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return resource.Quantity{}, fmt.Errorf("quantity %q: %w", s, err)
	}
	return q, nil
}
