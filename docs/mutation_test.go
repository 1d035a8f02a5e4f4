package docs

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/poolpatch/poolpatch/policy"
)

// TestMistakesRejectedByBoth takes the complete policy of policy.md, which
// must set every field of the Go types, and makes one mistake at a time: each
// value replaced by one of the wrong type, and an unknown field added to each
// object. `poolpatch validate` and the schema must both reject every one, so
// a new field is checked as soon as the example shows it.
func TestMistakesRejectedByBoth(t *testing.T) {
	sch := schema(t)
	complete := examples(t)[0]
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(complete.yaml), &root); err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	collectPaths(root.Content[0], "", set)
	for _, p := range fieldPaths(reflect.TypeFor[policy.PoolPolicy](), "") {
		if !set[p] {
			t.Errorf("the complete policy of policy.md (line %d) does not set %s", complete.line, p)
		}
	}
	var mistakes int
	forEachValue(root.Content[0], "", func(path string, parent, value *yaml.Node, index int) {
		check := func(name string, mutate func()) {
			mistakes++
			saved := *parent
			parent.Content = append([]*yaml.Node(nil), parent.Content...)
			mutate()
			defer func() { *parent = saved }()
			data, err := yaml.Marshal(&root)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(path+" "+name, func(t *testing.T) {
				_, err := policy.Load(policy.Source{Name: "policy.yaml", Data: data})
				if !errors.Is(err, policy.ErrInvalid) {
					t.Errorf("poolpatch validate accepts it (err %v):\n%s", err, data)
				}
				if validateSchema(t, sch, string(data)) == nil {
					t.Errorf("the schema accepts it:\n%s", data)
				}
			})
		}
		check("wrong type", func() { parent.Content[index] = wrongType(value) })
		if value.Kind == yaml.MappingNode && !freeKeys(path) {
			check("unknown field", func() {
				extended := *value
				extended.Content = append(append([]*yaml.Node(nil), value.Content...),
					&yaml.Node{Kind: yaml.ScalarNode, Value: "unknownField"},
					&yaml.Node{Kind: yaml.ScalarNode, Value: "x"})
				parent.Content[index] = &extended
			})
		}
	})
	t.Logf("%d mistakes rejected by both", mistakes)
}

// freeKeys are the maps of a policy, whose keys are the user's.
func freeKeys(path string) bool {
	for _, suffix := range []string{"labels", "annotations", "matchLabels"} {
		if strings.HasSuffix(path, "."+suffix) {
			return true
		}
	}
	return false
}

// wrongType returns a value of another kind: a mapping for a scalar, a
// string for a mapping or list.
func wrongType(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.ScalarNode {
		return &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "wrong"}, {Kind: yaml.ScalarNode, Value: "type"},
		}}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "wrong type"}
}

// forEachValue calls fn for every value of the tree, with its parent node
// and its index there, depth first.
func forEachValue(n *yaml.Node, prefix string, fn func(path string, parent, value *yaml.Node, index int)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			fn(path, n, n.Content[i+1], i+1)
			forEachValue(n.Content[i+1], path, fn)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			path := fmt.Sprintf("%s[%d]", prefix, i)
			fn(path, n, item, i)
			forEachValue(item, path, fn)
		}
	}
}
