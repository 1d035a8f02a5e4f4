package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// moduleLine identifies poolpatch's go.mod.
const moduleLine = "module github.com/poolpatch/poolpatch\n"

// RepoPath joins rel to the repository root, found by walking up from the
// working directory (the package directory under go test, the root under
// `make demo`).
func RepoPath(rel ...string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte(moduleLine)) {
			return filepath.Join(append([]string{dir}, rel...)...), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no poolpatch go.mod above the working directory")
		}
		dir = parent
	}
}

// ReadRepoFile reads a file of the repository.
func ReadRepoFile(rel ...string) (string, error) {
	path, err := RepoPath(rel...)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return string(data), nil
}

// itoa formats an int.
func itoa(i int) string { return strconv.Itoa(i) }
