package manifest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/mattbaird/jsonpatch"
	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// Options are the inputs of a mutation besides the manifest.
type Options struct {
	// Set holds the policies; nil means none.
	Set *policy.Set
	// DefaultNamespace is for objects that name none.
	DefaultNamespace string
	// NamespaceLabels are the labels of every namespace involved;
	// kubernetes.io/metadata.name is added per namespace.
	NamespaceLabels map[string]string
	// Engine holds the engine's run-time options.
	Engine policy.Options
}

// engine returns the engine's options for the preview: the patch alone, as
// the webhook asks for it.
func (o Options) engine() policy.Options {
	e := o.Engine
	e.PatchOnly = true
	return e
}

// Outcome is what happened to one object.
type Outcome struct {
	Kind, Namespace, Name string
	// Mutated is the object after the patch; the input object is untouched.
	// Mutated shares with it every value the patch did not write: treat
	// both as read-only.
	Mutated Object
	// Patch turns the object as written into Mutated; empty when unchanged.
	Patch []jsonpatch.JsonPatchOperation
	// Result is the engine's account; nil when the object passed through.
	// Its Pod is nil (policy.Options.PatchOnly): Mutated is the object
	// the patch made, as written.
	Result *policy.Result
	// Note says why an object passed through unchanged.
	Note string
}

// templatePaths maps a workload kind to the path of its pod template; which
// controller owns the pods made from it is the engine's rule
// (policy.TemplatePod).
var templatePaths = map[string][]string{
	"Deployment":            {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// MutateObject mutates one object: a Pod, or the pod template of a workload.
// DaemonSets and every other kind pass through unchanged with a note.
func MutateObject(obj Object, opts Options) (Outcome, error) {
	out := Outcome{Kind: kindOf(obj), Mutated: obj}
	meta, _ := obj["metadata"].(Object)
	out.Name, _ = meta["name"].(string)
	if out.Name == "" {
		out.Name, _ = meta["generateName"].(string)
	}
	out.Namespace, _ = meta["namespace"].(string)
	if out.Namespace == "" {
		out.Namespace = opts.DefaultNamespace
	}
	ns := policy.NamespaceOf(out.Namespace, opts.NamespaceLabels, nil)
	switch path, isWorkload := templatePaths[out.Kind]; {
	case out.Kind == "Pod":
		return mutatePod(obj, ns, opts, out)
	case isWorkload:
		return mutateTemplate(obj, path, ns, opts, out)
	case out.Kind == "DaemonSet":
		out.Note = "DaemonSet pods run on every node: passed through unchanged"
	default:
		out.Note = "not a Pod or a workload with a pod template: passed through unchanged"
	}
	return out, nil
}

func mutatePod(obj Object, ns policy.Namespace, opts Options, out Outcome) (Outcome, error) {
	pod, err := enginePod(obj)
	if err != nil {
		return out, fmt.Errorf("pod %s: %w", out.Name, err)
	}
	out.Result = policy.Apply(pod, opts.Set, ns, opts.engine())
	return applyPatch(obj, nil, out)
}

func mutateTemplate(obj Object, path []string, ns policy.Namespace, opts Options, out Outcome) (Outcome, error) {
	raw, ok := lookup(obj, path)
	if !ok {
		out.Note = out.Kind + " without a pod template: passed through unchanged"
		return out, nil
	}
	tmpl, err := engineTemplate(raw)
	if err != nil {
		return out, fmt.Errorf("%s %s: pod template: %w", out.Kind, out.Name, err)
	}
	pod, _ := policy.TemplatePod(out.Kind, out.Name, ns.Name, tmpl)
	out.Result = policy.Apply(pod, opts.Set, ns, opts.engine())
	return applyPatch(obj, path, out)
}

// applyPatch places the engine's patch below the template's path and applies
// it to the object as written, as the JSON patch library the API server
// uses would (applyOps). A template written without metadata (common in examples) gets
// an operation that adds it first, so that the printed patch applies to the
// input as it stands.
func applyPatch(obj Object, path []string, out Outcome) (Outcome, error) {
	prefix := ""
	for _, p := range path {
		prefix += "/" + p
	}
	ops := out.Result.PatchAt(prefix)
	if len(ops) == 0 {
		out.Patch = ops
		return out, nil
	}
	target, _ := lookup(obj, path)
	for _, parent := range []string{"metadata", "spec"} {
		_, exists := target[parent].(Object)
		if !exists && slices.ContainsFunc(ops, func(op jsonpatch.JsonPatchOperation) bool {
			return strings.HasPrefix(op.Path, prefix+"/"+parent+"/")
		}) {
			ops = slices.Insert(ops, 0, jsonpatch.NewPatch("add", prefix+"/"+parent, Object{}))
		}
	}
	mutated, err := applyOps(obj, ops)
	if err != nil {
		return out, fmt.Errorf("%s %s: apply patch: %w", out.Kind, out.Name, err)
	}
	out.Mutated, out.Patch = mutated, ops
	return out, nil
}

func lookup(obj Object, path []string) (Object, bool) {
	node := obj
	for _, key := range path {
		next, ok := node[key].(Object)
		if !ok {
			return nil, false
		}
		node = next
	}
	return node, true
}

var (
	podType      = reflect.TypeFor[corev1.Pod]()
	templateType = reflect.TypeFor[corev1.PodTemplateSpec]()
)

// jsonAppenders hold the JSON of the pods being decoded (neither decoder
// keeps a reference to it) and the space to sort its keys.
var jsonAppenders = sync.Pool{New: func() any { return new(jsonAppender) }}

// podJSON appends obj as JSON with a pooled appender; put it back with
// jsonAppenders.Put once the JSON is decoded.
func podJSON(obj Object) (*jsonAppender, error) {
	j := jsonAppenders.Get().(*jsonAppender)
	j.buf, j.entries = j.buf[:0], j.entries[:0]
	return j, j.value(obj)
}

// enginePod decodes a Pod as the webhook does, only what the engine reads
// (policy.DecodePod), so that the CLI's patch is the webhook's; a pod that
// does not decode whole is the full decode's error, which names the field.
func enginePod(obj Object) (*corev1.Pod, error) {
	j, err := podJSON(obj)
	defer jsonAppenders.Put(j)
	if err != nil {
		return nil, err
	}
	raw := j.buf
	if decodes(obj, podType) {
		if pod, err := policy.DecodePod(raw); err == nil {
			return pod, nil
		}
	}
	var pod corev1.Pod
	if err := json.Unmarshal(raw, &pod); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &pod, nil
}

// engineTemplate is enginePod for a workload's pod template, which has a
// pod's metadata and spec.
func engineTemplate(obj Object) (*corev1.PodTemplateSpec, error) {
	j, err := podJSON(obj)
	defer jsonAppenders.Put(j)
	if err != nil {
		return nil, err
	}
	raw := j.buf
	if decodes(obj, templateType) {
		if pod, err := policy.DecodePod(raw); err == nil {
			return &corev1.PodTemplateSpec{ObjectMeta: pod.ObjectMeta, Spec: pod.Spec}, nil
		}
	}
	var tmpl corev1.PodTemplateSpec
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &tmpl, nil
}

func convert(in Object, out any) error {
	raw, err := appendJSON(make([]byte, 0, 4096), in)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}
