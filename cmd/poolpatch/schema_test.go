package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSchemaCommand: `poolpatch schema` prints the committed schema (which
// internal/policyschema keeps current), and takes no arguments.
func TestSchemaCommand(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(testdataDir, "..", "docs", "poolpolicy.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"schema"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
		t.Errorf("poolpatch schema differs from docs/poolpolicy.schema.json (-file +printed):\n%s", diff)
	}
	if code := run(context.Background(), []string{"schema", "x"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("schema with an argument: exit %d, want 2", code)
	}
}
