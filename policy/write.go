package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mattbaird/jsonpatch"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// writer is the one way mutators change a pod. Each write does two things:
// it changes the result pod, copying the field it touches the first time
// (the input pod is shared, never modified), and it records the JSON patch
// operation that makes the same change to the pod as the API server holds
// it. The patch is therefore built from what the mutators did, with no diff,
// and it never replaces a whole field: fields this build of poolpatch does
// not know survive the patch.
type writer struct {
	pod *corev1.Pod
	ops []jsonpatch.JsonPatchOperation
	// writes are the path prefixes the running mutator declared.
	writes []string
	owned  ownedFields
}

// ownedFields marks the fields of pod already copied from the input.
type ownedFields struct {
	annotations, tolerations, affinity, volumes, initContainers bool
}

// newWriter starts writing on a shallow copy of pod.
func newWriter(pod *corev1.Pod) *writer {
	cp := *pod
	return &writer{pod: &cp}
}

// fork returns a writer on a shallow copy of w's pod that records its own
// operations: the Audit pass works on it and its patch is thrown away.
func (w *writer) fork() *writer {
	return newWriter(w.pod)
}

// add records an "add" operation (it also replaces an existing object
// member, as RFC 6902 defines). The value is encoded now, so that later
// writes to the same field do not leak into this operation.
func (w *writer) add(path string, value any) {
	if !slices.ContainsFunc(w.writes, func(prefix string) bool { return strings.HasPrefix(path, prefix) }) {
		// A mutator writing a path it did not declare is a bug that the
		// tests catch; in the webhook the handler recovers it, fail-open.
		panic(fmt.Sprintf("policy: write to %s outside the declared paths %v", path, w.writes))
	}
	raw, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("policy: encode %s: %v", path, err)) // Kubernetes API types always encode
	}
	w.ops = append(w.ops, jsonpatch.NewPatch("add", path, json.RawMessage(raw)))
}

// appendTo records appending item to the list at path, whose length before
// the append is n. An empty list is written whole: JSON cannot tell it from
// an absent one, and "add" at index 0 of an absent list fails.
func (w *writer) appendTo(path string, n int, item any) {
	if n == 0 {
		w.add(path, []any{item})
		return
	}
	w.add(path+"/"+strconv.Itoa(n), item)
}

// setAnnotation sets one annotation.
func (w *writer) setAnnotation(key, value string) {
	if !w.owned.annotations {
		w.pod.Annotations = maps.Clone(w.pod.Annotations)
		w.owned.annotations = true
	}
	if len(w.pod.Annotations) == 0 {
		w.pod.Annotations = map[string]string{key: value}
		w.add("/metadata/annotations", w.pod.Annotations)
		return
	}
	w.pod.Annotations[key] = value
	w.add("/metadata/annotations/"+escapePointer(key), value)
}

// addToleration appends one toleration.
func (w *writer) addToleration(t corev1.Toleration) {
	if !w.owned.tolerations {
		w.pod.Spec.Tolerations = slices.Clip(w.pod.Spec.Tolerations)
		w.owned.tolerations = true
	}
	w.appendTo("/spec/tolerations", len(w.pod.Spec.Tolerations), t)
	w.pod.Spec.Tolerations = append(w.pod.Spec.Tolerations, t)
}

// setSchedulerName sets the pod's scheduler.
func (w *writer) setSchedulerName(name string) {
	w.pod.Spec.SchedulerName = name
	w.add("/spec/schedulerName", name)
}

// ownVolumes copies the volumes before the first write to one of them.
func (w *writer) ownVolumes() {
	if !w.owned.volumes {
		w.pod.Spec.Volumes = cloneEach(w.pod.Spec.Volumes, (*corev1.Volume).DeepCopy)
		w.owned.volumes = true
	}
}

// setSizeLimit gives the emptyDir volume at index i a size limit.
func (w *writer) setSizeLimit(i int, limit resource.Quantity) {
	w.ownVolumes()
	q := limit.DeepCopy()
	w.pod.Spec.Volumes[i].EmptyDir.SizeLimit = &q
	w.add(fmt.Sprintf("/spec/volumes/%d/emptyDir/sizeLimit", i), q)
}

// addVolume appends one volume.
func (w *writer) addVolume(v corev1.Volume) {
	w.ownVolumes()
	w.appendTo("/spec/volumes", len(w.pod.Spec.Volumes), v)
	w.pod.Spec.Volumes = append(w.pod.Spec.Volumes, v)
}

// insertInitContainers inserts containers at index at, in order.
func (w *writer) insertInitContainers(at int, containers []corev1.Container) {
	if !w.owned.initContainers {
		w.pod.Spec.InitContainers = slices.Clip(w.pod.Spec.InitContainers)
		w.owned.initContainers = true
	}
	if len(w.pod.Spec.InitContainers) == 0 {
		w.add("/spec/initContainers", containers)
	} else {
		for i, c := range containers {
			w.add("/spec/initContainers/"+strconv.Itoa(at+i), c)
		}
	}
	w.pod.Spec.InitContainers = slices.Insert(w.pod.Spec.InitContainers, at, containers...)
}

// escapePointer escapes a map key for a JSON pointer (RFC 6901).
func escapePointer(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

func cloneEach[T any](in []T, deepCopy func(*T) *T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i := range in {
		out[i] = *deepCopy(&in[i])
	}
	return out
}
