package manifest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/mattbaird/jsonpatch"
	jsonpatchv4 "gopkg.in/evanphx/json-patch.v4"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

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
}

// Outcome is what happened to one object.
type Outcome struct {
	Kind, Namespace, Name string
	// Mutated is the object after the patch; the input object is untouched.
	Mutated Object
	// Patch turns the object as written into Mutated; empty when unchanged.
	Patch []jsonpatch.JsonPatchOperation
	// Result is the engine's account; nil when the object passed through.
	Result *policy.Result
	// Note says why an object passed through unchanged.
	Note string
}

// templateOwners maps a workload kind to the path of its pod template and the
// kind of the controller that will own its pods, which decides how the
// autoscaler treats them.
var templateOwners = map[string]struct {
	path  []string
	owner string
}{
	"Deployment":            {[]string{"spec", "template"}, "ReplicaSet"},
	"ReplicaSet":            {[]string{"spec", "template"}, "ReplicaSet"},
	"StatefulSet":           {[]string{"spec", "template"}, "StatefulSet"},
	"ReplicationController": {[]string{"spec", "template"}, "ReplicationController"},
	"Job":                   {[]string{"spec", "template"}, "Job"},
	"CronJob":               {[]string{"spec", "jobTemplate", "spec", "template"}, "Job"},
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
	ns := policy.Namespace{Name: out.Namespace, Labels: namespaceLabels(opts.NamespaceLabels, out.Namespace)}
	switch owner, isWorkload := templateOwners[out.Kind]; {
	case out.Kind == "Pod":
		return mutatePod(obj, ns, opts.Set, out)
	case isWorkload:
		return mutateTemplate(obj, owner.path, owner.owner, ns, opts.Set, out)
	case out.Kind == "DaemonSet":
		out.Note = "DaemonSet pods run on every node: passed through unchanged"
	default:
		out.Note = "not a Pod or a workload with a pod template: passed through unchanged"
	}
	return out, nil
}

func namespaceLabels(common map[string]string, name string) map[string]string {
	labels := maps.Clone(common)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[corev1.LabelMetadataName] = name
	return labels
}

func mutatePod(obj Object, ns policy.Namespace, set *policy.Set, out Outcome) (Outcome, error) {
	var pod corev1.Pod
	if err := convert(obj, &pod); err != nil {
		return out, fmt.Errorf("pod %s: %w", out.Name, err)
	}
	res := policy.Apply(&pod, set, ns)
	out.Result = res
	if !res.Changed {
		return out, nil
	}
	ops, err := policy.Patch(&pod, res.Pod)
	if err != nil {
		return out, fmt.Errorf("pod %s: %w", out.Name, err)
	}
	return applyOps(obj, nil, ops, out)
}

func mutateTemplate(obj Object, path []string, ownerKind string, ns policy.Namespace, set *policy.Set, out Outcome) (Outcome, error) {
	raw, ok := lookup(obj, path)
	if !ok {
		out.Note = out.Kind + " without a pod template: passed through unchanged"
		return out, nil
	}
	var tmpl corev1.PodTemplateSpec
	if err := convert(raw, &tmpl); err != nil {
		return out, fmt.Errorf("%s %s: pod template: %w", out.Kind, out.Name, err)
	}
	// The pod the controller will create: in the namespace, owned by the
	// controller that replicates it.
	pod := &corev1.Pod{ObjectMeta: *tmpl.ObjectMeta.DeepCopy(), Spec: tmpl.Spec}
	pod.Namespace = ns.Name
	pod.OwnerReferences = append(pod.OwnerReferences, metav1.OwnerReference{
		APIVersion: "apps/v1", Kind: ownerKind, Name: out.Name, Controller: ptr.To(true),
	})
	res := policy.Apply(pod, set, ns)
	out.Result = res
	if !res.Changed {
		return out, nil
	}
	// Only the fields the mutators change are diffed, so the namespace and
	// owner given to the pod above never reach the template's patch.
	ops, err := policy.Patch(&corev1.Pod{ObjectMeta: tmpl.ObjectMeta, Spec: tmpl.Spec}, res.Pod)
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", out.Kind, out.Name, err)
	}
	return applyOps(obj, path, ops, out)
}

// applyOps prefixes the template's operations with its path and applies them
// with the JSON patch library the API server uses, to the object as written.
func applyOps(obj Object, path []string, ops []jsonpatch.JsonPatchOperation, out Outcome) (Outcome, error) {
	prefix := ""
	for _, p := range path {
		prefix += "/" + p
	}
	for i := range ops {
		ops[i].Path = prefix + ops[i].Path
	}
	doc := ensureMaps(obj, slices.Concat(path, []string{"metadata"}), slices.Concat(path, []string{"spec"}))
	docJSON, err := json.Marshal(doc)
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", out.Kind, out.Name, err)
	}
	patchJSON, err := json.Marshal(ops)
	if err != nil {
		return out, fmt.Errorf("%s %s: marshal patch: %w", out.Kind, out.Name, err)
	}
	patch, err := jsonpatchv4.DecodePatch(patchJSON)
	if err != nil {
		return out, fmt.Errorf("%s %s: decode patch: %w", out.Kind, out.Name, err)
	}
	patched, err := patch.Apply(docJSON)
	if err != nil {
		return out, fmt.Errorf("%s %s: apply patch: %w", out.Kind, out.Name, err)
	}
	var mutated Object
	if err := json.Unmarshal(patched, &mutated); err != nil {
		return out, fmt.Errorf("%s %s: %w", out.Kind, out.Name, err)
	}
	out.Mutated, out.Patch = mutated, ops
	return out, nil
}

// ensureMaps returns a copy of obj in which the maps at the given paths
// exist, since a patch computed on the typed form may add below them.
func ensureMaps(obj Object, paths ...[]string) Object {
	root := deepCopy(obj)
	for _, path := range paths {
		node := root
		for _, key := range path {
			next, ok := node[key].(Object)
			if !ok {
				next = Object{}
				node[key] = next
			}
			node = next
		}
	}
	return root
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

func convert(in Object, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

func deepCopy(obj Object) Object {
	raw, _ := json.Marshal(obj)
	var out Object
	_ = json.Unmarshal(raw, &out)
	return out
}
