package explain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

func nodePool(t *testing.T, manifest string) NodePool {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(manifest), &obj); err != nil {
		t.Fatal(err)
	}
	np, err := NodePoolFromObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	return np
}

// TestNodePools checks each NodePool verdict and Karpenter's order: the
// heaviest preferred term first as a requirement, NodePools by weight within
// a round.
func TestNodePools(t *testing.T) {
	pools := []NodePool{
		nodePool(t, `{kind: NodePool, metadata: {name: fallback}, spec: {weight: 50, template: {metadata: {labels: {dedicated: fallback01}},
  spec: {taints: [{key: dedicated, value: fallback01, effect: NoSchedule}]}}}}`),
		nodePool(t, `{kind: NodePool, metadata: {name: special}, spec: {weight: 10, template: {metadata: {labels: {dedicated: special01}},
  spec: {taints: [{key: dedicated, value: special01, effect: NoSchedule}],
  requirements: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-a, zone-c]}]}}}}`),
		nodePool(t, `{kind: NodePool, metadata: {name: special-full}, spec: {weight: 90, limits: {cpu: "64"}, template: {metadata: {labels: {dedicated: special01}},
  spec: {taints: [{key: dedicated, value: special01, effect: NoSchedule}]}}}, status: {resources: {cpu: "64"}}}`),
		nodePool(t, `{kind: NodePool, metadata: {name: gpu}, spec: {weight: 100, template: {spec: {taints: [{key: nvidia.com/gpu, effect: NoSchedule}]}}}}`),
		nodePool(t, `{kind: NodePool, metadata: {name: general}, spec: {weight: 100}}`),
		nodePool(t, `{kind: NodePool, metadata: {name: zone-c-only}, spec: {template: {metadata: {labels: {dedicated: special01}},
  spec: {requirements: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-c]}]}}}}`),
	}
	pod := testPod(t, poolPod)
	pod.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("1")
	got := explainNodePools(pod, pools, podRequests(pod), nil)
	want := []NodePoolLine{
		{NodePool: "special", Weight: 10, Possible: true, Order: 1, Preference: "dedicated In [special01] (weight 100)"},
		{NodePool: "fallback", Weight: 50, Possible: true, Order: 2, Preference: "dedicated In [fallback01] (weight 10)"},
		{NodePool: "general", Weight: 100, Reason: "requirements incompatible with the pod's required node affinity"},
		{NodePool: "gpu", Weight: 100, Reason: "untolerated taint nvidia.com/gpu:NoSchedule"},
		{NodePool: "special-full", Weight: 90, Reason: "limits: cpu 64 used of 64, the pod requests 1"},
		{NodePool: "zone-c-only", Reason: "requirements incompatible with the pod's required node affinity"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestNodePoolsOwnNode checks that a bound pod's own Node does not count
// against the limits of the NodePool that made it (Karpenter chose the
// NodePool before that Node existed), and only against that NodePool's.
func TestNodePoolsOwnNode(t *testing.T) {
	full := nodePool(t, `{kind: NodePool, metadata: {name: special01}, spec: {weight: 0, limits: {cpu: "8", nodes: "2"},
  template: {metadata: {labels: {dedicated: special01}}, spec: {taints: [{key: dedicated, value: special01, effect: NoSchedule}]}}},
  status: {resources: {cpu: "8", nodes: "2", pods: "220"}}}`)
	fallback := nodePool(t, `{kind: NodePool, metadata: {name: fallback01}, spec: {template: {metadata: {labels: {dedicated: fallback01}},
  spec: {taints: [{key: dedicated, value: fallback01, effect: NoSchedule}]}}}, status: {resources: {cpu: "4", nodes: "1"}}}`)
	karpenterNode := func(name, pool string) corev1.Node {
		n := testNode(pool, "zone-a")
		n.Name = name
		n.Labels[NodePoolLabel] = pool
		n.Status.Capacity = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110")}
		return n
	}
	nodes := []corev1.Node{karpenterNode("special01-a", "special01"), karpenterNode("special01-b", "special01"), karpenterNode("fallback01-a", "fallback01")}
	limited := "limits: cpu 8 used of 8, the pod requests 1"
	for _, tc := range []struct {
		name, boundTo string
		want          []NodePoolLine
	}{
		{"pending", "", []NodePoolLine{
			{NodePool: "fallback01", Possible: true, Order: 1, Preference: "dedicated In [fallback01] (weight 10)"},
			{NodePool: "special01", Reason: limited},
		}},
		{"on a special01 Node it filled", "special01-b", []NodePoolLine{
			{NodePool: "special01", Possible: true, Order: 1, Preference: "dedicated In [special01] (weight 100)", OwnNode: "special01-b"},
			{NodePool: "fallback01", Possible: true, Order: 2, Preference: "dedicated In [fallback01] (weight 10)"},
		}},
		{"on a fallback01 Node", "fallback01-a", []NodePoolLine{
			{NodePool: "fallback01", Possible: true, Order: 1, Preference: "dedicated In [fallback01] (weight 10)", OwnNode: "fallback01-a"},
			{NodePool: "special01", Reason: limited},
		}},
		{"on a Node explain was not given", "gone", []NodePoolLine{
			{NodePool: "fallback01", Possible: true, Order: 1, Preference: "dedicated In [fallback01] (weight 10)"},
			{NodePool: "special01", Reason: limited},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := testPod(t, poolPod)
			pod.Spec.NodeName = tc.boundTo
			got := Explain(Input{Pod: pod, Stored: true, Nodes: nodes, NodePools: []NodePool{full, fallback}}).NodePools
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if full.Used.Cpu().String() != "8" {
		t.Errorf("Explain modified its input: special01 uses %s CPU", full.Used.Cpu())
	}
}

func TestNodePoolFromObjectErrors(t *testing.T) {
	for _, obj := range []map[string]any{{"kind": "Node", "metadata": map[string]any{"name": "n"}}, {"kind": "NodePool"}} {
		if _, err := NodePoolFromObject(obj); err == nil {
			t.Errorf("%v: no error", obj)
		}
	}
	if _, err := NodePoolFromObject(map[string]any{"kind": "NodePool", "metadata": map[string]any{"name": "x"}, "spec": "no"}); err == nil {
		t.Error("spec a string: no error")
	}
}
