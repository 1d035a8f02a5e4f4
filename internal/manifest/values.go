package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxAliasNodes bounds what aliases may expand to in one document, so that
// a few kilobytes of anchors cannot stand for millions of values; maxDepth
// bounds nesting as the API server's JSON decoder does (an anchor holding
// an alias of itself nests without end).
const (
	maxAliasNodes = 100_000
	maxDepth      = 10_000
)

// errAliases is returned when a document's aliases expand past maxAliasNodes.
var errAliases = fmt.Errorf("aliases expand to more than %d values", maxAliasNodes)

// converter turns a yaml.v3 node tree into the generic JSON form of an
// object, as kubectl reads YAML: merge keys applied, aliases followed,
// timestamps kept as the strings they are. Numbers are float64, as
// encoding/json decodes them, except integers that a float64 cannot hold
// exactly (above 2^53): those become a json.Number with every digit, so
// that a value poolpatch does not own comes back exactly.
type converter struct {
	aliased int
	// depth counts the aliases the walk is inside, nesting all levels.
	depth, nesting int
}

// positionedError is a conversion error at a node.
type positionedError struct {
	node *yaml.Node
	msg  string
}

func (e *positionedError) Error() string { return e.msg }

func (c *converter) value(n *yaml.Node) (any, error) {
	if c.nesting++; c.nesting > maxDepth {
		return nil, &positionedError{n, fmt.Sprintf("nested deeper than %d levels", maxDepth)}
	}
	defer func() { c.nesting-- }()
	if n.Kind == yaml.AliasNode {
		c.depth++
		defer func() { c.depth-- }()
		n = n.Alias
	}
	if c.depth > 0 {
		if c.aliased++; c.aliased > maxAliasNodes {
			return nil, &positionedError{n, errAliases.Error()}
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		obj := make(Object, len(n.Content)/2)
		return obj, c.mapping(n, obj)
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, item := range n.Content {
			v, err := c.value(item)
			if err != nil {
				return nil, err
			}
			list[i] = v
		}
		return list, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, &positionedError{n, "unexpected YAML node"}
}

// mapping fills obj from n: merged mappings first, so that keys written
// in n win, as YAML's merge key says.
func (c *converter) mapping(n *yaml.Node, obj Object) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if key := n.Content[i]; key.Tag == "!!merge" {
			if err := c.merge(n.Content[i+1], obj); err != nil {
				return err
			}
		}
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		if key.Tag == "!!merge" {
			continue
		}
		if key.Kind != yaml.ScalarNode {
			return &positionedError{key, "a mapping key must be a string"}
		}
		if seen[key.Value] {
			return &positionedError{key, fmt.Sprintf("mapping key %q already defined", key.Value)}
		}
		seen[key.Value] = true
		v, err := c.value(n.Content[i+1])
		if err != nil {
			return err
		}
		obj[key.Value] = v
	}
	return nil
}

// merge applies a merge key's value: a mapping, or a list of them (the
// first one wins a key).
func (c *converter) merge(n *yaml.Node, obj Object) error {
	v, err := c.value(n)
	if err != nil {
		return err
	}
	sources, ok := v.([]any)
	if !ok {
		sources = []any{v}
	}
	for i := len(sources) - 1; i >= 0; i-- {
		m, ok := sources[i].(Object)
		if !ok {
			return &positionedError{n, "a merge key takes a mapping or a list of mappings"}
		}
		for k, v := range m {
			obj[k] = v
		}
	}
	return nil
}

// scalar converts a scalar by its resolved tag, keeping numbers exact.
func scalar(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &positionedError{n, err.Error()}
		}
		return b, nil
	case "!!int":
		if num, ok := integer(n); ok {
			return num, nil
		}
	case "!!float":
		if text, ok := integerText(n.Value); ok {
			return json.Number(text), nil // yaml.v3 takes integers beyond uint64 for floats
		}
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, nil
		}
		return nil, &positionedError{n, fmt.Sprintf("%s is not a number JSON can hold", n.Value)}
	case "!!binary":
		var s string
		if err := n.Decode(&s); err != nil {
			return nil, &positionedError{n, err.Error()}
		}
		return s, nil
	}
	// Strings, timestamps and custom tags: the text as written.
	return n.Value, nil
}

// integer returns a YAML integer (5, +5, 0x1f, 0o17, 99999999999999999999)
// as number does.
func integer(n *yaml.Node) (any, bool) {
	var i int64
	if n.Decode(&i) == nil {
		return number(json.Number(strconv.FormatInt(i, 10))), true
	}
	var u uint64
	if n.Decode(&u) == nil {
		return number(json.Number(strconv.FormatUint(u, 10))), true
	}
	if text, ok := integerText(n.Value); ok {
		return json.Number(text), true
	}
	return nil, false
}

// integerText returns a decimal integer literal (an optional sign, then
// digits) as JSON writes it.
func integerText(s string) (string, bool) {
	text := strings.TrimPrefix(s, "+")
	digits := strings.TrimPrefix(text, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" || len(digits) > 1 && digits[0] == '0' {
		return "", false
	}
	return text, true
}

// maxExact is the largest integer every float64 below it holds exactly.
const maxExact = 1 << 53

// number returns a JSON number as encoding/json would (a float64), unless
// it is an integer a float64 cannot hold exactly: then the json.Number
// itself, which marshals back to every digit.
func number(num json.Number) any {
	if i, err := num.Int64(); err == nil {
		if i >= -maxExact && i <= maxExact {
			return float64(i)
		}
		return num
	}
	if !strings.ContainsAny(string(num), ".eE") {
		return num // an integer beyond int64
	}
	if f, err := num.Float64(); err == nil {
		return f
	}
	return num
}

// exactNumbers replaces, in a value decoded with UseNumber, every number by
// what number returns.
func exactNumbers(v any) any {
	switch v := v.(type) {
	case Object:
		for k, item := range v {
			v[k] = exactNumbers(item)
		}
	case []any:
		for i, item := range v {
			v[i] = exactNumbers(item)
		}
	case json.Number:
		return number(v)
	}
	return v
}

// DecodeObject decodes a JSON object as json.Unmarshal does, except that
// integers above 2^53 stay json.Number, every digit kept: decode with it
// wherever an object poolpatch does not own goes through JSON.
func DecodeObject(raw []byte) (Object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj Object
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the object")
	}
	exactNumbers(obj)
	return obj, nil
}

// CopyObject deep-copies a generic object, numbers kept as they are.
func CopyObject(obj Object) Object {
	out := make(Object, len(obj))
	for k, v := range obj {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch v := v.(type) {
	case Object:
		return CopyObject(v)
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = copyValue(item)
		}
		return out
	}
	return v
}
