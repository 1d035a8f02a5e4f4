package policy

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// headroomChecked builds the set's chunks and checks the invariants every
// chunk must keep: the requests and matchLabels are the policy's, nothing
// but placement, poolpatch's annotations and safe-to-evict is added, the
// chunk is a fixed point of its view, and its placement is what the policy
// gives its own pods when it is the only policy (ns is a namespace the
// policy matches).
func headroomChecked(t *testing.T, set *Set, maxChunks int, ns Namespace) []Chunk {
	t.Helper()
	chunks, err := set.Headroom(maxChunks)
	if err != nil {
		t.Fatalf("Headroom: %v", err)
	}
	for _, ch := range chunks {
		c := set.policies[slices.Index(set.Names(), ch.Policy)]
		pod := ch.Pod
		if len(pod.Spec.Containers) != 1 || len(pod.Spec.InitContainers) != 0 || len(pod.Spec.Volumes) != 0 {
			t.Errorf("%s: chunk is not one container without init containers or volumes: %+v", ch.Policy, pod.Spec)
		}
		if diff := cmp.Diff(c.spec.Headroom.Requests, pod.Spec.Containers[0].Resources.Requests, quantities); diff != "" {
			t.Errorf("%s: requests (-policy +chunk):\n%s", ch.Policy, diff)
		}
		if sel := c.spec.Match.PodSelector; sel != nil && !maps.Equal(sel.MatchLabels, pod.Labels) {
			t.Errorf("%s: labels %v, want the podSelector's matchLabels %v", ch.Policy, pod.Labels, sel.MatchLabels)
		}
		for key := range pod.Annotations {
			if key != PoliciesAnnotation && key != SafeToEvictAnnotation {
				t.Errorf("%s: annotation %s is not poolpatch's own", ch.Policy, key)
			}
		}
		if pod.Annotations[SafeToEvictAnnotation] != "true" || pod.Annotations[PoliciesAnnotation] != ch.Policy {
			t.Errorf("%s: annotations %v, want safe-to-evict true and the policy's name", ch.Policy, pod.Annotations)
		}
		if pod.Spec.SchedulerName != "" {
			t.Errorf("%s: schedulerName %q, want none", ch.Policy, pod.Spec.SchedulerName)
		}
		view, err := set.headroomView(c)
		if err != nil {
			t.Fatal(err)
		}
		if again := applyHeadroom(pod, view); again.Changed {
			t.Errorf("%s: the chunk is not a fixed point:\n%s", ch.Policy, cmp.Diff(pod, again.Pod, quantities))
		}
		// The engine's own invariants on the chunk builder's path: input
		// untouched, idempotent, its patch reproduces the chunk.
		if checked := applyChecked(t, chunkPod(c), view, Namespace{}); !cmp.Equal(checked.Pod, pod, quantities) {
			t.Errorf("%s: the chunk differs from the engine's result:\n%s", ch.Policy, cmp.Diff(checked.Pod, pod, quantities))
		}
		solo := Apply(chunkPod(c), newSet("", []*compiled{c}), ns, Options{})
		if diff := cmp.Diff(solo.Pod.Spec.Affinity, pod.Spec.Affinity); diff != "" {
			t.Errorf("%s: affinity differs from the policy's own pods (-own +chunk):\n%s", ch.Policy, diff)
		}
		if diff := cmp.Diff(solo.Pod.Spec.Tolerations, pod.Spec.Tolerations); diff != "" {
			t.Errorf("%s: tolerations differ from the policy's own pods (-own +chunk):\n%s", ch.Policy, diff)
		}
	}
	return chunks
}

const headroomPolicies = `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: catch-all}
spec:
  match: {namespaces: [analytics]}
  pools: [{name: general, weight: 50}]
  tolerations: [{key: everyone, operator: Exists}]
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: executors}
spec:
  match: {namespaces: [analytics], podSelector: {matchLabels: {spark-role: executor}}}
  pools:
    - {name: special01, weight: 100, tolerations: [{key: preemptive, operator: Equal, value: "true", effect: NoSchedule}]}
    - {name: fallback01, weight: 10}
  zones: {allowed: [zone-b]}
  tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
  schedulerName: other-scheduler
  emptyDir: {sizeLimit: 1Gi}
  eviction: never
  annotations: {team: data}
  prepull: {images: [registry.example/bert:v3], fromContainers: true}
  headroom: {replicas: 2, requests: {cpu: "4", memory: 16Gi}}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: audited}
spec:
  mode: Audit
  pools: [{name: special01, weight: 100}]
  headroom: {replicas: 3, requests: {cpu: "1"}}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: idle}
spec:
  pools: [{name: special02, weight: 100}]
  headroom: {replicas: 0, requests: {cpu: "1"}}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: zoned}
spec:
  match: {podSelector: {matchLabels: {app: zoned}}}
  pools: [{name: special01, weight: 100}, {name: fallback01, weight: 10}]
  zones: {allowed: [zone-a, zone-b], preferred: [{name: zone-b, weight: 5}], sameZoneBy: job}
  headroom: {replicas: 1, requests: {cpu: "1"}}
`

func TestHeadroomChunk(t *testing.T) {
	set := mustLoad(t, headroomPolicies)
	chunks := headroomChecked(t, set, 3, Namespace{Name: "analytics"})
	if len(chunks) != 2 || chunks[0].Policy != "executors" || chunks[0].Replicas != 2 || chunks[1].Policy != "zoned" {
		t.Fatalf("chunks %+v, want executors' 2 and zoned's 1 (Audit and zero replicas create nothing)", chunks)
	}
	pod := chunks[0].Pod
	// Only executors' own placement: catch-all matches its pods first in the
	// set, but a chunk is built as if its policy were the only one.
	checkNodeAffinity(t, pod,
		[][]corev1.NodeSelectorRequirement{{
			{Key: "dedicated", Operator: corev1.NodeSelectorOpIn, Values: []string{"special01", "fallback01"}},
			{Key: DefaultZoneKey, Operator: corev1.NodeSelectorOpIn, Values: []string{"zone-b"}},
		}},
		[]corev1.PreferredSchedulingTerm{
			{Weight: 100, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "dedicated", Operator: corev1.NodeSelectorOpIn, Values: []string{"special01"}}}}},
			{Weight: 10, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "dedicated", Operator: corev1.NodeSelectorOpIn, Values: []string{"fallback01"}}}}},
		})
	var keys []string
	for _, tol := range pod.Spec.Tolerations {
		keys = append(keys, tol.Key+"="+tol.Value)
	}
	if diff := cmp.Diff([]string{"dedicated=special01", "preemptive=true", "dedicated=fallback01", "gpu="}, keys); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	if want := map[string]string{PoliciesAnnotation: "executors", SafeToEvictAnnotation: "true"}; !maps.Equal(pod.Annotations, want) {
		t.Errorf("annotations %v, want %v", pod.Annotations, want)
	}
	if got := pod.Spec.Containers[0].Resources.Requests[corev1.ResourceMemory]; got.Cmp(resource.MustParse("16Gi")) != 0 {
		t.Errorf("memory request %s, want 16Gi", got.String())
	}
	if !slices.Contains(set.Warnings, "policy audited: headroom is ignored in Audit mode: Audit policies create nothing") {
		t.Errorf("set warnings %q lack the Audit headroom warning", set.Warnings)
	}
}

func TestHeadroomCap(t *testing.T) {
	set := mustLoad(t, headroomPolicies)
	for _, max := range []int{0, 2} {
		chunks, err := set.Headroom(max)
		if !errors.Is(err, ErrHeadroomCap) || chunks != nil {
			t.Errorf("cap %d: got %d chunks, %v; want none and ErrHeadroomCap", max, len(chunks), err)
		}
	}
	if chunks, err := set.Headroom(3); err != nil || len(chunks) != 2 {
		t.Errorf("cap 3: got %d chunks, %v; want 2", len(chunks), err)
	}
	var none *Set
	if chunks, err := none.Headroom(0); err != nil || chunks != nil {
		t.Errorf("nil set: %v, %v", chunks, err)
	}
}

func TestHeadroomWithoutPodSelector(t *testing.T) {
	set := mustLoad(t, policyHeader+"  pools: [{name: special01, weight: 100}]\n  strictPools: false\n  headroom: {replicas: 1, requests: {nvidia.com/gpu: \"1\"}}\n")
	chunks := headroomChecked(t, set, 10, Namespace{Name: "default"})
	if len(chunks) != 1 || len(chunks[0].Pod.Labels) != 0 {
		t.Fatalf("chunks %+v, want one without labels", chunks)
	}
	checkNodeAffinity(t, chunks[0].Pod, nil, []corev1.PreferredSchedulingTerm{
		{Weight: 100, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "dedicated", Operator: corev1.NodeSelectorOpIn, Values: []string{"special01"}}}}},
	})
}

func TestHeadroomErrors(t *testing.T) {
	head := "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  pools: [{name: a, weight: 1}]\n"
	tests := []struct {
		name string
		yaml string
		want []string // "line:col: substring"
	}{
		{"negative replicas", head + "  headroom: {replicas: -1, requests: {cpu: \"1\"}}\n", []string{"6:24: policy p: spec.headroom.replicas: must not be negative"}},
		{"no requests", head + "  headroom: {replicas: 1}\n", []string{"6:13: policy p: spec.headroom.requests: required"}},
		{"bad quantity", head + "  headroom: {replicas: 1, requests: {cpu: lots}}\n", []string{`6:43: spec.headroom.requests.cpu: invalid quantity "lots"`}},
		{"zero and negative quantities", head + "  headroom:\n    replicas: 1\n    requests: {cpu: \"0\", memory: -1Gi}\n", []string{
			"8:21: policy p: spec.headroom.requests.cpu: must be greater than zero",
			"8:34: policy p: spec.headroom.requests.memory: must be greater than zero"}},
		{"resource name", head + "  headroom: {replicas: 1, requests: {gpu: \"1\", \"bad name/x\": \"1\"}}\n", []string{
			`6:43: policy p: spec.headroom.requests.gpu: invalid resource name "gpu": neither a standard`,
			`6:62: policy p: spec.headroom.requests.bad name/x: invalid resource name`}},
		{"unknown field", head + "  headroom: {replicas: 1, chunks: 2, requests: {cpu: \"1\"}}\n", []string{`6:27: spec.headroom: unknown field "chunks"`}},
		{"nothing to steer", "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  zones: {sameZoneBy: app}\n  headroom: {replicas: 1, requests: {cpu: \"1\"}}\n",
			[]string{"6:13: policy p: spec.headroom: needs pools or zones to steer it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantLoadErrors(t, tt.yaml, tt.want) })
	}
	if _, err := Load(Source{Name: "f.yaml", Data: []byte("apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  zones: {allowed: [z]}\n  headroom: {replicas: 1, requests: {cpu: \"1\"}}\n")}); err != nil {
		t.Errorf("zones alone steer headroom: %v", err)
	}
}
