package chart

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/poolpatch/poolpatch/policy"
)

// TestRenderedPoliciesLoad loads the policy ConfigMap the chart renders with
// the policy engine's own loader, as the server does: the values' policies
// must come out as valid PoolPolicy streams, in order.
func TestRenderedPoliciesLoad(t *testing.T) {
	examples := filepath.Join(repoRoot, "testdata", "policies", "examples.yaml")
	tests := []struct {
		name     string
		args     []string // extra helm template arguments
		cmName   string
		wantLen  int
		wantHead []string // first policy names, in order
	}{
		{name: "default: no policies", cmName: "poolpatch-policies"},
		{name: "nocertmanager values", args: []string{"--values", valuesFile("nocertmanager.yaml")},
			cmName: "poolpatch-policies", wantLen: 1, wantHead: []string{"spark-executors"}},
		{name: "all values: list then files", args: []string{"--values", valuesFile("all.yaml")},
			cmName: "team-pools", wantLen: 3, wantHead: []string{"spark-executors", "spark-drivers", "batch"}},
		{name: "policy file with --set-file", args: []string{"--set-file", `policyFiles.examples\.yaml=` + examples},
			cmName: "poolpatch-policies", wantLen: 8, wantHead: []string{"spark-drivers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runTool(t, "helm", "", append(templateArgs(releaseName, releaseNamespace), tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			u := find(mustDecode(t, out), "ConfigMap", tc.cmName)
			if u == nil {
				t.Fatalf("no ConfigMap %s rendered", tc.cmName)
			}
			var cm corev1.ConfigMap
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &cm); err != nil {
				t.Fatal(err)
			}
			if got := cm.Labels["poolpatch.io/policies"]; got != "true" {
				t.Errorf("label poolpatch.io/policies = %q, want \"true\" (the validating webhook selects it)", got)
			}
			set, err := policy.LoadConfigMap(cm.Data)
			if err != nil {
				t.Fatalf("rendered policies do not load: %v", err)
			}
			if set.Len() != tc.wantLen {
				t.Fatalf("loaded %d policies %v, want %d", set.Len(), set.Names(), tc.wantLen)
			}
			if diff := cmp.Diff(tc.wantHead, set.Names()[:len(tc.wantHead)], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("policy order (-want +got):\n%s", diff)
			}
		})
	}
}
