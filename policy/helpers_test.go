package policy

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// quantities compares resource.Quantity by value, not by representation.
var quantities = cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 })

// mustLoad loads a policy stream written inline in a test.
func mustLoad(t testing.TB, stream string) *Set {
	t.Helper()
	set, err := Load(Source{Name: "test.yaml", Data: []byte(stream)})
	if err != nil {
		t.Fatalf("load policies: %v", err)
	}
	return set
}

// mustPod decodes a pod written inline in a test, strictly.
func mustPod(t testing.TB, manifest string) *corev1.Pod {
	t.Helper()
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict([]byte(manifest), &pod); err != nil {
		t.Fatalf("decode pod: %v", err)
	}
	return &pod
}

// applyChecked applies the set and checks the invariants every mutation must
// keep: the input is untouched, a second Apply changes nothing and warns the
// same, the JSON patch, applied to the original by the library the API
// server uses, yields the mutated pod, and the webhook's PatchOnly call
// gives the same patch and warnings.
func applyChecked(t *testing.T, pod *corev1.Pod, set *Set, ns Namespace) *Result {
	t.Helper()
	before := pod.DeepCopy()
	res := Apply(pod, set, ns, Options{})
	if diff := cmp.Diff(before, pod, quantities); diff != "" {
		t.Fatalf("Apply modified its input (-before +after):\n%s", diff)
	}
	if semanticallyEqual := equality.Semantic.DeepEqual(pod, res.Pod); res.Changed == semanticallyEqual {
		t.Errorf("Changed = %v, but the pods are equal: %v", res.Changed, semanticallyEqual)
	}
	again := Apply(res.Pod, set, ns, Options{})
	if again.Changed {
		t.Errorf("second Apply changed the pod (-first +second):\n%s", cmp.Diff(res.Pod, again.Pod, quantities))
	}
	if diff := cmp.Diff(res.Warnings, again.Warnings); diff != "" {
		t.Errorf("second Apply warned differently (-first +second):\n%s", diff)
	}
	// JSON cannot tell an empty map from none: compare as the API server would.
	if len(again.Patch) != 0 {
		t.Errorf("second Apply returned a patch: %v", again.Patch)
	}
	checkPatch(t, pod, res)
	quick := Apply(pod, set, ns, Options{PatchOnly: true})
	if quick.Pod != nil {
		t.Errorf("PatchOnly returned a pod")
	}
	if diff := cmp.Diff(res.Patch, quick.Patch); diff != "" {
		t.Errorf("PatchOnly changed the patch (-full +PatchOnly):\n%s", diff)
	}
	if diff := cmp.Diff(res.Warnings, quick.Warnings); diff != "" {
		t.Errorf("PatchOnly changed the warnings (-full +PatchOnly):\n%s", diff)
	}
	return res
}

// checkPatch applies the result's patch to the original pod's JSON with the
// API server's library and compares with the mutated pod.
func checkPatch(t *testing.T, original *corev1.Pod, res *Result) {
	t.Helper()
	ops, mutated := res.Patch, res.Pod
	if res.Changed != (len(ops) > 0) {
		t.Errorf("Changed = %v with %d operations", res.Changed, len(ops))
	}
	if len(ops) == 0 {
		if diff := cmp.Diff(original, mutated, quantities); diff != "" {
			t.Errorf("empty patch for a changed pod:\n%s", diff)
		}
		return
	}
	raw, err := MarshalPatch(ops)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := jsonpatch.DecodePatch(raw)
	if err != nil {
		t.Fatalf("decode patch %s: %v", raw, err)
	}
	doc, _ := json.Marshal(original)
	patched, err := patch.Apply(doc)
	if err != nil {
		t.Fatalf("apply patch %s: %v", raw, err)
	}
	var got corev1.Pod
	if err := json.Unmarshal(patched, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mutated, &got, quantities, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("patched original differs from the mutated pod (-mutated +patched):\n%s", diff)
	}
}

// checkNodeAffinity compares the required terms' expressions, term by term,
// and the preferred terms of a pod with what a test expects.
func checkNodeAffinity(t *testing.T, pod *corev1.Pod, wantReq [][]corev1.NodeSelectorRequirement, wantPref []corev1.PreferredSchedulingTerm) {
	t.Helper()
	var req [][]corev1.NodeSelectorRequirement
	for _, term := range RequiredTerms(pod) {
		req = append(req, term.MatchExpressions)
	}
	if diff := cmp.Diff(wantReq, req); diff != "" {
		t.Errorf("required terms (-want +got):\n%s", diff)
	}
	var pref []corev1.PreferredSchedulingTerm
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		pref = a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	}
	if diff := cmp.Diff(wantPref, pref); diff != "" {
		t.Errorf("preferred terms (-want +got):\n%s", diff)
	}
}
