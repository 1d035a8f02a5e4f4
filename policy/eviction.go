package policy

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// evictionAnnotations are the keys with which a pod decides its own eviction.
var evictionAnnotations = []string{SafeToEvictAnnotation, SafeToEvictLocalVolumesAnnotation, DoNotDisruptAnnotation}

// replicatedKinds are the controllers the cluster-autoscaler treats as
// replicated: their pods may be moved once their local volumes are allowed.
var replicatedKinds = []string{"ReplicaSet", "Job", "StatefulSet", "ReplicationController"}

// mutateEviction adds the autoscaler annotations of the policy's eviction
// setting, unless the pod already carries one of them.
func mutateEviction(m *mutation) bool {
	e := m.policy.spec.Eviction
	if e == EvictionNone || !m.claim() {
		return false
	}
	want := wantedEviction(e, m.pod)
	if len(want) == 0 {
		return false
	}
	if e == EvictionLocalVolumes && !replicated(m.pod) {
		m.result.warn(m.policy.name, "no replicated owner: scale-down stays blocked, use safe")
	}
	have := func(key string) (string, bool) { return m.annotation(key, fnv32(key)) }
	if decided := evictionDecided(have); decided {
		if !annotationsEqual(have, want) {
			m.skip(SkipPodEviction, "pod sets its own eviction annotations")
		}
		return false
	}
	for i := range want {
		m.setAnnotation(&want[i])
		m.changed(want[i].detail)
	}
	return true
}

// The annotations of the eviction settings that do not depend on the pod,
// in key order.
var (
	evictionSafe  = []annotation{evictionAnnotation(SafeToEvictAnnotation, "true")}
	evictionNever = []annotation{evictionAnnotation(SafeToEvictAnnotation, "false"), evictionAnnotation(DoNotDisruptAnnotation, "true")}
)

// localVolumesAnnotation is the local-volumes annotation without its value.
var localVolumesAnnotation = newAnnotation(SafeToEvictLocalVolumesAnnotation, "", "")

func evictionAnnotation(key, value string) annotation {
	return newAnnotation(key, value, "annotation "+key+"="+value)
}

// wantedEviction returns the annotations of an eviction setting for pod, in
// key order.
func wantedEviction(e Eviction, pod *corev1.Pod) []annotation {
	switch e {
	case EvictionSafe:
		return evictionSafe
	case EvictionNever:
		return evictionNever
	case EvictionLocalVolumes:
		if names := localVolumes(pod); len(names) > 0 {
			a := localVolumesAnnotation // its path and hash made once
			a.value = strings.Join(names, ",")
			a.boxed, a.detail = a.value, "annotation "+a.key+"="+a.value
			return []annotation{a}
		}
	}
	return nil
}

// localVolumes lists the volumes the autoscaler counts as local storage:
// hostPath, and emptyDir not backed by memory.
func localVolumes(pod *corev1.Pod) []string {
	var names []string
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil || (v.EmptyDir != nil && v.EmptyDir.Medium != corev1.StorageMediumMemory) {
			names = append(names, v.Name)
		}
	}
	return names
}

// evictionDecided reports whether the pod, whose annotations have returns,
// carries one of the eviction annotations.
func evictionDecided(have func(key string) (string, bool)) bool {
	for _, key := range evictionAnnotations {
		if _, ok := have(key); ok {
			return true
		}
	}
	return false
}

// annotationsEqual reports whether the pod's eviction annotations are exactly
// want: poolpatch's own earlier work, not a choice of the pod's.
func annotationsEqual(have func(key string) (string, bool), want []annotation) bool {
	n := 0
	for _, key := range evictionAnnotations {
		if _, ok := have(key); ok {
			n++
		}
	}
	if n != len(want) {
		return false
	}
	for _, a := range want {
		if v, ok := have(a.key); !ok || v != a.value {
			return false
		}
	}
	return true
}

func replicated(pod *corev1.Pod) bool {
	ref := metav1.GetControllerOf(pod)
	return ref != nil && slices.Contains(replicatedKinds, ref.Kind)
}
