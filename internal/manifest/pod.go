package manifest

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// PodOf returns the pod an object stands for, as MutateObject mutates it: a
// Pod itself, or the pod a workload's controller creates from its template
// (in the namespace, owned by that controller). ok is false for every other
// kind, DaemonSets included, and for a workload without a template.
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
	owner, isWorkload := templateOwners[kind]
	if !isWorkload {
		return nil, false, nil
	}
	raw, found := lookup(obj, owner.path)
	if !found {
		return nil, false, nil
	}
	var tmpl corev1.PodTemplateSpec
	if err := convert(raw, &tmpl); err != nil {
		return nil, false, fmt.Errorf("%s %s: pod template: %w", kind, name, err)
	}
	pod = &corev1.Pod{ObjectMeta: tmpl.ObjectMeta, Spec: tmpl.Spec}
	pod.Namespace = namespace
	if pod.Name == "" && pod.GenerateName == "" {
		pod.GenerateName = name + "-"
	}
	pod.OwnerReferences = append(pod.OwnerReferences, metav1.OwnerReference{
		APIVersion: "apps/v1", Kind: owner.owner, Name: name, Controller: ptr.To(true),
	})
	return pod, true, nil
}
