package policy

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mattbaird/jsonpatch"
	corev1 "k8s.io/api/core/v1"
)

// JSON paths of the fields written outside the affinity.
const (
	annotationsPath = "/metadata/annotations"
	tolerationsPath = "/spec/tolerations"
	tolerationsEnd  = tolerationsPath + "/-"
)

// writer is the one way mutators change a pod. Each write does two things:
// it changes the result pod, copying the field it touches the first time
// (the input pod is shared, never modified), or for annotations and
// tolerations, the fields many policies add to, keeps the addition aside
// until finish; and it records the JSON patch operation that makes the same
// change to the pod as the API server holds it. The patch is therefore
// built from what the mutators did, with no diff, and it never replaces a
// whole field: fields this build of poolpatch does not know survive the
// patch. Mutators read what was written so far through the writer
// (annotation, tolerated).
type writer struct {
	pod *corev1.Pod
	ops []jsonpatch.JsonPatchOperation
	// writes are the path prefixes the running mutator declared.
	writes []string
	owned  ownedFields
	// annotations are the annotations set so far, over the pod's own
	// (pod.Annotations, the input's map, left as it is until finish), each
	// key once, found by annotationIndex: pointers to the policies'
	// prepared annotations rather than a copy of the pod's map.
	annotations     []*annotation
	annotationIndex hashTable
	// tolerations are the tolerations appended so far, after the pod's own
	// (pod.Spec.Tolerations, the input's, left as they are until finish):
	// pointers to the policies' prepared ones rather than a copy of the
	// pod's list grown toleration by toleration.
	tolerations []*toleration
	// tolerationIndex indexes the tolerations once they are many.
	tolerationIndex *tolerationIndex
	// room is how many annotations and tolerations the mutators may add at
	// most, to size the copies once.
	room struct{ annotations, tolerations int }
}

// ownedFields marks the fields of pod already copied from the input.
type ownedFields struct {
	affinity, volumes, initContainers bool
}

// newWriter starts writing on a shallow copy of pod.
func newWriter(pod *corev1.Pod) *writer {
	cp := *pod
	return &writer{pod: &cp}
}

// reserve sizes the writer's copies and patch for what policies can add at
// most: each policy's annotations and tolerations, one policy's pools (the
// pools setting has one owner), the eviction annotations and
// poolpatch.io/policies, so that many matching policies do not grow them
// write by write.
func (w *writer) reserve(policies []*compiled) {
	pools := 0
	for _, c := range policies {
		w.room.annotations += len(c.annotations)
		w.room.tolerations += len(c.tolerations)
		n := 0
		for _, ts := range c.poolTolerations {
			n += len(ts)
		}
		pools = max(pools, n)
	}
	w.room.annotations += len(evictionAnnotations) + 1
	w.room.tolerations += pools
	w.ops = make([]jsonpatch.JsonPatchOperation, 0, w.room.annotations+w.room.tolerations+16)
}

// finish completes the pod with what the writer holds aside (the
// annotations set and the tolerations appended) and returns it. The writer
// is done after it.
func (w *writer) finish() *corev1.Pod {
	if len(w.annotations) > 0 {
		all := make(map[string]string, len(w.pod.Annotations)+len(w.annotations))
		maps.Copy(all, w.pod.Annotations)
		for _, a := range w.annotations {
			all[a.key] = a.value
		}
		w.pod.Annotations = all
	}
	if len(w.tolerations) > 0 {
		have := w.pod.Spec.Tolerations
		all := make([]corev1.Toleration, len(have), len(have)+len(w.tolerations))
		copy(all, have)
		for _, t := range w.tolerations {
			all = append(all, t.Toleration)
		}
		w.pod.Spec.Tolerations = all
	}
	return w.pod
}

// add records an "add" operation (it also replaces an existing object
// member, as RFC 6902 defines). The value is kept, not encoded: every value
// recorded is one no later write changes (an item appended, a scalar, or
// an empty object that later operations fill).
func (w *writer) add(path string, value any) {
	if !w.declared(path) {
		// A mutator writing a path it did not declare is a bug that the
		// tests catch; in the webhook the handler recovers it, fail-open.
		panic(fmt.Sprintf("policy: write to %s outside the declared paths %v", path, w.writes))
	}
	w.ops = append(w.ops, jsonpatch.JsonPatchOperation{Operation: "add", Path: path, Value: value})
}

// declared reports whether path is below one the running mutator declared.
func (w *writer) declared(path string) bool {
	for _, prefix := range w.writes {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
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

// setAnnotation sets an annotation this pass has not set yet, which each
// caller makes sure of: a policy's annotations and the eviction ones are
// set only where the pod lacks them, and poolpatch.io/policies, reserved,
// only by Apply after the pass. a must not change until finish.
func (w *writer) setAnnotation(a *annotation) {
	if len(w.pod.Annotations) == 0 && len(w.annotations) == 0 {
		w.add(annotationsPath, emptyObject)
	}
	if w.annotations == nil {
		w.annotations = make([]*annotation, 0, max(w.room.annotations, 1))
		w.annotationIndex = newHashTable(cap(w.annotations))
	}
	w.annotationIndex.insert(a.hash, len(w.annotations))
	w.annotations = append(w.annotations, a)
	w.add(a.path, a.boxed)
}

// annotation returns the pod's annotation key (of hash fnv32(key)) as set
// so far.
func (w *writer) annotation(key string, hash uint32) (string, bool) {
	if i, ok := w.annotationIndex.find(hash, func(i int) bool { return w.annotations[i].key == key }); ok {
		return w.annotations[i].value, true
	}
	value, ok := w.pod.Annotations[key]
	return value, ok
}

// addToleration appends one toleration; t must not change until finish.
func (w *writer) addToleration(t *toleration) {
	n := w.tolerationCount()
	if n == 0 {
		w.add(tolerationsPath, []any{t.boxed})
	} else {
		w.add(tolerationsEnd, t.boxed)
	}
	if w.tolerations == nil {
		w.tolerations = make([]*toleration, 0, max(w.room.tolerations, 1))
	}
	w.tolerations = append(w.tolerations, t)
	if w.tolerationIndex != nil {
		w.tolerationIndex.add(n, &t.Toleration, t.hash)
	}
}

// tolerationCount is the number of the pod's tolerations, its own and the
// appended ones.
func (w *writer) tolerationCount() int {
	return len(w.pod.Spec.Tolerations) + len(w.tolerations)
}

// tolerationAt returns the pod's toleration at index i of its own followed
// by the appended ones.
func (w *writer) tolerationAt(i int) *corev1.Toleration {
	if have := w.pod.Spec.Tolerations; i < len(have) {
		return &have[i]
	}
	return &w.tolerations[i-len(w.pod.Spec.Tolerations)].Toleration
}

// setSchedulerName sets the pod's scheduler.
func (w *writer) setSchedulerName(name string) {
	w.pod.Spec.SchedulerName = name
	w.add("/spec/schedulerName", name)
}

// ownVolumes copies the list of volumes before the first write to it. The
// copy is shallow: a write inside a volume copies what it changes.
func (w *writer) ownVolumes() {
	if !w.owned.volumes {
		w.pod.Spec.Volumes = slices.Clip(slices.Clone(w.pod.Spec.Volumes))
		w.owned.volumes = true
	}
}

// setSizeLimit gives the emptyDir volume at index i a size limit.
func (w *writer) setSizeLimit(i int, limit *sizeLimit) {
	w.ownVolumes()
	v := &w.pod.Spec.Volumes[i]
	emptyDir := *v.EmptyDir
	q := limit.q.DeepCopy()
	emptyDir.SizeLimit = &q
	v.EmptyDir = &emptyDir
	w.add("/spec/volumes/"+strconv.Itoa(i)+"/emptyDir/sizeLimit", limit.boxed)
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
