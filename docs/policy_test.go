package docs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/poolpatch/poolpatch/policy"
)

// example is a YAML block of policy.md, with the `poolpatch validate`
// output shown after it, if any.
type example struct {
	line   int      // of the opening fence
	yaml   string   // the policy stream
	errors []string // expected output lines; nil: the example is valid
}

// examples reads the fenced blocks of policy.md: each ```yaml block, and
// the ```console block right after it when it runs poolpatch validate.
func examples(t *testing.T) []example {
	t.Helper()
	data, err := os.ReadFile("policy.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	var lang string
	var body []string
	start := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case lang == "" && strings.HasPrefix(line, "```"):
			lang, body, start = strings.TrimPrefix(line, "```"), nil, n
			if lang == "" {
				lang = "text"
			}
		case lang != "" && line == "```":
			switch lang {
			case "yaml":
				out = append(out, example{line: start, yaml: strings.Join(body, "\n") + "\n"})
			case "console":
				if len(body) > 0 && body[0] == "$ poolpatch validate policy.yaml" && len(out) > 0 && out[len(out)-1].errors == nil {
					out[len(out)-1].errors = body[1:]
				}
			}
			lang = ""
		case lang != "":
			body = append(body, line)
		}
	}
	if lang != "" {
		t.Fatalf("policy.md: block opened at line %d is not closed", start)
	}
	if len(out) == 0 {
		t.Fatal("policy.md has no YAML example")
	}
	return out
}

// TestExamples: every YAML example loads with the policy engine, or fails
// with exactly the output shown after it; the schema agrees either way.
func TestExamples(t *testing.T) {
	sch := schema(t)
	for _, ex := range examples(t) {
		t.Run(fmt.Sprintf("line %d", ex.line), func(t *testing.T) {
			_, err := policy.Load(policy.Source{Name: "policy.yaml", Data: []byte(ex.yaml)})
			schemaErr := validateSchema(t, sch, ex.yaml)
			if ex.errors == nil {
				if err != nil {
					t.Fatalf("poolpatch validate rejects the example:\n%v", err)
				}
				if schemaErr != nil {
					t.Errorf("the schema rejects the example: %v", schemaErr)
				}
				return
			}
			var list policy.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("the example should fail as shown, got %v", err)
			}
			if diff := cmp.Diff(ex.errors, strings.Split(list.Error(), "\n")); diff != "" {
				t.Errorf("poolpatch validate output (-shown +actual):\n%s", diff)
			}
			if schemaErr == nil {
				t.Error("the schema accepts the failing example")
			}
		})
	}
}

// TestEveryFieldDocumented walks the policy types by reflection: every
// field must appear in policy.md as `path`, and be set in a valid example.
func TestEveryFieldDocumented(t *testing.T) {
	data, err := os.ReadFile("policy.md")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, ex := range examples(t) {
		if ex.errors != nil {
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(ex.yaml))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("example at line %d: %v", ex.line, err)
				}
				break
			}
			collectPaths(doc.Content[0], "", set)
		}
	}
	paths := fieldPaths(reflect.TypeFor[policy.PoolPolicy](), "")
	for _, p := range paths {
		if !bytes.Contains(data, []byte("`"+p+"`")) {
			t.Errorf("policy.md does not describe `%s`", p)
		}
		if !set[p] {
			t.Errorf("no valid example of policy.md sets %s", p)
		}
	}
	t.Logf("%d fields described and set in examples", len(paths))
}

// fieldPaths lists the fields of poolpatch's own types as paths
// (spec.pools[].weight); Kubernetes types (tolerations, selectors,
// quantities) are described as a whole.
func fieldPaths(t reflect.Type, prefix string) []string {
	var out []string
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice {
			prefix += "[]"
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeFor[policy.PoolPolicy]().PkgPath() {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		out = append(out, path)
		out = append(out, fieldPaths(f.Type, path)...)
	}
	sort.Strings(out)
	return out
}

// collectPaths records every mapping key of a document as a path in the
// notation of fieldPaths.
func collectPaths(n *yaml.Node, prefix string, set map[string]bool) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			set[path] = true
			collectPaths(n.Content[i+1], path, set)
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			collectPaths(item, prefix+"[]", set)
		}
	}
}

func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("poolpolicy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("poolpolicy.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("poolpolicy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validateSchema validates every document of a stream, as an editor does.
func validateSchema(t *testing.T, sch *jsonschema.Schema, stream string) error {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(stream))
	var errs []error
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if errors.Is(err, io.EOF) {
				return errors.Join(errs...)
			}
			t.Fatal(err)
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			errs = append(errs, err)
		}
	}
}
