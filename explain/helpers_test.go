package explain

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// testNode is a Node of pool in zone, tainted dedicated=pool (none for
// pool ""), with 32 CPUs, 128Gi and 110 pods.
func testNode(pool, zone string) corev1.Node {
	name := pool + "-" + zone
	labels := map[string]string{"topology.kubernetes.io/zone": zone, corev1.LabelHostname: name}
	var taints []corev1.Taint
	if pool != "" {
		labels["dedicated"] = pool
		taints = []corev1.Taint{{Key: "dedicated", Value: pool, Effect: corev1.TaintEffectNoSchedule}}
	} else {
		name = "general-" + zone
	}
	alloc := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("128Gi"),
		corev1.ResourcePods: resource.MustParse("110"),
	}
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
		Status:     corev1.NodeStatus{Allocatable: alloc, Capacity: alloc},
	}
}

// testPod decodes a pod written inline, strictly.
func testPod(t *testing.T, manifest string) *corev1.Pod {
	t.Helper()
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict([]byte(manifest), &pod); err != nil {
		t.Fatalf("decode pod: %v", err)
	}
	return &pod
}

// poolPod is the web policy's pod: tolerates special01 and fallback01,
// requires them, prefers special01 (100) over fallback01 (10), and may
// carry more preferred terms and an owner.
const poolPod = `
metadata: {name: web-1, namespace: demo, labels: {app: web}}
spec:
  containers: [{name: main, image: web:1, resources: {requests: {cpu: "1", memory: 1Gi}}}]
  tolerations:
  - {key: dedicated, operator: Equal, value: special01, effect: NoSchedule}
  - {key: dedicated, operator: Equal, value: fallback01, effect: NoSchedule}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: dedicated, operator: In, values: [special01, fallback01]}
          - {key: topology.kubernetes.io/zone, operator: In, values: [zone-a, zone-b]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - {weight: 100, preference: {matchExpressions: [{key: dedicated, operator: In, values: [special01]}]}}
      - {weight: 10, preference: {matchExpressions: [{key: dedicated, operator: In, values: [fallback01]}]}}
`

// boundPod is a pod on node requesting cpu.
func boundPod(name, node, cpu string, phase corev1.PodPhase) corev1.Pod {
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "other"},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}},
		Status: corev1.PodStatus{Phase: phase},
	}
}

// cluster is the fixed-node suite's layout: special01, fallback01 and an
// untainted pool over zone-a, zone-b, plus a general Node in zone-c.
func cluster() []corev1.Node {
	var nodes []corev1.Node
	for _, pool := range []string{"special01", "fallback01", ""} {
		for _, zone := range []string{"zone-a", "zone-b"} {
			nodes = append(nodes, testNode(pool, zone))
		}
	}
	return append(nodes, testNode("", "zone-c"))
}

func lineOf(t *testing.T, r Report, node string) NodeLine {
	t.Helper()
	for _, l := range r.Nodes {
		if l.Node == node {
			return l
		}
	}
	t.Fatalf("no line for node %s in %+v", node, r.Nodes)
	return NodeLine{}
}

func ownerRef(kind string) metav1.OwnerReference {
	yes := true
	return metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: "web-1234", UID: "u", Controller: &yes}
}
