package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the manifest reader and the mutation
// (no policies): it must never panic, and every error must be a positioned
// ErrUnreadable.
func FuzzRead(f *testing.F) {
	for _, pattern := range []string{"pods/*.yaml", "public/*.yaml"} {
		paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", pattern))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(bigNumbers))
	f.Add([]byte(`{"kind":"Pod","spec":{"tolerations":{}}}{"kind":"List","items":[{"kind":"Pod","spec":[]}]}`))
	f.Add([]byte("a: &a [*a]\nkind: x\n"))
	f.Add([]byte("{kind: Pod, <<: {a: 1}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := readAndMutate(string(data))
		if err != nil && !errors.Is(err, ErrUnreadable) {
			t.Fatalf("error %v does not wrap ErrUnreadable", err)
		}
	})
}
