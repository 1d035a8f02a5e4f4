package cluster

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/poolpatch/poolpatch/internal/repo"
)

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
		root, err := repo.Root()
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
