package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// span is where a node's value sits in the JSON that decodeJSON writes, so
// that a decoding error at a byte offset points back at the node.
type span struct {
	start, end int
	node       *yaml.Node
}

// jsonWriter writes a node tree as JSON, checking on the way what JSON
// cannot say or what a policy must not hold (duplicate keys, merge keys,
// tags outside YAML's core schema), each at the node itself.
type jsonWriter struct {
	d     *decoder
	buf   bytes.Buffer
	spans []span
	ok    bool
}

// decodeJSON decodes a Kubernetes type through encoding/json with unknown
// fields refused, as the API server would, and points at the offending key
// or value.
func (d *decoder) decodeJSON(n *yaml.Node, v reflect.Value, path string) {
	w := &jsonWriter{d: d, ok: true}
	w.write(n, path)
	if !w.ok {
		d.failed[path] = true
		return
	}
	dec := json.NewDecoder(bytes.NewReader(w.buf.Bytes()))
	dec.DisallowUnknownFields()
	err := dec.Decode(v.Addr().Interface())
	if err == nil {
		return
	}
	if v.Type() == quantityType {
		d.fail(n, path, "%s: invalid quantity %s", displayPath(path), describe(n))
		return
	}
	if key, value := badQuantity(n, v.Type()); value != nil {
		d.fail(value, path, "%s.%s: invalid quantity %s", displayPath(path), key, describe(value))
		return
	}
	at, msg := w.locate(n, err)
	d.fail(at, path, "%s: %s", displayPath(path), msg)
}

func (w *jsonWriter) write(n *yaml.Node, path string) {
	n, leave, ok := w.d.aliases.enter(w.d, n)
	defer leave()
	if !ok {
		w.ok = false
		return
	}
	w.d.positions[path] = w.d.pos(n)
	start := w.buf.Len()
	switch n.Kind {
	case yaml.MappingNode:
		w.writeMapping(n, path)
	case yaml.SequenceNode:
		w.buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.write(item, fmt.Sprintf("%s[%d]", path, i))
		}
		w.buf.WriteByte(']')
	default:
		w.writeScalar(n, path)
	}
	w.spans = append(w.spans, span{start: start, end: w.buf.Len(), node: n})
}

func (w *jsonWriter) writeMapping(n *yaml.Node, path string) {
	w.buf.WriteByte('{')
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if !w.d.checkKey(key, path) {
			w.ok = false
			continue
		}
		if seen[key.Value] {
			w.d.errs.add(w.d.pos(key), "%s: duplicate key %s", displayPath(path), quote(key.Value))
			w.ok = false
			continue
		}
		seen[key.Value] = true
		if len(seen) > 1 {
			w.buf.WriteByte(',')
		}
		writeJSONString(&w.buf, key.Value)
		w.buf.WriteByte(':')
		w.write(value, joinPath(path, key.Value))
	}
	w.buf.WriteByte('}')
}

// writeScalar writes a scalar as the JSON value YAML's core schema makes of
// it; integers keep every digit.
func (w *jsonWriter) writeScalar(n *yaml.Node, path string) {
	switch n.Tag {
	case "!!str":
		writeJSONString(&w.buf, n.Value)
		return
	case "!!null":
		w.buf.WriteString("null")
		return
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			w.buf.WriteString(strconv.FormatBool(b))
			return
		}
	case "!!int":
		if s, ok := yamlInt(n); ok {
			w.buf.WriteString(s)
			return
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			w.buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
	default:
		w.d.errs.add(w.d.pos(n), "%s: unsupported tag %s", displayPath(path), quote(n.Tag))
		w.ok = false
		return
	}
	w.d.errs.add(w.d.pos(n), "%s: %s is not a value JSON can hold", displayPath(path), quote(n.Value))
	w.ok = false
}

// yamlInt returns a YAML integer (0x1f, 0o17, -5, 99999999999999999999) as
// a JSON number with every digit kept.
func yamlInt(n *yaml.Node) (string, bool) {
	var i int64
	if n.Decode(&i) == nil {
		return strconv.FormatInt(i, 10), true
	}
	var u uint64
	if n.Decode(&u) == nil {
		return strconv.FormatUint(u, 10), true
	}
	digits := strings.TrimPrefix(strings.ReplaceAll(n.Value, "_", ""), "+")
	if json.Valid([]byte(digits)) && !strings.ContainsAny(digits, ".eE") {
		return digits, true
	}
	return "", false
}

func writeJSONString(buf *bytes.Buffer, s string) {
	raw, _ := json.Marshal(s) // a string always marshals
	buf.Write(raw)
}

// locate turns an encoding/json error into the node it is about and a
// one-line message: a type error at the value (by its byte offset), an
// unknown field at its key.
func (w *jsonWriter) locate(n *yaml.Node, err error) (*yaml.Node, string) {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		msg := fmt.Sprintf("expected %s, got %s", typeErr.Type, typeErr.Value)
		if field != "" {
			msg = fmt.Sprintf("field %s: %s", quote(field), msg)
		}
		if at := w.nodeAt(int(typeErr.Offset) - 1); at != nil {
			return at, msg
		}
		return n, msg
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			msg = "unknown field " + quote(unquoted)
			if key := findKey(n, unquoted); key != nil {
				return key, msg
			}
		}
	}
	return n, msg
}

// nodeAt returns the innermost node whose JSON holds the byte at offset.
func (w *jsonWriter) nodeAt(offset int) *yaml.Node {
	var best *span
	for i := range w.spans {
		s := &w.spans[i]
		if s.start <= offset && offset < s.end && (best == nil || s.start > best.start || s.end-s.start < best.end-best.start) {
			best = s
		}
	}
	if best == nil {
		return nil
	}
	return best.node
}

// findKey returns the first mapping key named name in a subtree, aliases
// not followed.
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

// badQuantity returns the first entry of a ResourceList mapping whose value
// is no quantity, so that the error names it rather than the parser's
// regular expression.
func badQuantity(n *yaml.Node, t reflect.Type) (string, *yaml.Node) {
	if t != resourceListType || n.Kind != yaml.MappingNode {
		return "", nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		value := n.Content[i+1]
		if _, err := resource.ParseQuantity(value.Value); err != nil || value.Kind != yaml.ScalarNode {
			return n.Content[i].Value, value
		}
	}
	return "", nil
}
