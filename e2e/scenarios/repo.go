package scenarios

import (
	"fmt"
	"os"
	"strconv"

	"github.com/poolpatch/poolpatch/internal/repo"
)

// RepoPath joins rel to the repository root.
func RepoPath(rel ...string) (string, error) {
	return repo.Path(rel...)
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
