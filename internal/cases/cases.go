// Package cases reads testdata/cases.yaml, the list of example manifests
// that the golden, webhook and end-to-end tests all run, so that they agree
// on the cases and on the namespace labels each one needs.
package cases

import (
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/internal/repo"
)

// Case is one entry of testdata/cases.yaml: a manifest under testdata/pods
// and the labels of the namespaces it is mutated in.
type Case struct {
	Name            string            `json:"name"`
	File            string            `json:"file"`
	NamespaceLabels map[string]string `json:"namespaceLabels"`
}

// Read returns the cases in file order.
func Read() ([]Case, error) {
	path, err := repo.Path("testdata", "cases.yaml")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	var cases []Case
	if err := yaml.Unmarshal(data, &cases); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return cases, nil
}
