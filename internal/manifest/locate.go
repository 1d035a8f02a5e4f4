package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// locate turns an error about one object of the document (item i of a
// List, or -1 for the document itself) into file:line:col: message at the
// value it is about: for a field of the wrong type, that field; otherwise
// the object.
func (d Document) locate(err error, item int, obj Object) error {
	root, shift := d.tree()
	at := root
	if root != nil && item >= 0 {
		at = childAt(valueOf(root, "items"), item)
	}
	msg := err.Error()
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		want := strings.Fields(typeErr.Value + " ?")[0]
		path := typeErr.Field
		// The field path is the object's, or its pod template's.
		for _, prefix := range []string{"", "spec.template.", "spec.jobTemplate.spec.template."} {
			if found := findValue(at, strings.Split(prefix+typeErr.Field, "."), want); found != nil {
				at, path = found, prefix+typeErr.Field
				break
			}
		}
		msg = fmt.Sprintf("%s %s: %s: expected %s, got %s", kindOf(obj), objectName(obj), path, typeErr.Type, typeErr.Value)
	}
	if at == nil {
		return fmt.Errorf("%s: %s: %w", d.Where(), msg, ErrUnreadable)
	}
	line, col := shift(at)
	return fmt.Errorf("%s:%d:%d: %s: %w", d.Source, line, col, msg, ErrUnreadable)
}

// tree returns the document's node tree and a function giving a node's
// position in the input. A JSON document, or a YAML one parseBlockDocument
// read, is parsed here by yaml.v3, on the error path only; a JSON
// document's positions count from where it starts in the stream.
func (d Document) tree() (*yaml.Node, func(*yaml.Node) (int, int)) {
	plain := func(n *yaml.Node) (int, int) { return n.Line, n.Column }
	if d.yaml != "" {
		var root yaml.Node
		if yaml.Unmarshal([]byte(d.yaml), &root) != nil || len(root.Content) == 0 {
			return nil, plain
		}
		shiftLines(root.Content[0], d.yamlLine-1)
		return root.Content[0], plain
	}
	if d.node != nil || d.raw == nil {
		return d.node, plain
	}
	var root yaml.Node
	if yaml.Unmarshal(d.raw, &root) != nil || len(root.Content) == 0 {
		return nil, plain
	}
	return root.Content[0], func(n *yaml.Node) (int, int) {
		if n.Line == 1 {
			return d.Line, d.Column + n.Column - 1
		}
		return d.Line + n.Line - 1, n.Column
	}
}

// findValue follows path (JSON field names; encoding/json leaves out list
// indices, so every item of a list is tried) to the first value of the
// JSON kind want, or of a map's values of that kind.
func findValue(n *yaml.Node, path []string, want string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if found := findValue(item, path, want); found != nil {
				return found
			}
		}
		if len(path) > 0 {
			return nil
		}
	}
	if len(path) > 0 {
		return findValue(valueOf(n, path[0]), path[1:], want)
	}
	if jsonKind(n) == want {
		return n
	}
	if n.Kind == yaml.MappingNode {
		for i := 1; i < len(n.Content); i += 2 {
			if jsonKind(n.Content[i]) == want {
				return n.Content[i]
			}
		}
	}
	return nil
}

// valueOf returns the value of key in a mapping node, or nil.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func childAt(n *yaml.Node, i int) *yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return n
	}
	return n.Content[i]
}

// jsonKind names a node's JSON kind as encoding/json's errors do.
func jsonKind(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "object"
	case n.Kind == yaml.SequenceNode:
		return "array"
	case n.Tag == "!!int" || n.Tag == "!!float":
		return "number"
	case n.Tag == "!!bool":
		return "bool"
	case n.Tag == "!!null":
		return "null"
	}
	return "string"
}

func objectName(obj Object) string {
	meta, _ := obj["metadata"].(Object)
	if name, _ := meta["name"].(string); name != "" {
		return name
	}
	name, _ := meta["generateName"].(string)
	return name
}
