package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// testdataFile is one manifest of the repository's testdata, read.
type testdataFile struct {
	path string
	docs []Document
}

// readTestdata reads every file matching the patterns, relative to the
// repository's testdata directory (such as "pods/*"), in pattern order.
func readTestdata(t *testing.T, patterns ...string) []testdataFile {
	t.Helper()
	var out []testdataFile
	for _, pattern := range patterns {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", pattern))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := Read(p, data)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			out = append(out, testdataFile{p, docs})
		}
	}
	return out
}
