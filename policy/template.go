package policy

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// templateOwners maps a workload kind to the kind of the controller that
// owns the pods made from its template, which decides how the autoscaler
// treats them (eviction: local-volumes).
var templateOwners = map[string]metav1.TypeMeta{
	"Deployment":            {APIVersion: "apps/v1", Kind: "ReplicaSet"},
	"ReplicaSet":            {APIVersion: "apps/v1", Kind: "ReplicaSet"},
	"StatefulSet":           {APIVersion: "apps/v1", Kind: "StatefulSet"},
	"ReplicationController": {APIVersion: "v1", Kind: "ReplicationController"},
	"Job":                   {APIVersion: "batch/v1", Kind: "Job"},
	"CronJob":               {APIVersion: "batch/v1", Kind: "Job"},
}

// TemplatePod returns the pod that the controller of a workload of the given
// kind and name will create from tmpl in namespace: the template's metadata
// and spec, in the namespace, owned by that controller. It reports false for
// a kind that has no pod template poolpatch mutates (DaemonSets among them:
// their pods are never mutated). Apply's patch for this pod applies to the
// template, with PatchAt(the template's path): the namespace and owner set
// here are never written by a mutator.
func TemplatePod(kind, name, namespace string, tmpl *corev1.PodTemplateSpec) (*corev1.Pod, bool) {
	owner, ok := templateOwners[kind]
	if !ok {
		return nil, false
	}
	pod := &corev1.Pod{ObjectMeta: tmpl.ObjectMeta, Spec: tmpl.Spec}
	pod.Namespace = namespace
	pod.OwnerReferences = append(pod.OwnerReferences[:len(pod.OwnerReferences):len(pod.OwnerReferences)], metav1.OwnerReference{
		APIVersion: owner.APIVersion, Kind: owner.Kind, Name: name, Controller: ptr.To(true),
	})
	return pod, true
}
