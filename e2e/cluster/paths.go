package cluster

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// moduleLine identifies the repository root's go.mod.
const moduleLine = "module github.com/poolpatch/poolpatch\n"

// requiredBinaries are the commands Start runs from the binary directory.
var requiredBinaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"}

// resolveBinDir picks the directory holding the control-plane binaries: the
// explicit option, then $KUBEBUILDER_ASSETS, then <repository root>/bin.
func resolveBinDir(explicit string) (string, error) {
	dir := explicit
	if dir == "" {
		dir = os.Getenv("KUBEBUILDER_ASSETS")
	}
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "bin")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("binary directory %q: %w", dir, err)
	}
	for _, name := range requiredBinaries {
		if _, err := os.Stat(filepath.Join(abs, name)); err != nil {
			return "", fmt.Errorf("control-plane binary missing (run `make tools`): %w", err)
		}
	}
	return abs, nil
}

// repoRoot walks up from the working directory to poolpatch's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte(moduleLine)) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no poolpatch go.mod above the working directory")
		}
		dir = parent
	}
}
