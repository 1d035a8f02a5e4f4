package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mattbaird/jsonpatch"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// mutable is the part of a pod, or of a pod template, that the mutators can
// change, at the same JSON paths as in the whole object. Diffing only the
// fields of it that changed keeps the patch cheap: containers, managedFields
// and status, which are most of a pod's JSON, never change. The tests apply every patch to the
// whole original pod and compare with the whole mutated pod, so a mutator
// that touched a field missing here would fail them.
type mutable struct {
	Metadata struct {
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"metadata"`
	Spec struct {
		Volumes        []corev1.Volume     `json:"volumes,omitempty"`
		InitContainers []corev1.Container  `json:"initContainers,omitempty"`
		SchedulerName  string              `json:"schedulerName,omitempty"`
		Affinity       *corev1.Affinity    `json:"affinity,omitempty"`
		Tolerations    []corev1.Toleration `json:"tolerations,omitempty"`
	} `json:"spec"`
}

// changedParts returns the mutable parts of both pods, keeping only the
// fields that differ, so that the diff works on what changed alone.
func changedParts(original, mutated *corev1.Pod) (before, after mutable) {
	keep := func(a, b any) bool { return !equality.Semantic.DeepEqual(a, b) }
	o, m := original, mutated
	if keep(o.Annotations, m.Annotations) {
		before.Metadata.Annotations, after.Metadata.Annotations = o.Annotations, m.Annotations
	}
	if keep(o.Spec.Volumes, m.Spec.Volumes) {
		before.Spec.Volumes, after.Spec.Volumes = o.Spec.Volumes, m.Spec.Volumes
	}
	if keep(o.Spec.InitContainers, m.Spec.InitContainers) {
		before.Spec.InitContainers, after.Spec.InitContainers = o.Spec.InitContainers, m.Spec.InitContainers
	}
	before.Spec.SchedulerName, after.Spec.SchedulerName = o.Spec.SchedulerName, m.Spec.SchedulerName
	if keep(o.Spec.Affinity, m.Spec.Affinity) {
		before.Spec.Affinity, after.Spec.Affinity = o.Spec.Affinity, m.Spec.Affinity
	}
	if keep(o.Spec.Tolerations, m.Spec.Tolerations) {
		before.Spec.Tolerations, after.Spec.Tolerations = o.Spec.Tolerations, m.Spec.Tolerations
	}
	return before, after
}

// Patch returns the JSON patch (RFC 6902) that turns original into mutated:
// a mattbaird/jsonpatch diff of their JSON, restricted to the fields that
// the mutators change and that differ. It applies to a pod, and with the template's path as a
// prefix to a pod template. Operations come in a stable order.
func Patch(original, mutated *corev1.Pod) ([]jsonpatch.JsonPatchOperation, error) {
	beforePart, afterPart := changedParts(original, mutated)
	before, err := json.Marshal(beforePart)
	if err != nil {
		return nil, fmt.Errorf("marshal original: %w", err)
	}
	after, err := json.Marshal(afterPart)
	if err != nil {
		return nil, fmt.Errorf("marshal mutated: %w", err)
	}
	ops, err := jsonpatch.CreatePatch(before, after)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	sortOperations(ops)
	return ops, nil
}

// sortOperations orders operations by their parent path and, within an
// object, by key. Array operations keep the order the diff gave them, which
// their indexes depend on.
func sortOperations(ops []jsonpatch.JsonPatchOperation) {
	sort.SliceStable(ops, func(i, j int) bool {
		pi, ki := splitPath(ops[i].Path)
		pj, kj := splitPath(ops[j].Path)
		if pi != pj {
			return pi < pj
		}
		if isIndex(ki) || isIndex(kj) {
			return false
		}
		return ki < kj
	})
}

func splitPath(path string) (parent, key string) {
	i := strings.LastIndex(path, "/")
	return path[:i], path[i+1:]
}

func isIndex(key string) bool {
	_, err := strconv.Atoi(key)
	return err == nil
}
