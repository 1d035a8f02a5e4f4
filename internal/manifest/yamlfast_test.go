package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// readAllV3 reads a YAML stream as the reader did before parseBlockDocument:
// yaml.v3 alone.
func readAllV3(data string) ([]Document, error) {
	r := &Reader{source: "in", in: bufio.NewReader(strings.NewReader(data))}
	r.dec = yaml.NewDecoder(r.in)
	return readAll(r)
}

func readAll(r *Reader) ([]Document, error) {
	var docs []Document
	for {
		doc, err := r.Next()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, doc)
	}
}

// sameAsV3 fails when the reader reads a YAML stream otherwise than yaml.v3
// and the converter: the same objects at the same positions, the same
// error. It returns how many documents parseBlockDocument read.
func sameAsV3(t *testing.T, data string) int {
	t.Helper()
	want, wantErr := readAllV3(data)
	r := NewReader("in", strings.NewReader(data))
	got, gotErr := readAll(r)
	if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
		t.Fatalf("%q: error %v, yaml.v3 %v", data, gotErr, wantErr)
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d documents, yaml.v3 %d", data, len(got), len(want))
	}
	fast := 0
	for i := range got {
		if got[i].yaml != "" {
			fast++
		}
		_, _, gotErr := MutateDocument(got[i], Options{DefaultNamespace: "default"})
		_, _, wantErr := MutateDocument(want[i], Options{DefaultNamespace: "default"})
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
			t.Fatalf("%q: document %d: mutation error %v, yaml.v3 %v", data, i, gotErr, wantErr)
		}
		g := []any{got[i].Object, got[i].Line, got[i].Column}
		w := []any{want[i].Object, want[i].Line, want[i].Column}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Fatalf("%q: document %d (-yaml.v3 +reader):\n%s", data, i, diff)
		}
	}
	return fast
}

// TestBlockParserAsV3: every testdata and public manifest, and documents
// chosen to sit at the subset's edges, read as yaml.v3 reads them; the
// manifests kubectl-style printers write take the fast path.
func TestBlockParserAsV3(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/*/*.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			continue // JSON
		}
		sameAsV3(t, string(data))
	}
	for _, c := range blockCases {
		t.Run(c.name, func(t *testing.T) {
			if fast := sameAsV3(t, c.doc); c.fast && fast == 0 {
				t.Errorf("%q: left to yaml.v3", c.doc)
			}
		})
	}
}

var blockCases = []struct {
	name string
	doc  string
	fast bool
}{
	{"pod", "kind: Pod\nmetadata:\n  name: a\n  labels:\n    x: \"1\"\n    'y': 'it''s'\nspec:\n  containers:\n  - name: c\n    args:\n    - -c\n    - echo hi\n    ports:\n    - containerPort: 80\n  volumes:\n  - emptyDir: {}\n    name: v\n  tolerations: []\n", true},
	{"stream", "---\nkind: A\n---\n\n# comment\n---\nkind: B\nx: 1\n", true},
	{"values", "kind: V\na: true\nb: False\nc: ~\nd:\ne: 0x1f\nf: 0755\ng: 1_000\nh: 2024-01-01\ni: .5\nj: -1\nk: 1e3\nl: 9007199254740993\nm: <<\nn: yes\no: 3c8b1f2e-0d4a\np: 0b11\nq: 12e\nr: +1\n", true},
	{"indented root", "  kind: X\n  a:\n  - 1\n", true},
	{"compact", "kind: X\na:\n- - 1\n  - 2\n- a: 1\n  b:\n  - c\n-   x: 1\n    y: 2\n", true},
	{"duplicate key", "kind: X\na: 1\na: 2\n", false},
	{"continuation", "kind: X\na: b\n  c\n", false},
	{"bad indent", "kind: X\na:\n    b: 1\n  c: 2\n", false},
	{"flow", "kind: X\na: {b: 1}\nc: [1, 2]\n", false},
	{"anchors", "kind: X\na: &x 1\nb: *x\nc:\n  <<: {d: 1}\n", false},
	{"block scalar", "kind: X\na: |\n  line\n---\nkind: Y\n", false},
	{"comment after", "kind: X\na: b # c\n", false},
	{"escape", "kind: X\na: \"b\\nc\"\n", false},
	{"tab", "kind: X\na:\tb\n", false},
	{"crlf", "kind: X\r\na: b\r\n", false},
	{"utf8", "kind: X\na: naïve\n", false},
	{"document end", "kind: X\n...\nkind: Y\n", false},
	{"directive", "kind: X\n---\n%YAML 1.2\n---\nkind: Y\n", false},
	{"not an object", "- a\n- b\n", false},
	{"scalar", "hello\n", false},
	{"syntax error", "kind: X\na: b: c\n", false},
	{"mapping in seq error", "kind: X\na:\n- b\nc: d\n  e: f\n", false},
	{"seq after scalar", "kind: X\na: b\n- c\n", false},
	{"huge number", "kind: X\na: 1e999\n", false},
	{"key chars", "kind: X\na b: c\n\"q\": 1\n'r': 2\n", false},
	{"no final newline", "kind: X\na: b", true},
	{"error in a later document", "kind: A\n---\n# c\nkind: B\na:\n  b: c\n---\nkind: C\na: b: c\n", true},
	{"alias in a later document", "kind: A\n---\nkind: B\na: &x {b: 1}\nc: *x\nd: *y\n", true},
	{"wrong type in a later document", "kind: A\n---\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: \"80\"\n", true},
	{"wrong type after fallback", "kind: A\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  priority: \"1\"\n", true},
}

// FuzzBlockParser: whatever the bytes, parseBlockDocument reads a document
// as yaml.v3 and the converter read it, or leaves it to them.
func FuzzBlockParser(f *testing.F) {
	for _, c := range blockCases {
		f.Add(c.doc)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var lines []blockLine
		obj, line, col, ok := parseBlockDocument(data, 1, &lines)
		if !ok {
			return
		}
		want, err := convertAllV3(data)
		if err != nil {
			t.Fatalf("%q: parsed, yaml.v3 says %v", data, err)
		}
		if obj == nil {
			if len(want) != 0 {
				t.Fatalf("%q: no content, yaml.v3 reads %d documents", data, len(want))
			}
			return
		}
		if len(want) != 1 {
			t.Fatalf("%q: one document, yaml.v3 reads %d", data, len(want))
		}
		if diff := cmp.Diff(want[0], []any{obj, line, col}); diff != "" {
			t.Fatalf("%q: (-yaml.v3 +parseBlockDocument):\n%s", data, diff)
		}
	})
}

// convertAllV3 converts every document with content of a stream as the
// reader did with yaml.v3, before checking that it is an object: each as
// {object, line, column}.
func convertAllV3(data string) ([][]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(data))
	var out [][]any
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(root.Content) == 0 || root.Content[0].Tag == "!!null" {
			continue
		}
		n := root.Content[0]
		v, err := (&converter{}).value(n)
		if err != nil {
			return nil, err
		}
		out = append(out, []any{v, n.Line, n.Column})
	}
}
