package rebalance

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// The owner kinds whose pods are moved: their controller recreates an
// evicted pod, and the new pod gets the scheduler's fresh choice.
var movableOwners = map[string]bool{"ReplicaSet": true, "StatefulSet": true}

// Owner returns the pod's controller, if a ReplicaSet or StatefulSet owns
// it, else the reason it is not moved.
func Owner(pod *corev1.Pod) (*metav1.OwnerReference, Reason) {
	ref := metav1.GetControllerOf(pod)
	switch {
	case ref == nil:
		return nil, ReasonBarePod
	case !movableOwners[ref.Kind] || ref.APIVersion != "apps/v1":
		return nil, ReasonOwnerKind
	}
	return ref, ""
}

// forbidden returns why the pod's own annotations forbid moving it, or "".
// (A pod labelled poolpatch.io/mutate=false, like a DaemonSet's, is no pod
// of any policy: Locate never returns it.)
func forbidden(pod *corev1.Pod) Reason {
	switch {
	case pod.Annotations[policy.DoNotDisruptAnnotation] == "true":
		return ReasonDoNotDisrupt
	case pod.Annotations[policy.SafeToEvictAnnotation] == "false":
		return ReasonSafeToEvictFalse
	}
	return ""
}

// unverifiable reports whether placing pod depends on filters poolpatch
// cannot run outside the scheduler: inter-pod (anti-)affinity, hard
// topology spreading, host ports, and volumes whose PersistentVolume may be
// zonal (poolpatch reads no PersistentVolumes, so every claim counts).
func unverifiable(pod *corev1.Pod) bool {
	spec := &pod.Spec
	if a := spec.Affinity; a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil) {
		return true
	}
	for _, c := range spec.TopologySpreadConstraints {
		if c.WhenUnsatisfiable == corev1.DoNotSchedule {
			return true
		}
	}
	for _, v := range spec.Volumes {
		if v.PersistentVolumeClaim != nil || v.Ephemeral != nil {
			return true
		}
	}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range list {
			for _, p := range c.Ports {
				if p.HostPort != 0 {
					return true
				}
			}
		}
	}
	return false
}
