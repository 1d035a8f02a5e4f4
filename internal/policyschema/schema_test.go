package policyschema

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/poolpatch/poolpatch/internal/repo"
)

var update = flag.Bool("update", false, "rewrite docs/poolpolicy.schema.json and the chart's values.schema.json")

// TestSchemaIsCurrent fails when a committed schema differs from what the Go
// types generate: after changing policy/types.go, run `make schema`.
func TestSchemaIsCurrent(t *testing.T) {
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Marshal(Generate())
	if err != nil {
		t.Fatal(err)
	}
	compare(t, filepath.Join(root, "docs", "poolpolicy.schema.json"), want)

	chartPath := filepath.Join(root, "charts", "poolpatch", "values.schema.json")
	values, err := os.ReadFile(chartPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err = WithChartPolicies(values)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, chartPath, want)
}

func compare(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `make schema`)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale: the policy types changed; run `make schema` (-generated +committed):\n%s", path, diff)
	}
}
