package policy

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mattbaird/jsonpatch"
	corev1 "k8s.io/api/core/v1"
)

// TestMarshalPatch: MarshalPatch encodes what the operation type's own
// encoding does, escaping included.
func TestMarshalPatch(t *testing.T) {
	tests := []struct {
		name string
		ops  []jsonpatch.JsonPatchOperation
	}{
		{"empty", []jsonpatch.JsonPatchOperation{}},
		{"values of every kind", []jsonpatch.JsonPatchOperation{
			jsonpatch.NewPatch("add", "/metadata/annotations", emptyObject),
			jsonpatch.NewPatch("add", "/metadata/annotations/example.com~1team", "a \"quoted\" <value> & ünïcode\n"),
			jsonpatch.NewPatch("add", "/spec/tolerations/-", prepareTolerations([]corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}})[0].boxed),
			jsonpatch.NewPatch("add", "/spec/schedulerName", "batch"),
			jsonpatch.NewPatch("add", "/spec/initContainers", []corev1.Container{{Name: "c", Image: "i"}}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarshalPatch(tt.ops)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(tt.ops)
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatalf("MarshalPatch gave invalid JSON %s: %v", got, err)
			}
			_ = json.Unmarshal(want, &w)
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("(-json.Marshal +MarshalPatch):\n%s", diff)
			}
		})
	}
}

// TestMarshalPatchEscapesPaths: a path that needs escaping stays valid JSON
// (the operation type's own encoding breaks on it).
func TestMarshalPatchEscapesPaths(t *testing.T) {
	path := "/metadata/annotations/a\"b\\c"
	raw, err := MarshalPatch([]jsonpatch.JsonPatchOperation{jsonpatch.NewPatch("add", path, "v")})
	if err != nil {
		t.Fatal(err)
	}
	var got []struct{ Path string }
	if err := json.Unmarshal(raw, &got); err != nil || len(got) != 1 || got[0].Path != path {
		t.Errorf("MarshalPatch = %s (%v), want the path %q back", raw, err, path)
	}
}

// TestAffinityJSONAsMarshal: the affinity terms prepared at load encode
// byte for byte as json.Marshal encodes them.
func TestAffinityJSONAsMarshal(t *testing.T) {
	exprs := [][]corev1.NodeSelectorRequirement{
		nil,
		{},
		{{Key: "k", Operator: corev1.NodeSelectorOpIn, Values: []string{"a", "b<&>\"é"}}},
		{{Key: "topology.kubernetes.io/zone", Operator: corev1.NodeSelectorOpNotIn, Values: []string{}}, {Key: "x", Operator: corev1.NodeSelectorOpExists}},
	}
	for i, e := range exprs {
		for j, f := range exprs {
			term := corev1.PreferredSchedulingTerm{Weight: int32(i*10 - 5), Preference: corev1.NodeSelectorTerm{MatchExpressions: e, MatchFields: f}}
			want, _ := json.Marshal(term)
			if got := appendPreferredTermJSON(nil, &term); string(got) != string(want) {
				t.Errorf("term %d/%d: %s, json.Marshal gives %s", i, j, got, want)
			}
		}
		for k := range e {
			want, _ := json.Marshal(e[k])
			if got := appendRequirementJSON(nil, &e[k]); string(got) != string(want) {
				t.Errorf("requirement %+v: %s, json.Marshal gives %s", e[k], got, want)
			}
		}
	}
}
