package scenarios

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
)

// ToolOutput is what one kubectl or helm run printed.
type ToolOutput struct {
	Stdout, Stderr string
}

// Kubectl runs bin/kubectl with the cluster's admin kubeconfig, stdin as
// its standard input (may be nil). A non-zero exit is an error that quotes
// stderr; the output is returned either way.
func (e *Env) Kubectl(ctx context.Context, stdin io.Reader, args ...string) (ToolOutput, error) {
	return e.runTool(ctx, "kubectl", stdin, args...)
}

// Helm runs bin/helm with the cluster's admin kubeconfig.
func (e *Env) Helm(ctx context.Context, args ...string) (ToolOutput, error) {
	return e.runTool(ctx, "helm", nil, args...)
}

// runTool runs a tool from the cluster's binary directory.
func (e *Env) runTool(ctx context.Context, name string, stdin io.Reader, args ...string) (ToolOutput, error) {
	args = append([]string{"--kubeconfig", e.Cluster.KubeconfigPath()}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(e.Cluster.BinDir(), name), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	// helm keeps its cache and config here instead of $HOME.
	cmd.Env = append(cmd.Environ(), "HELM_CACHE_HOME="+e.helmHome, "HELM_CONFIG_HOME="+e.helmHome,
		"HELM_DATA_HOME="+e.helmHome)
	err := cmd.Run()
	out := ToolOutput{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args[2:], " "), err, strings.TrimSpace(out.Stderr))
	}
	return out, nil
}
