package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/poolpatch/poolpatch/internal/cases"

	"github.com/google/go-cmp/cmp"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	"github.com/poolpatch/poolpatch/internal/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	testdataDir     = "../../testdata"
	examplePolicies = testdataDir + "/policies/examples.yaml"
)

func loadCases(t *testing.T) []cases.Case {
	t.Helper()
	list, err := cases.Read()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// cli runs poolpatch in-process, as the binary would, and returns stdout,
// stderr and the exit code.
func cli(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, bytes.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func mutateArgs(c cases.Case, file string, extra ...string) []string {
	args := []string{"mutate", "-p", examplePolicies, "-f", file}
	if len(c.NamespaceLabels) > 0 {
		var pairs []string
		for k, v := range c.NamespaceLabels {
			pairs = append(pairs, k+"="+v)
		}
		sort.Strings(pairs)
		args = append(args, "--namespace-labels", strings.Join(pairs, ","))
	}
	return append(args, extra...)
}

// TestGolden runs `poolpatch mutate` on every case, compares stdout and stderr
// with the golden files, mutates the output again (nothing may change) and
// checks that each `-o patch` patch turns its input document into the output.
func TestGolden(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			input := filepath.Join(testdataDir, "pods", c.File)
			stdout, stderr, code := cli(t, nil, mutateArgs(c, input)...)
			if code != 0 {
				t.Fatalf("exit code %d, stderr:\n%s", code, stderr)
			}
			compareGolden(t, c.Name+".yaml", stdout)
			compareGolden(t, c.Name+".stderr", stderr)

			again, _, code := cli(t, []byte(stdout), mutateArgs(c, "-")...)
			if code != 0 || again != stdout {
				t.Errorf("mutating the output again changed it (exit %d):\n%s", code, cmp.Diff(stdout, again))
			}
			checkPatches(t, c, input, stdout)
		})
	}
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/poolpatch -run TestGolden -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

// checkPatches applies each `-o patch` line to its input object with the
// library the API server uses and compares with the mutated output object.
func checkPatches(t *testing.T, c cases.Case, input, output string) {
	t.Helper()
	patches, stderr, code := cli(t, nil, mutateArgs(c, input, "-o", "patch")...)
	if code != 0 {
		t.Fatalf("-o patch: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(input)
	if err != nil {
		t.Fatal(err)
	}
	before := flatten(t, input, data)
	after := flatten(t, "output", []byte(output))
	lines := strings.Split(strings.TrimSpace(patches), "\n")
	if len(lines) != len(before) || len(after) != len(before) {
		t.Fatalf("%d patches, %d input objects, %d output objects", len(lines), len(before), len(after))
	}
	for i, line := range lines {
		doc, _ := json.Marshal(before[i])
		patched := doc
		if line != "[]" {
			patch, err := jsonpatch.DecodePatch([]byte(line))
			if err != nil {
				t.Fatalf("object %d: decode patch: %v", i, err)
			}
			if patched, err = patch.Apply(doc); err != nil {
				t.Fatalf("object %d: apply patch: %v", i, err)
			}
		}
		var got manifest.Object
		if err := json.Unmarshal(patched, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(after[i], got); diff != "" {
			t.Errorf("object %d: patched input differs from the output (-output +patched):\n%s", i, diff)
		}
	}
}

// flatten lists the objects of a manifest, List items one by one.
func flatten(t *testing.T, name string, data []byte) []manifest.Object {
	t.Helper()
	docs, err := manifest.Read(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return manifest.Objects(docs)
}
