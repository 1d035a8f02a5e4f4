package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolpatch/poolpatch/explain"
)

const (
	explainNodes     = testdataDir + "/explain/nodes.yaml"
	explainNodePools = testdataDir + "/explain/nodepools.yaml"
	explainBound     = testdataDir + "/explain/bound-pods.yaml"
)

func explainArgs(file string, extra ...string) []string {
	return append([]string{"explain", "-p", examplePolicies, "-f", file, "--nodes", explainNodes, "--nodepools", explainNodePools}, extra...)
}

// TestExplainGolden explains every testdata case against the committed
// Nodes and NodePools and compares with testdata/golden/explain/NAME.txt.
func TestExplainGolden(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			args := mutateArgs(c, filepath.Join(testdataDir, "pods", c.File))
			args = append(explainArgs(args[4]), args[5:]...)
			stdout, stderr, code := cli(t, nil, args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			compareGolden(t, filepath.Join("explain", c.Name+".txt"), stdout)
		})
	}
}

// TestExplainFullPools explains the Spark driver with special01 and
// fallback01 full (bound pods take every CPU): nothing fits, and the
// scheduler's own message and the pool to grow are named.
func TestExplainFullPools(t *testing.T) {
	stdout, stderr, code := cli(t, nil, explainArgs(filepath.Join(testdataDir, "pods", "spark-driver.yaml"), "--pods", explainBound)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	compareGolden(t, filepath.Join("explain", "full-pools.txt"), stdout)
	json, _, code := cli(t, nil, explainArgs(filepath.Join(testdataDir, "pods", "spark-driver.yaml"), "--pods", explainBound, "-o", "json")...)
	if code != 0 {
		t.Fatal("json: exit", code)
	}
	compareGolden(t, filepath.Join("explain", "full-pools.json"), json)
}

// TestExplainJSON checks that -o json is one object for one pod, an array
// for several, and decodes into explain.Report.
func TestExplainJSON(t *testing.T) {
	one, _, code := cli(t, nil, explainArgs(filepath.Join(testdataDir, "pods", "spark-executor.yaml"), "-o", "json")...)
	var r explain.Report
	if err := json.Unmarshal([]byte(one), &r); code != 0 || err != nil || r.Pod == "" || len(r.Nodes) == 0 {
		t.Fatalf("one pod: exit %d, %v, %+v", code, err, r)
	}
	many, _, code := cli(t, nil, explainArgs(filepath.Join(testdataDir, "pods", "multi.yaml"), "-o", "json")...)
	var rs []explain.Report
	if err := json.Unmarshal([]byte(many), &rs); code != 0 || err != nil || len(rs) != 3 {
		t.Fatalf("several pods: exit %d, %v, %d reports", code, err, len(rs))
	}
}

func TestExplainErrors(t *testing.T) {
	dir := t.TempDir()
	pod := filepath.Join(testdataDir, "pods", "spark-driver.yaml")
	notNodes := filepath.Join(testdataDir, "pods", "deployment.yaml")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"invalid policies", []string{"explain", "-p", filepath.Join(testdataDir, "policies", "invalid.yaml"), "-f", pod, "--nodes", explainNodes}, 1, "invalid.yaml:23:3:"},
		{"missing manifest", []string{"explain", "-p", examplePolicies, "-f", filepath.Join(dir, "none.yaml"), "--nodes", explainNodes}, 2, "no such file"},
		{"missing nodes", []string{"explain", "-p", examplePolicies, "-f", pod, "--nodes", filepath.Join(dir, "none.yaml")}, 2, "no such file"},
		{"nodes file holds no Nodes", []string{"explain", "-p", examplePolicies, "-f", pod, "--nodes", notNodes}, 2, "deployment.yaml:3:1: a Deployment, want a Node"},
		{"bad nodepools", []string{"explain", "-p", examplePolicies, "-f", pod, "--nodes", explainNodes, "--nodepools", explainNodes}, 2, "want a NodePool"},
		{"no nodes flag", []string{"explain", "-p", examplePolicies, "-f", pod}, 2, "Usage"},
		{"bad output", explainArgs(pod, "-o", "yaml"), 2, "unknown output format"},
		{"live without a cluster", []string{"explain", "pod", "x", "-n", "y", "--kubeconfig", filepath.Join(dir, "none")}, 2, "kubeconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := cli(t, nil, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and stderr containing %q", code, stderr, tt.wantCode, tt.wantStderr)
			}
		})
	}
}
