package explain

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TestNodeReasons checks every kind of node line: feasible with its score,
// and each first reason in the scheduler's filter order.
func TestNodeReasons(t *testing.T) {
	nodes := cluster()
	cordoned := testNode("special01", "zone-c")
	cordoned.Spec.Unschedulable = true
	nodes = append(nodes, cordoned)
	pod := testPod(t, poolPod)
	pod.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("20")
	pods := []corev1.Pod{boundPod("big", "fallback01-zone-b", "16", corev1.PodRunning),
		boundPod("done", "fallback01-zone-a", "32", corev1.PodSucceeded)}
	r := Explain(Input{Pod: pod, Nodes: nodes, Pods: pods})
	tests := []struct {
		node, reason string
		feasible     bool
		raw, score   int64
		sched        []string
	}{
		{node: "special01-zone-a", feasible: true, raw: 100, score: 100},
		{node: "fallback01-zone-a", feasible: true, raw: 10, score: 10},
		{node: "fallback01-zone-b", reason: "does not fit: cpu short 4 (requests 20, free 16 of 32)", raw: 10, sched: []string{"Insufficient cpu"}},
		{node: "general-zone-a", reason: "required dedicated In [special01,fallback01] unmet (node has no dedicated)", sched: []string{ReasonAffinity}},
		{node: "special01-zone-c", reason: "node is cordoned (unschedulable)", sched: []string{ReasonUnschedulable}},
	}
	for _, tt := range tests {
		t.Run(tt.node, func(t *testing.T) {
			l := lineOf(t, r, tt.node)
			got := []any{l.Feasible, l.Reason, l.Raw, l.Score, l.SchedulerReasons}
			want := []any{tt.feasible, tt.reason, tt.raw, tt.score, tt.sched}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	pod.Spec.Tolerations = pod.Spec.Tolerations[:1]
	r = Explain(Input{Pod: pod, Nodes: nodes})
	if l := lineOf(t, r, "fallback01-zone-a"); l.Reason != "untolerated taint dedicated=fallback01:NoSchedule" {
		t.Errorf("fallback01 without its toleration: %q", l.Reason)
	}
	zonePinned := testPod(t, poolPod)
	r = Explain(Input{Pod: zonePinned, Nodes: append(nodes, testNode("fallback01", "zone-c"))})
	if l := lineOf(t, r, "fallback01-zone-c"); l.Reason != "zone not allowed: topology.kubernetes.io/zone=zone-c (required topology.kubernetes.io/zone In [zone-a,zone-b])" {
		t.Errorf("zone-c: %q", l.Reason)
	}
}

// TestNothingFits checks the scheduler's message and the pool to grow.
func TestNothingFits(t *testing.T) {
	var pods []corev1.Pod
	for _, n := range []string{"special01-zone-a", "special01-zone-b", "fallback01-zone-a", "fallback01-zone-b"} {
		pods = append(pods, boundPod("big-"+n, n, "32", corev1.PodRunning))
	}
	r := Explain(Input{Pod: testPod(t, poolPod), Nodes: cluster(), Pods: pods})
	want := "0/7 nodes are available: 3 node(s) didn't match Pod's node affinity/selector, 4 Insufficient cpu."
	if r.Verdict.Fits || r.Verdict.Unschedulable != want {
		t.Errorf("verdict %+v, want unschedulable %q", r.Verdict, want)
	}
	if !strings.HasPrefix(r.Verdict.Grow, "Pool special01 (dedicated=special01) would have to grow") {
		t.Errorf("grow %q, want special01, the preferred pool whose Nodes lack only resources", r.Verdict.Grow)
	}
}

// TestRequests checks that requests come from the API's arithmetic: the
// largest init container (with the sidecars started before it), or the
// containers plus sidecars, plus the pod overhead.
func TestRequests(t *testing.T) {
	pod := testPod(t, `
metadata: {name: p, namespace: demo}
spec:
  overhead: {cpu: 100m}
  initContainers:
  - {name: sidecar, image: s, restartPolicy: Always, resources: {requests: {cpu: 500m}}}
  - {name: init, image: i, resources: {requests: {cpu: "2"}}}
  containers:
  - {name: main, image: m, resources: {requests: {cpu: "1"}}}
`)
	r := Explain(Input{Pod: pod, Nodes: cluster()})
	if got := r.Requests[corev1.ResourceCPU]; got.Cmp(resource.MustParse("2600m")) != 0 {
		t.Errorf("cpu request %s, want 2600m (init 2 + sidecar 500m + overhead 100m)", got.String())
	}
}

// TestOtherScores checks when explain says other scores may decide: a
// ReplicaSet's pod (default topology spreading), a zone weight that brings
// NodeAffinity within the resource scores' reach, and not for a bare pod
// with the pools' gap of 90.
func TestOtherScores(t *testing.T) {
	bare := testPod(t, poolPod)
	if v := Explain(Input{Pod: bare, Nodes: cluster()}).Verdict; v.OtherScores != "" || !v.Fits {
		t.Errorf("bare pod: %+v, want NodeAffinity to decide", v)
	}
	owned := bare.DeepCopy()
	owned.OwnerReferences = append(owned.OwnerReferences, ownerRef("ReplicaSet"))
	if v := Explain(Input{Pod: owned, Nodes: cluster()}).Verdict; !strings.Contains(v.OtherScores, "default topology spreading (ReplicaSet pod)") {
		t.Errorf("ReplicaSet pod: %q", v.OtherScores)
	}
	svc := corev1.Service{}
	svc.Name, svc.Namespace, svc.Spec.Selector = "web", "demo", map[string]string{"app": "web"}
	if v := Explain(Input{Pod: bare, Nodes: cluster(), Services: []corev1.Service{svc}}).Verdict; !strings.Contains(v.OtherScores, "Service web") {
		t.Errorf("pod of a Service: %q", v.OtherScores)
	}
	zoned := bare.DeepCopy()
	na := zoned.Spec.Affinity.NodeAffinity
	na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution,
		corev1.PreferredSchedulingTerm{Weight: 100, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{
			{Key: "topology.kubernetes.io/zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"zone-b"}}}}})
	// The README's case: special01's zone-b Node is full.
	full := []corev1.Pod{boundPod("big", "special01-zone-b", "32", corev1.PodRunning)}
	v := Explain(Input{Pod: zoned, Nodes: cluster(), Pods: full}).Verdict
	if diff := cmp.Diff([]string{"fallback01-zone-b"}, v.Best); diff != "" {
		t.Errorf("zone weight 100: best (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(v.OtherScores, "special01-zone-a (NodeAffinity 90) trails by 20") {
		t.Errorf("zone weight 100: %q", v.OtherScores)
	}
}

// TestBoundPod checks the verdict on a pod already running.
func TestBoundPod(t *testing.T) {
	pod := testPod(t, poolPod)
	pod.Spec.NodeName = "fallback01-zone-a"
	pod.UID = "u1"
	self := *pod.DeepCopy()
	r := Explain(Input{Pod: pod, Nodes: cluster(), Pods: []corev1.Pod{self}})
	if want := "bound to fallback01-zone-a: feasible, NodeAffinity 10 (not the best)"; !strings.Contains(r.Verdict.Text, want) {
		t.Errorf("verdict %q, want %q (the pod itself uses no room)", r.Verdict.Text, want)
	}
}

// TestNotEvaluated checks that the verdict names the filters explain does
// not run for a pod subject to them.
func TestNotEvaluated(t *testing.T) {
	pod := testPod(t, poolPod)
	pod.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}
	pod.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
	pod.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: corev1.DoNotSchedule}}
	v := Explain(Input{Pod: pod, Nodes: cluster()}).Verdict
	if diff := cmp.Diff([]string{"topology spread constraints", "host ports", "volumes"}, v.NotEvaluated); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(v.Text, "; not evaluated: topology spread constraints, host ports, volumes") {
		t.Errorf("verdict %q", v.Text)
	}
}
