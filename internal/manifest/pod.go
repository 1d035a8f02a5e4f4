package manifest

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// PodOf returns the pod an object stands for, as MutateObject mutates it: a
// Pod itself, or the pod a workload's controller creates from its template
// (policy.TemplatePod). ok is false for every other kind, DaemonSets
// included, and for a workload without a template.
func PodOf(obj Object, defaultNamespace string) (pod *corev1.Pod, ok bool, err error) {
	kind := kindOf(obj)
	meta, _ := obj["metadata"].(Object)
	name, _ := meta["name"].(string)
	namespace, _ := meta["namespace"].(string)
	if namespace == "" {
		namespace = defaultNamespace
	}
	if kind == "Pod" {
		pod = &corev1.Pod{}
		if err := convert(obj, pod); err != nil {
			return nil, false, fmt.Errorf("pod %s: %w", name, err)
		}
		pod.Namespace = namespace
		return pod, true, nil
	}
	path, isWorkload := templatePaths[kind]
	if !isWorkload {
		return nil, false, nil
	}
	raw, found := lookup(obj, path)
	if !found {
		return nil, false, nil
	}
	var tmpl corev1.PodTemplateSpec
	if err := convert(raw, &tmpl); err != nil {
		return nil, false, fmt.Errorf("%s %s: pod template: %w", kind, name, err)
	}
	pod, ok = policy.TemplatePod(kind, name, namespace, &tmpl)
	if ok && pod.Name == "" && pod.GenerateName == "" {
		pod.GenerateName = name + "-"
	}
	return pod, ok, nil
}
