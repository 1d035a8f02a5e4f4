package policyschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"

	"github.com/poolpatch/poolpatch/internal/repo"
	"github.com/poolpatch/poolpatch/policy"
)

// compiled compiles a generated schema with a validator independent of the
// generator, as an editor would load it.
func compiled(t testing.TB, s Schema) *jsonschema.Schema {
	t.Helper()
	data, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return compileJSON(t, "poolpolicy.schema.json", bytes.NewReader(data))
}

// compileJSON compiles the JSON Schema document read from r, named name.
func compileJSON(t testing.TB, name string, r io.Reader) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(name)
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	return sch
}

// document is one YAML document of a policy stream.
type document struct {
	node *yaml.Node // the document's content
	line int        // first line in its file
}

// splitDocuments parses a stream into its non-null documents; it fails on
// what yaml.v3 itself refuses (syntax, excessive aliasing), which no schema
// can judge.
func splitDocuments(data []byte) ([]document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []document
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		if len(root.Content) == 0 || (root.Content[0].Kind == yaml.ScalarNode && root.Content[0].Tag == "!!null") {
			continue
		}
		docs = append(docs, document{node: root.Content[0], line: root.Content[0].Line})
	}
}

// instance converts a document to the JSON value an editor validates. Like
// an editor, it judges a document with duplicate keys by its first ones (the
// duplicates are YAML errors of their own); aliases are followed within a
// budget, so the alias bombs of the corpus have no JSON value.
func instance(n *yaml.Node) (any, error) {
	budget := 100000
	v, err := toJSON(n, &budget)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

func toJSON(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, errors.New("aliases expand too far")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return toJSON(n.Alias, budget)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if _, dup := m[key]; dup {
				continue
			}
			v, err := toJSON(n.Content[i+1], budget)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		return m, nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := toJSON(item, budget)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	}
	switch n.Tag {
	case "!!int", "!!float", "!!bool", "!!null":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return n.Value, nil
}

// schemaError is one leaf error of the validator, at a line of the file.
type schemaError struct {
	line int
	msg  string
}

// validate returns the schema's leaf errors, each placed at the YAML node it
// concerns (the key of an unknown field, the value otherwise).
func validate(sch *jsonschema.Schema, n *yaml.Node) ([]schemaError, error) {
	inst, err := instance(n)
	if err != nil {
		return nil, err
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []schemaError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if _, ok := e.ErrorKind.(*kind.PropertyNames); !ok && len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		at := locate(n, e.InstanceLocation)
		msg := strings.Join(e.InstanceLocation, ".") + ": " + e.Error()
		if names, ok := e.ErrorKind.(*kind.PropertyNames); ok {
			// The causes judge the name as an instance of its own, and the
			// validator's location of the object is not reliable: place
			// the error at the first key of that name.
			line := at.Line
			if key := findKey(n, names.Property); key != nil {
				line = key.Line
			}
			out = append(out, schemaError{line: line, msg: msg + ": " + causes(e)})
			return
		}
		if extra, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
			for _, name := range extra.Properties {
				line := at.Line
				if key := mappingKey(at, name); key != nil {
					line = key.Line
				}
				out = append(out, schemaError{line: line, msg: msg})
			}
			return
		}
		out = append(out, schemaError{line: at.Line, msg: msg})
	}
	walk(ve)
	return out, nil
}

func causes(e *jsonschema.ValidationError) string {
	var parts []string
	for _, c := range e.Causes {
		parts = append(parts, c.Error())
	}
	return strings.Join(parts, "; ")
}

// locate follows a JSON pointer's tokens through the node tree, to the
// anchored node of an alias (where the loader reports it).
func locate(n *yaml.Node, path []string) (at *yaml.Node) {
	defer func() {
		for at.Kind == yaml.AliasNode {
			at = at.Alias
		}
	}()
	for _, tok := range path {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			key := mappingKey(n, tok)
			if key == nil {
				return n
			}
			n = n.Content[indexOf(n.Content, key)+1]
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(n.Content) {
				return n
			}
			n = n.Content[i]
		default:
			return n
		}
	}
	return n
}

func mappingKey(n *yaml.Node, name string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return nil
}

// findKey returns the first mapping key named name in a tree.
func findKey(n *yaml.Node, name string) *yaml.Node {
	if key := mappingKey(n, name); key != nil {
		return key
	}
	for _, child := range n.Content {
		if key := findKey(child, name); key != nil {
			return key
		}
	}
	return nil
}

func indexOf(nodes []*yaml.Node, n *yaml.Node) int {
	for i, x := range nodes {
		if x == n {
			return i
		}
	}
	return -1
}

// policyStreams returns the policy streams of a file: the file itself, or
// the .yaml/.yml keys of a ConfigMap manifest as deployed.
func policyStreams(t *testing.T, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Kind string            `yaml:"kind"`
		Data map[string]string `yaml:"data"`
	}
	if yaml.Unmarshal(data, &cm) == nil && cm.Kind == "ConfigMap" {
		out := map[string][]byte{}
		for _, src := range policy.ConfigMapSources(cm.Data) {
			out[filepath.Base(path)+"["+src.Name+"]"] = src.Data
		}
		return out
	}
	return map[string][]byte{filepath.Base(path): data}
}

func repoPath(t *testing.T, rel ...string) string {
	t.Helper()
	p, err := repo.Path(rel...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func globs(t *testing.T, patterns ...string) []string {
	t.Helper()
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(repoPath(t, p))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no files match %v", patterns)
	}
	return files
}

func describeErrors(errs []schemaError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  line %d: %s\n", e.line, e.msg)
	}
	return b.String()
}
