package chart

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files and deploy/ instead of comparing")

const (
	// kubeVersion is what `helm template` renders for: the pinned control plane.
	kubeVersion = "1.37.2"
	// releaseName and releaseNamespace are those of the golden outputs and deploy/.
	releaseName      = "poolpatch"
	releaseNamespace = "poolpatch"
)

// repoRoot is the repository root, two levels above this package.
var repoRoot = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}()

// chartDir is the chart under test.
var chartDir = filepath.Join(repoRoot, "charts", "poolpatch")

// helmHome isolates helm's cache, config and data directories from the
// user's; TestMain creates and removes it.
var helmHome string

// tool returns the path of a pinned tool in bin/, failing the test when the
// Makefile has not built it.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := toolPath(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// toolPath returns the path of a pinned tool in bin/, or an error when the
// Makefile has not built it.
func toolPath(name string) (string, error) {
	p := filepath.Join(repoRoot, "bin", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s is missing: run `make tools` first: %w", p, err)
	}
	return p, nil
}

// runTool runs a pinned tool with a clean environment and returns its
// standard output; the error carries standard error.
func runTool(t testing.TB, name string, kubeconfig string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	cmd.Dir = repoRoot
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + helmHome,
		"HELM_CACHE_HOME=" + filepath.Join(helmHome, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(helmHome, "config"),
		"HELM_DATA_HOME=" + filepath.Join(helmHome, "data"),
	}
	if kubeconfig != "" {
		cmd.Env = append(cmd.Env, "KUBECONFIG="+kubeconfig)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// valuesFile returns the path of a values file under testdata/values.
func valuesFile(name string) string {
	return filepath.Join(repoRoot, "e2e", "chart", "testdata", "values", name)
}

// templateArgs are the `helm template` arguments rendering the chart as
// release name in namespace ns with the given values files.
func templateArgs(name, ns string, values ...string) []string {
	args := []string{"template", name, chartDir, "--namespace", ns, "--kube-version", kubeVersion}
	for _, v := range values {
		args = append(args, "--values", v)
	}
	return args
}

// render runs `helm template` and fails the test on error.
func render(t testing.TB, name, ns string, values ...string) []byte {
	t.Helper()
	out, err := runTool(t, "helm", "", templateArgs(name, ns, values...)...)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return out
}
