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
// JSON paths of the fields written outside the affinity.
const (
	annotationsPath = "/metadata/annotations"
	tolerationsPath = "/spec/tolerations"
	tolerationsEnd  = tolerationsPath + "/-"
)

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
// member, as RFC 6902 defines). The value is kept, not encoded: every value
// recorded is one no later write changes (an item appended, a scalar, or
// an empty object that later operations fill).
func (w *writer) add(path string, value any) {
	if !slices.ContainsFunc(w.writes, func(prefix string) bool { return strings.HasPrefix(path, prefix) }) {
		// A mutator writing a path it did not declare is a bug that the
		// tests catch; in the webhook the handler recovers it, fail-open.
		panic(fmt.Sprintf("policy: write to %s outside the declared paths %v", path, w.writes))
	}
	w.ops = append(w.ops, jsonpatch.JsonPatchOperation{Operation: "add", Path: path, Value: value})
}

// emptyObject is the value of an operation that creates an object which
// later operations fill.
var emptyObject = struct{}{}

// appendTo records appending item to the list at path, whose length before
// the append is n. An empty list is written whole: JSON cannot tell it from
// an absent one, and "add" to the end of an absent list fails.
func (w *writer) appendTo(path string, n int, item any) {
	if n == 0 {
		w.add(path, []any{item})
		return
	}
	w.add(path+"/-", item)
}

// setAnnotation sets one annotation.
func (w *writer) setAnnotation(a annotation) {
	if !w.owned.annotations {
		w.pod.Annotations = maps.Clone(w.pod.Annotations)
		w.owned.annotations = true
	}
	if len(w.pod.Annotations) == 0 {
		w.pod.Annotations = map[string]string{}
		w.add(annotationsPath, emptyObject)
	}
	w.pod.Annotations[a.key] = a.value
	w.add(a.path, a.boxed)
}

// addToleration appends one toleration.
func (w *writer) addToleration(t toleration) {
	if !w.owned.tolerations {
		w.pod.Spec.Tolerations = slices.Clip(w.pod.Spec.Tolerations)
		w.owned.tolerations = true
	}
	if len(w.pod.Spec.Tolerations) == 0 {
		w.add(tolerationsPath, []any{t.boxed})
	} else {
		w.add(tolerationsEnd, t.boxed)
	}
	w.pod.Spec.Tolerations = append(w.pod.Spec.Tolerations, t.Toleration)
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

// annotation is an annotation to set, with its patch path, its value as
// the patch holds it and its change detail computed once: a policy's
// annotations are prepared when the set is loaded, not for every pod.
type annotation struct {
	key, value, path, detail string
	boxed                    any
}

func newAnnotation(key, value, detail string) annotation {
	return annotation{key: key, value: value, path: annotationsPath + "/" + escapePointer(key), detail: detail, boxed: value}
}

// toleration is a toleration to add, prepared like annotation.
type toleration struct {
	corev1.Toleration
	detail string
	boxed  any
}

func prepareTolerations(ts []corev1.Toleration) []toleration {
	out := make([]toleration, len(ts))
	for i, t := range ts {
		raw, err := json.Marshal(t)
		if err != nil {
			panic(fmt.Sprintf("policy: encode toleration: %v", err)) // a Toleration always encodes
		}
		out[i] = toleration{Toleration: t, detail: describeToleration(t), boxed: json.RawMessage(raw)}
	}
	return out
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
