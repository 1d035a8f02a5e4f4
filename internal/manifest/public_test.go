package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/poolpatch/poolpatch/policy"
)

func loadExamples(t testing.TB) *policy.Set {
	t.Helper()
	data, err := os.ReadFile("../../testdata/policies/examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := policy.Load(policy.Source{Name: "examples.yaml", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestPublicManifests runs manifests shaped like the ones public projects
// publish through the mutation, as a new user would: no document fails,
// pass-through kinds come back unchanged, and every value the manifest set
// is still there afterwards.
func TestPublicManifests(t *testing.T) {
	set := loadExamples(t)
	files, err := filepath.Glob("../../testdata/public/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no public manifests: %v", err)
	}
	mutated := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := Read(file, data)
			if err != nil {
				t.Fatal(err)
			}
			var outcomes []Outcome
			for _, doc := range docs {
				_, out, err := MutateDocument(doc, Options{Set: set, DefaultNamespace: "default", NamespaceLabels: map[string]string{"team": "batch"}})
				if err != nil {
					t.Fatal(err)
				}
				outcomes = append(outcomes, out...)
			}
			originals := Objects(docs)
			for i, o := range outcomes {
				original := originals[i]
				if o.Result == nil || !o.Result.Changed {
					if diff := cmp.Diff(original, o.Mutated); diff != "" {
						t.Errorf("%s %s passed through but changed:\n%s", o.Kind, o.Name, diff)
					}
					continue
				}
				mutated++
				if missing := lostValues(original, o.Mutated, ""); len(missing) > 0 {
					t.Errorf("%s %s lost values the manifest set: %v", o.Kind, o.Name, missing)
				}
			}
		})
	}
	if mutated == 0 {
		t.Error("no public manifest was mutated: the test proves nothing")
	}
}

// lostValues lists the paths of values in want that got does not hold: maps
// must keep every key, and each list item must still be in the list.
func lostValues(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path}
		}
		var lost []string
		for k, v := range w {
			lost = append(lost, lostValues(v, g[k], path+"/"+k)...)
		}
		return lost
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{path}
		}
		var lost []string
		for i, item := range w {
			if !containsSuperset(g, item) {
				lost = append(lost, fmt.Sprintf("%s/%d", path, i))
			}
		}
		return lost
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{path}
		}
		return nil
	}
}

func containsSuperset(list []any, item any) bool {
	for _, candidate := range list {
		if len(lostValues(item, candidate, "")) == 0 {
			return true
		}
	}
	return false
}
