package policy

import (
	"maps"
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
	if decided := evictionDecided(m.pod); decided {
		if !annotationsEqual(m.pod.Annotations, want) {
			m.skip(SkipPodEviction, "pod sets its own eviction annotations")
		}
		return false
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		a := newAnnotation(key, want[key], "annotation "+key+"="+want[key])
		m.setAnnotation(a)
		m.changed(a.detail)
	}
	return true
}

func wantedEviction(e Eviction, pod *corev1.Pod) map[string]string {
	switch e {
	case EvictionSafe:
		return map[string]string{SafeToEvictAnnotation: "true"}
	case EvictionNever:
		return map[string]string{SafeToEvictAnnotation: "false", DoNotDisruptAnnotation: "true"}
	case EvictionLocalVolumes:
		if names := localVolumes(pod); len(names) > 0 {
			return map[string]string{SafeToEvictLocalVolumesAnnotation: strings.Join(names, ",")}
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

func evictionDecided(pod *corev1.Pod) bool {
	for _, key := range evictionAnnotations {
		if _, ok := pod.Annotations[key]; ok {
			return true
		}
	}
	return false
}

// annotationsEqual reports whether the pod's eviction annotations are exactly
// want: poolpatch's own earlier work, not a choice of the pod's.
func annotationsEqual(have, want map[string]string) bool {
	got := map[string]string{}
	for _, key := range evictionAnnotations {
		if v, ok := have[key]; ok {
			got[key] = v
		}
	}
	return maps.Equal(got, want)
}

func replicated(pod *corev1.Pod) bool {
	ref := metav1.GetControllerOf(pod)
	return ref != nil && slices.Contains(replicatedKinds, ref.Kind)
}
