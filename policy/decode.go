package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ownPkgPath tells poolpatch's own types (decoded field by field from the
// yaml.v3 node tree, keeping positions) from Kubernetes types, which carry
// JSON tags only and are decoded strictly through encoding/json.
var ownPkgPath = reflect.TypeFor[PoolPolicy]().PkgPath()

var quantityType = reflect.TypeFor[resource.Quantity]()

// decoder strictly decodes one document's node tree and remembers the
// position of every value by its path (spec.pools[1].weight), so that
// validation can point at the offending line and column.
type decoder struct {
	source    string
	errs      *ErrorList
	positions map[string]Position
}

func (d *decoder) pos(n *yaml.Node) Position {
	return Position{Source: d.source, Line: n.Line, Column: n.Column}
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.positions[path] = d.pos(n)
	if isNull(n) {
		return
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		d.decode(n, v.Elem(), path)
	case t.PkgPath() != "" && t.PkgPath() != ownPkgPath:
		d.decodeJSON(n, v, path)
	case t.Kind() == reflect.Struct:
		d.decodeStruct(n, v, path)
	case t.Kind() == reflect.Slice:
		d.decodeSlice(n, v, path)
	case t.Kind() == reflect.Map:
		d.decodeMap(n, v, path)
	default:
		d.decodeScalar(n, v)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errs.add(d.pos(n), "%s: expected a mapping, got %s", displayPath(path), describe(n))
		return
	}
	fields := yamlFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if seen[key.Value] {
			d.errs.add(d.pos(key), "%s: duplicate field %q", displayPath(path), key.Value)
			continue
		}
		seen[key.Value] = true
		index, ok := fields[key.Value]
		if !ok {
			d.errs.add(d.pos(key), "%s: unknown field %q", displayPath(path), key.Value)
			continue
		}
		d.decode(value, v.Field(index), joinPath(path, key.Value))
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.errs.add(d.pos(n), "%s: expected a list, got %s", displayPath(path), describe(n))
		return
	}
	v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
	for i, item := range n.Content {
		d.decode(item, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errs.add(d.pos(n), "%s: expected a mapping, got %s", displayPath(path), describe(n))
		return
	}
	v.Set(reflect.MakeMap(v.Type()))
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		keyPath := joinPath(path, key.Value)
		if v.MapIndex(reflect.ValueOf(key.Value)).IsValid() {
			d.errs.add(d.pos(key), "%s: duplicate key %q", displayPath(path), key.Value)
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(value, elem, keyPath)
		d.positions[keyPath] = d.pos(key)
		v.SetMapIndex(reflect.ValueOf(key.Value), elem)
	}
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.ScalarNode {
		d.errs.add(d.pos(n), "expected a %s, got %s", v.Kind(), describe(n))
		return
	}
	if v.Kind() == reflect.String && n.Tag != "!!str" {
		// A string field given 5 or true is almost always a mistake that the
		// API server would reject later; ask for quotes now.
		d.errs.add(d.pos(n), "expected a string, got %s %s (quote it)", strings.TrimPrefix(n.Tag, "!!"), n.Value)
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.errs.add(d.pos(n), "expected a %s, got %q", v.Kind(), n.Value)
	}
}

// decodeJSON decodes a Kubernetes type through encoding/json with unknown
// fields refused, as the API server would, and points at the offending key.
func (d *decoder) decodeJSON(n *yaml.Node, v reflect.Value, path string) {
	d.recordPositions(n, path)
	var generic any
	if err := n.Decode(&generic); err != nil {
		d.errs.add(d.pos(n), "%s: %s", displayPath(path), err.Error())
		return
	}
	raw, err := json.Marshal(generic)
	if err != nil {
		d.errs.add(d.pos(n), "%s: %s", displayPath(path), err.Error())
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v.Addr().Interface()); err != nil {
		if v.Type() == quantityType {
			d.errs.add(d.pos(n), "%s: invalid quantity %s", displayPath(path), raw)
			return
		}
		at, msg := d.locateJSONError(n, path, err)
		d.errs.add(at, "%s: %s", displayPath(path), msg)
	}
}

func (d *decoder) locateJSONError(n *yaml.Node, path string, err error) (Position, string) {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		field := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		msg := fmt.Sprintf("field %q: expected %s, got %s", field, typeErr.Type, typeErr.Value)
		if key := findKey(n, field); key != nil {
			return d.pos(key), msg
		}
		return d.pos(n), msg
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			if key := findKey(n, unquoted); key != nil {
				return d.pos(key), msg
			}
		}
	}
	return d.pos(n), msg
}

// recordPositions remembers the positions inside a Kubernetes-typed subtree,
// under their JSON names, so validation can point into it.
func (d *decoder) recordPositions(n *yaml.Node, path string) {
	d.positions[path] = d.pos(n)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.recordPositions(n.Content[i+1], joinPath(path, n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			d.recordPositions(item, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// findKey returns the first mapping key named name in a subtree.
func findKey(n *yaml.Node, name string) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				return n.Content[i]
			}
		}
	}
	for _, child := range n.Content {
		if key := findKey(child, name); key != nil {
			return key
		}
	}
	return nil
}

func yamlFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fields[name] = i
	}
	return fields
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func displayPath(path string) string {
	if path == "" {
		return "document"
	}
	return path
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}
