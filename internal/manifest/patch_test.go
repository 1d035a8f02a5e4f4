package manifest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	"github.com/poolpatch/poolpatch/policy"
)

// TestPrintedPatchApplies: every `-o patch` line applies, with the API
// server's library, to the object as written and gives the mutated object;
// an object nothing changes prints [], never null.
func TestPrintedPatchApplies(t *testing.T) {
	set, err := policy.Load(policy.Source{Name: "p.yaml", Data: []byte(`
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: batch}
spec:
  pools: [{name: batch01, weight: 100}]
  annotations: {example.com/team: batch}
`)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, object string
		wantEmpty    bool
	}{
		{name: "Job whose template has no metadata", object: `
apiVersion: batch/v1
kind: Job
metadata: {name: pi, namespace: batch}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: registry.example/perl:5}]
`},
		{name: "CronJob whose template has no metadata", object: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello, namespace: batch}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: hello, image: registry.example/busybox:1}]
`},
		{name: "mutated pod with an integer above 2^53", object: `
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: batch}
spec:
  activeDeadlineSeconds: 9223372036854775807
  containers: [{name: c, image: i}]
`},
		{name: "pass-through kind", object: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n", wantEmpty: true},
		{name: "DaemonSet", object: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n", wantEmpty: true},
		{name: "opted-out pod", object: "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {poolpatch.io/mutate: \"false\"}}\nspec: {containers: [{name: c, image: i}]}\n", wantEmpty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Read("in.yaml", []byte(tt.object))
			if err != nil || len(docs) != 1 {
				t.Fatalf("read: %v", err)
			}
			obj := docs[0].Object
			out, err := MutateObject(obj, Options{Set: set, DefaultNamespace: "default"})
			if err != nil {
				t.Fatal(err)
			}
			var printed bytes.Buffer
			if err := NewWriter(&printed, FormatPatch).Write(out.Mutated, []Outcome{out}); err != nil {
				t.Fatal(err)
			}
			line := strings.TrimSpace(printed.String())
			if tt.wantEmpty {
				if line != "[]" {
					t.Errorf("patch of an unchanged object = %s, want []", line)
				}
				return
			}
			patch, err := jsonpatch.DecodePatch([]byte(line))
			if err != nil {
				t.Fatalf("decode %s: %v", line, err)
			}
			doc, _ := json.Marshal(obj)
			patched, err := patch.Apply(doc)
			if err != nil {
				t.Fatalf("printed patch does not apply to the object as written: %v\n%s", err, line)
			}
			got, err := DecodeObject(patched)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(out.Mutated, got); diff != "" {
				t.Errorf("patched input differs from the output (-output +patched):\n%s", diff)
			}
			if raw, _ := json.Marshal(out.Mutated); strings.Contains(tt.object, "9223372036854775807") &&
				!strings.Contains(string(raw), "9223372036854775807") {
				t.Errorf("an integer above 2^53 changed: %s", raw)
			}
		})
	}
}
