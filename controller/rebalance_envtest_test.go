package controller

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/poolpatch/poolpatch/policy"
)

const rebalanceStream = `apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: services}
spec:
  match: {podSelector: {matchLabels: {tier: services}}}
  pools: [{name: special01, weight: 100}, {name: fallback01, weight: 10}]
  rebalance: {after: 10s, maxPerMinute: 10}
`

// TestRebalancer runs the rebalancer against a real API server (no
// scheduler, no kubelet: an evicted pod stays Terminating). special01 has
// room for four 1-CPU pods. Of the pods on fallback01, web's three (a
// ReplicaSet's) are evicted with an Event each; guarded's, whose PDB
// allows no disruption (no disruption controller runs here to raise it),
// is refused with a 429 and counted as pdb; a bare pod, a pod of a
// namespace not opted in, and a pod scheduled 5 s ago stay.
func TestRebalancer(t *testing.T) {
	f := startFixture(t)
	ctx := t.Context()
	for name, labels := range map[string]map[string]string{"apps": {EnabledNamespaceLabel: "true"}, "elsewhere": nil} {
		if _, err := f.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	f.createNode(t, "s1", "special01")
	f.createNode(t, "f1", "fallback01")
	web := f.createReplicaSet(t, "apps", "web")
	guarded := f.createReplicaSet(t, "apps", "guarded")
	stranger := f.createReplicaSet(t, "elsewhere", "web")
	recent := f.createReplicaSet(t, "apps", "recent")
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "guarded"}, Spec: policyv1.PodDisruptionBudgetSpec{
		MinAvailable: ptr.To(intstr.FromInt32(1)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "guarded"}}}}
	if _, err := f.kube.PolicyV1().PodDisruptionBudgets("apps").Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-time.Hour)
	for i := range 3 {
		f.createPod(t, fmt.Sprintf("web-%d", i), web, long)
	}
	f.createPod(t, "guarded-0", guarded, long)
	f.createPod(t, "stranger-0", stranger, long)
	f.createPod(t, "recent-0", recent, time.Now().Add(-5*time.Second))
	f.createPod(t, "bare", &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "bare"}}, long)

	src := &policies{}
	src.set.Store(rebalanceSet(t))
	skipsBefore := map[string]float64{}
	for _, reason := range []string{"pdb", "bare-pod", "too-recent"} {
		skipsBefore[reason] = testutil.ToFloat64(rebalanceSkips.WithLabelValues("services", reason))
	}
	o := Options{Rebalance: true, RebalanceInterval: time.Second, Namespace: testNamespace, LeaderElectionID: DefaultLeaderElectionID,
		Elector: Elector{LeaseDuration: 4 * time.Second, RenewDeadline: 3 * time.Second, RetryPeriod: 250 * time.Millisecond}}
	f.startReplica(t, "rebalance", src, o)

	took := eventually(t, "web's pods evicted", 30*time.Second, func() error {
		for i := range 3 {
			if p := f.pod(t, "apps", fmt.Sprintf("web-%d", i)); p != nil && p.DeletionTimestamp == nil {
				return fmt.Errorf("%s not evicted: %w", p.Name, errNotYet)
			}
		}
		if testutil.ToFloat64(rebalanceSkips.WithLabelValues("services", "pdb")) == skipsBefore["pdb"] {
			return fmt.Errorf("guarded's eviction not refused yet: %w", errNotYet)
		}
		return nil
	})
	t.Logf("web's three pods evicted and guarded's refused %s after the rebalancer started", took.Round(10*time.Millisecond))
	time.Sleep(2 * time.Second) // two more passes, which must evict nothing else
	for _, ref := range [][2]string{{"apps", "guarded-0"}, {"elsewhere", "stranger-0"}, {"apps", "recent-0"}, {"apps", "bare"}} {
		if p := f.pod(t, ref[0], ref[1]); p == nil || p.DeletionTimestamp != nil {
			t.Errorf("%s/%s was evicted", ref[0], ref[1])
		}
	}
	for _, reason := range []string{"bare-pod", "too-recent"} {
		if testutil.ToFloat64(rebalanceSkips.WithLabelValues("services", reason)) == skipsBefore[reason] {
			t.Errorf("no %s skip counted", reason)
		}
	}
	events, err := f.kube.CoreV1().Events("apps").List(ctx, metav1.ListOptions{FieldSelector: "reason=Rebalanced"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events.Items) != 3 {
		t.Errorf("%d Rebalanced Events, want 3 (one per web pod)", len(events.Items))
	}
}

// createNode creates a Node of pool with 4 CPUs allocatable, tainted as
// poolpatch's pools are.
func (f *fixture) createNode(t *testing.T, name, pool string) {
	t.Helper()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{policy.DefaultPoolKey: pool}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: policy.DefaultPoolKey, Value: pool, Effect: corev1.TaintEffectNoSchedule}}}}
	node, err := f.kube.CoreV1().Nodes().Create(t.Context(), node, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("16Gi"), corev1.ResourcePods: resource.MustParse("110")}
	node.Status.Capacity = node.Status.Allocatable
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	if node, err = f.kube.CoreV1().Nodes().UpdateStatus(t.Context(), node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The API server taints a new Node not-ready; without a node lifecycle
	// controller here to lift it, the test does.
	node.Spec.Taints = node.Spec.Taints[:1]
	if _, err := f.kube.CoreV1().Nodes().Update(t.Context(), node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// createReplicaSet creates a ReplicaSet of 1-CPU pods of the services policy
// (no controller-manager runs: it creates no pod).
func (f *fixture) createReplicaSet(t *testing.T, ns, name string) *appsv1.ReplicaSet {
	t.Helper()
	labels := map[string]string{"tier": "services", "app": name}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.ReplicaSetSpec{
		Replicas: ptr.To[int32](0), Selector: &metav1.LabelSelector{MatchLabels: labels},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: oneCPU()}}}
	rs, err := f.kube.AppsV1().ReplicaSets(ns).Create(t.Context(), rs, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func oneCPU() corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "app",
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}}}}
}

// createPod creates the pod the webhook would have admitted from owner's
// template (a bare pod when owner has no UID), Running on f1 since scheduled.
func (f *fixture) createPod(t *testing.T, name string, owner *appsv1.ReplicaSet, scheduled time.Time) {
	t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: owner.Namespace,
		Labels: map[string]string{"tier": "services", "app": owner.Name}}, Spec: oneCPU()}
	if owner.UID != "" {
		pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: owner.Name, UID: owner.UID, Controller: ptr.To(true)}}
	}
	pod = policy.Apply(pod, rebalanceSet(t), policy.Namespace{Name: owner.Namespace}, policy.Options{}).Pod
	pod.Spec.NodeName = "f1"
	pod, err := f.kube.CoreV1().Pods(owner.Namespace).Create(t.Context(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Phase = corev1.PodRunning
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(scheduled)},
		{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(scheduled)}}
	if _, err := f.kube.CoreV1().Pods(owner.Namespace).UpdateStatus(t.Context(), pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func rebalanceSet(t *testing.T) *policy.Set {
	t.Helper()
	set, err := policy.Load(policy.Source{Name: "rebalance.yaml", Data: []byte(rebalanceStream)})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// pod reads a pod, or nil when it is gone.
func (f *fixture) pod(t *testing.T, ns, name string) *corev1.Pod {
	t.Helper()
	p, err := f.kube.CoreV1().Pods(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return p
}
