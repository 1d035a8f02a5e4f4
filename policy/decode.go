package policy

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ownPkgPath tells poolpatch's own types (decoded field by field from the
// yaml.v3 node tree, keeping positions) from Kubernetes types, which carry
// JSON tags only and are decoded strictly through encoding/json.
var ownPkgPath = reflect.TypeFor[PoolPolicy]().PkgPath()

var (
	quantityType     = reflect.TypeFor[resource.Quantity]()
	resourceListType = reflect.TypeFor[corev1.ResourceList]()
)

// decoder strictly decodes one document's node tree and remembers the
// position of every value by its path (spec.pools[1].weight), so that
// validation can point at the offending line and column. A value that does
// not decode is reported and its path marked failed; the rest of the
// document is still decoded and validated, so that one mistake does not
// hide the others.
type decoder struct {
	source    string
	errs      *ErrorList
	positions map[string]Position
	failed    map[string]bool
	aliases   *aliasBudget
	// nesting is how deep the walk is now.
	nesting int
}

func (d *decoder) pos(n *yaml.Node) Position {
	return Position{Source: d.source, Line: n.Line, Column: n.Column}
}

// fail reports a mistake at n and marks path failed, so that validation
// does not report it a second time.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.failed[path] = true
	d.errs.add(d.pos(n), format, args...)
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n, leave, ok := d.aliases.enter(d, n)
	defer leave()
	if !ok {
		d.failed[path] = true
		return
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
		d.decodeScalar(n, v, path)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "%s: expected a mapping, got %s", displayPath(path), describe(n))
		return
	}
	fields := yamlFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if !d.checkKey(key, path) {
			continue
		}
		if seen[key.Value] {
			d.errs.add(d.pos(key), "%s: duplicate field %s", displayPath(path), quote(key.Value))
			continue
		}
		seen[key.Value] = true
		index, ok := fields[key.Value]
		if !ok {
			d.errs.add(d.pos(key), "%s: unknown field %s", displayPath(path), quote(key.Value))
			continue
		}
		d.decode(value, v.Field(index), joinPath(path, key.Value))
	}
}

// checkKey refuses mapping keys that are not plain strings, merge keys
// included: a policy is written out, not assembled.
func (d *decoder) checkKey(key *yaml.Node, path string) bool {
	switch {
	case key.Tag == "!!merge":
		d.errs.add(d.pos(key), "%s: merge keys (<<) are not supported: write the fields out", displayPath(path))
	case key.Kind != yaml.ScalarNode:
		d.errs.add(d.pos(key), "%s: expected a string key, got %s", displayPath(path), describe(key))
	default:
		return true
	}
	return false
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "%s: expected a list, got %s", displayPath(path), describe(n))
		return
	}
	v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
	for i, item := range n.Content {
		d.decode(item, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "%s: expected a mapping, got %s", displayPath(path), describe(n))
		return
	}
	v.Set(reflect.MakeMap(v.Type()))
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if !d.checkKey(key, path) {
			continue
		}
		keyPath := joinPath(path, key.Value)
		if v.MapIndex(reflect.ValueOf(key.Value)).IsValid() {
			d.errs.add(d.pos(key), "%s: duplicate key %s", displayPath(path), quote(key.Value))
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(value, elem, keyPath)
		if d.failed[keyPath] {
			continue
		}
		d.positions[keyPath] = d.pos(key)
		v.SetMapIndex(reflect.ValueOf(key.Value), elem)
	}
}

// scalarTags is the YAML tag each kind of scalar field takes: 1.5 is no
// weight, and "true" no switch.
var scalarTags = map[reflect.Kind]struct{ tag, name string }{
	reflect.String: {"!!str", "a string"},
	reflect.Bool:   {"!!bool", "true or false"},
	reflect.Int32:  {"!!int", "an integer"},
	reflect.Int64:  {"!!int", "an integer"},
	reflect.Int:    {"!!int", "an integer"},
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	want, known := scalarTags[v.Kind()]
	if !known {
		want.name = "a " + v.Kind().String()
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "%s: expected %s, got %s", displayPath(path), want.name, describe(n))
		return
	}
	if known && n.Tag != want.tag {
		// A string field given 5 or true is almost always a mistake that the
		// API server would reject later; ask for quotes now.
		hint := ""
		if v.Kind() == reflect.String {
			hint = " (quote it)"
		}
		d.fail(n, path, "%s: expected %s, got %s %s%s", displayPath(path), want.name, strings.TrimPrefix(n.Tag, "!!"), quote(n.Value), hint)
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.fail(n, path, "%s: expected %s, got %s", displayPath(path), want.name, quote(n.Value))
	}
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
	if len(path) > 2*maxQuoted {
		return strings.ToValidUTF8(path[:2*maxQuoted], "") + "..."
	}
	return path
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	default:
		return quote(n.Value)
	}
}
