package manifest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mattbaird/jsonpatch"
	jsonpatchv4 "gopkg.in/evanphx/json-patch.v4"
)

// TestApplyOpsAsEvanphx checks applyOps against the API server's applier on
// the shapes of operation the engine writes, and that the input object is
// left as it was.
func TestApplyOpsAsEvanphx(t *testing.T) {
	const doc = `{"metadata":{"name":"p","annotations":{"a/b":"1"}},"spec":{"tolerations":[{"key":"k"}],` +
		`"initContainers":[{"name":"i0"},{"name":"i1"}],"volumes":[{"name":"v","emptyDir":{}}],"affinity":null,"n":9007199254740993}}`
	add := func(path string, value any) jsonpatch.JsonPatchOperation {
		return jsonpatch.JsonPatchOperation{Operation: "add", Path: path, Value: value}
	}
	tests := []struct {
		name    string
		ops     []jsonpatch.JsonPatchOperation
		wantErr bool
	}{
		{name: "append, insert and set", ops: []jsonpatch.JsonPatchOperation{
			add("/spec/tolerations/-", json.RawMessage(`{"key":"x","tolerationSeconds":300}`)),
			add("/spec/initContainers/1", map[string]any{"name": "new"}),
			add("/spec/initContainers/3", map[string]any{"name": "last"}),
			add("/spec/initContainers/0", map[string]any{"name": "first"}),
			add("/spec/volumes/0/emptyDir/sizeLimit", json.RawMessage(`"1Gi"`)),
			add("/metadata/annotations/a~1b", "2"),
			add("/metadata/annotations/c~0d", "3"),
			add("/spec/schedulerName", "s"),
		}},
		{name: "objects created then filled", ops: []jsonpatch.JsonPatchOperation{
			add("/spec/affinity", struct{}{}),
			add("/spec/affinity/nodeAffinity", struct{}{}),
			add("/spec/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution", []any{json.RawMessage(`{"weight":1}`)}),
			add("/spec/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution/-", json.RawMessage(`{"weight":2}`)),
			add("/spec/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/preference", map[string]any{}),
		}},
		{name: "missing parent", ops: []jsonpatch.JsonPatchOperation{add("/spec/nothing/x", "1")}, wantErr: true},
		{name: "null parent", ops: []jsonpatch.JsonPatchOperation{add("/spec/affinity/nodeAffinity", struct{}{})}, wantErr: true},
		{name: "index past the end", ops: []jsonpatch.JsonPatchOperation{add("/spec/tolerations/2", "x")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := DecodeObject([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			before := CopyObject(obj)
			got, err := applyOps(obj, tt.ops)
			if diff := cmp.Diff(before, obj); diff != "" {
				t.Errorf("the input object changed:\n%s", diff)
			}
			raw, _ := json.Marshal(tt.ops)
			patch, perr := jsonpatchv4.DecodePatch(raw)
			if perr != nil {
				t.Fatal(perr)
			}
			patched, aerr := patch.Apply([]byte(doc))
			if (err != nil) != tt.wantErr || (aerr != nil) != tt.wantErr {
				t.Fatalf("errors %v and evanphx's %v, want an error: %v", err, aerr, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			want, err := DecodeObject(patched)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("applyOps differs from evanphx (-evanphx +applyOps):\n%s", diff)
			}
		})
	}
}
