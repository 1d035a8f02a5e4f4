package rebalance

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/poolpatch/poolpatch/policy"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const testPolicies = `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: executors}
spec:
  match: {podSelector: {matchLabels: {role: executor}}}
  pools: [{name: special01, weight: 100}, {name: fallback01, weight: 10}]
  strictPools: false
  rebalance: {after: 1m, maxPerMinute: 2}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: drivers}
spec:
  match: {podSelector: {matchLabels: {role: driver}}}
  pools: [{name: special01, weight: 100}, {name: fallback01, weight: 10}]
`

func loadSet(t *testing.T) *policy.Set {
	t.Helper()
	set, err := policy.Load(policy.Source{Name: "test.yaml", Data: []byte(testPolicies)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return set
}

// node is a Node of pool with cpu cores, tainted as poolpatch's pools are.
func node(name, pool string, cpu string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("16Gi"),
			corev1.ResourcePods: resource.MustParse("110")}}}
	if pool != "" {
		n.Labels[policy.DefaultPoolKey] = pool
		n.Spec.Taints = []corev1.Taint{{Key: policy.DefaultPoolKey, Value: pool, Effect: corev1.TaintEffectNoSchedule}}
	}
	return n
}

// template is the pod an owner of role would create: one container asking cpu.
func template(role, cpu string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "batch", Labels: map[string]string{"role": role}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}}}
}

// running is template's pod as the engine mutated it, owned by kind,
// bound to nodeName since scheduled.
func running(t *testing.T, set *policy.Set, name string, tmpl *corev1.Pod, kind, nodeName string, scheduled time.Time) *corev1.Pod {
	t.Helper()
	res := policy.Apply(tmpl, set, policy.Namespace{Name: "batch"}, policy.Options{})
	pod := res.Pod.DeepCopy()
	pod.Name, pod.UID = name, types.UID("uid-"+name)
	pod.CreationTimestamp = metav1.NewTime(scheduled.Add(-time.Second))
	if kind != "" {
		pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: "owner",
			UID: types.UID("owner-" + kind), Controller: ptr.To(true)}}
		if kind == "Job" {
			pod.OwnerReferences[0].APIVersion = "batch/v1"
		}
	}
	pod.Spec.NodeName = nodeName
	pod.Status.Phase = corev1.PodRunning
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue,
		LastTransitionTime: metav1.NewTime(scheduled)}}
	return pod
}

// replacementOf is what the owner of pod would create now: its template,
// mutated by the current set.
func replacementOf(set *policy.Set, tmpl *corev1.Pod) *corev1.Pod {
	return policy.Apply(tmpl, set, policy.Namespace{Name: "batch"}, policy.Options{}).Pod
}
