package cluster_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// testKubeconfig checks that bin/kubectl and bin/helm work with the
// cluster's kubeconfig, and that kubectl sees every fake Node Ready.
func testKubeconfig(ctx context.Context, t *testing.T, c *cluster.Cluster) {
	out := run(ctx, t, c, "kubectl", "get", "nodes", "--no-headers",
		"-o", "custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type=='Ready')].status")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(c.NodeNames("")) {
		t.Fatalf("kubectl lists %d nodes, want %d:\n%s", len(lines), len(c.NodeNames("")), out)
	}
	for _, line := range lines {
		if !strings.HasSuffix(line, "True") {
			t.Errorf("node not Ready: %s", line)
		}
	}
	run(ctx, t, c, "helm", "list", "--all-namespaces")
}

// run runs a tool from the cluster's bin directory with its kubeconfig.
func run(ctx context.Context, t *testing.T, c *cluster.Cluster, tool string, args ...string) string {
	t.Helper()
	path := filepath.Join(c.BinDir(), tool)
	cmd := exec.CommandContext(ctx, path, append(args, "--kubeconfig", c.KubeconfigPath())...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return string(out)
}
