// Package repo finds poolpatch's repository root, for tests and programs
// (make demo, make bench) that read testdata and bin/ from any directory.
package repo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// moduleLine identifies poolpatch's go.mod.
const moduleLine = "module github.com/poolpatch/poolpatch\n"

// Root walks up from the working directory to poolpatch's go.mod: the
// package directory under go test, the root under make.
func Root() (string, error) {
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
			return "", errors.New("no poolpatch go.mod above the working directory")
		}
		dir = parent
	}
}

// Path joins rel to the repository root.
func Path(rel ...string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{root}, rel...)...), nil
}

// EnvtestAssets returns the directory of the kube-apiserver and etcd that
// envtest runs: $KUBEBUILDER_ASSETS, else the repository's bin/. The error
// says which binary is missing, for a test to skip with.
func EnvtestAssets() (string, error) {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		var err error
		if dir, err = Path("bin"); err != nil {
			return "", err
		}
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			return "", fmt.Errorf("envtest: %s not found in %s: run `make tools` (make integration does) or set KUBEBUILDER_ASSETS", bin, dir)
		}
	}
	return dir, nil
}
