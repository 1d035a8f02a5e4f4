package scenarios_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/internal/manifest"
)

// mutatedFields is what scenario 7 compares between a stored pod and the
// pod `poolpatch mutate` makes of the same manifest. Other fields differ
// for good reasons: defaults the API server applies after the patch, the
// random name of the service-account token volume.
type mutatedFields struct {
	Tolerations    []corev1.Toleration
	Affinity       *corev1.Affinity
	Annotations    map[string]string
	SizeLimits     map[string]string // emptyDir name -> sizeLimit
	InitContainers []initContainer
}

// initContainer is what identifies an (injected) init container.
type initContainer struct {
	Name, Image string
	Command     []string
}

// fieldsOf extracts the compared fields of a pod.
func fieldsOf(pod *corev1.Pod) mutatedFields {
	f := mutatedFields{Tolerations: pod.Spec.Tolerations, Affinity: pod.Spec.Affinity,
		Annotations: pod.Annotations, SizeLimits: map[string]string{}}
	for _, v := range pod.Spec.Volumes {
		if v.EmptyDir != nil && v.EmptyDir.SizeLimit != nil {
			f.SizeLimits[v.Name] = v.EmptyDir.SizeLimit.String()
		}
	}
	for _, c := range pod.Spec.InitContainers {
		f.InitContainers = append(f.InitContainers, initContainer{Name: c.Name, Image: c.Image, Command: c.Command})
	}
	return f
}

// controllerAnnotations are set on pods by Kubernetes controllers, never by
// poolpatch.
var controllerAnnotations = []string{"batch.kubernetes.io/job-completion-index"}

// storedFields extracts the compared fields of a stored pod, leaving out
// what Kubernetes itself adds: the not-ready/unreachable NoExecute
// tolerations of the DefaultTolerationSeconds plugin and, for a pod the
// DaemonSet controller made, its node.kubernetes.io tolerations and the
// required node affinity it replaces with the pod's node, and the job
// controller's completion index annotation.
func storedFields(stored *corev1.Pod, want mutatedFields, daemonPod bool) mutatedFields {
	f := fieldsOf(stored.DeepCopy())
	for _, k := range controllerAnnotations {
		if _, ok := want.Annotations[k]; !ok {
			delete(f.Annotations, k)
		}
	}
	f.Tolerations = slices.DeleteFunc(slices.Clone(f.Tolerations), func(t corev1.Toleration) bool {
		if slices.ContainsFunc(want.Tolerations, func(w corev1.Toleration) bool { return w.MatchToleration(&t) }) {
			return false
		}
		if daemonPod {
			return strings.HasPrefix(t.Key, "node.kubernetes.io/")
		}
		return t.Effect == corev1.TaintEffectNoExecute &&
			(t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable)
	})
	if daemonPod && f.Affinity != nil && f.Affinity.NodeAffinity != nil {
		f.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = nil
	}
	return f
}

// withoutRequired drops the required node affinity (for DaemonSet pods).
func withoutRequired(f mutatedFields) mutatedFields {
	if f.Affinity != nil && f.Affinity.NodeAffinity != nil {
		f.Affinity = f.Affinity.DeepCopy()
		f.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = nil
	}
	return f
}

// fieldsDiff compares the fields, treating nil and empty alike.
func fieldsDiff(want, got mutatedFields) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty(), cmp.Transformer("emptyAffinity", emptyToNil))
}

// emptyToNil turns an Affinity without any rule into nil.
func emptyToNil(a *corev1.Affinity) *corev1.Affinity {
	if a == nil {
		return nil
	}
	out := a.DeepCopy()
	if na := out.NodeAffinity; na != nil && na.RequiredDuringSchedulingIgnoredDuringExecution == nil && len(na.PreferredDuringSchedulingIgnoredDuringExecution) == 0 {
		out.NodeAffinity = nil
	}
	if out.NodeAffinity == nil && out.PodAffinity == nil && out.PodAntiAffinity == nil {
		return nil
	}
	return out
}

// templatePaths are where each workload kind keeps its pod template.
var templatePaths = map[string][]string{
	"Deployment": {"spec", "template"}, "ReplicaSet": {"spec", "template"},
	"StatefulSet": {"spec", "template"}, "Job": {"spec", "template"},
	"DaemonSet": {"spec", "template"}, "CronJob": {"spec", "jobTemplate", "spec", "template"},
}

// expectedPod is the pod `poolpatch mutate` made of an object: the mutated
// Pod itself, or a pod with the mutated template of a workload.
func expectedPod(mutated manifest.Object) (*corev1.Pod, error) {
	kind, _ := mutated["kind"].(string)
	obj := mutated
	if kind != "Pod" {
		for _, key := range templatePaths[kind] {
			next, ok := obj[key].(manifest.Object)
			if !ok {
				return nil, fmt.Errorf("%s without a pod template", kind)
			}
			obj = next
		}
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	pod := &corev1.Pod{}
	if err := json.Unmarshal(raw, pod); err != nil {
		return nil, fmt.Errorf("decode %s as a pod: %w", kind, err)
	}
	return pod, nil
}
