package manifest

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// errUnsure stops the YAML printer at a value whose printing it does not
// know for certain; marshalYAML then leaves the document to yaml.v2.
var errUnsure = errors.New("not printed by the fast path")

// bestWidth is yaml.v2's line width: a scalar holding a space may be folded
// past it, which the printer leaves to yaml.v2.
const bestWidth = 80

// maxSimpleKey is the longest key yaml.v2 prints as a simple key ("k: v");
// a longer one is a complex key ("? k"), left to yaml.v2.
const maxSimpleKey = 128

// yamlPrinter prints a generic tree as yaml.v2 prints yamlTree of it:
// block style, keys in yaml.v2's order (yamlKeyLess), sequences inside a
// mapping not indented, empty mappings and sequences as {} and [], scalars
// in the style yaml.v2 picks (yamlString). It reports errUnsure rather than
// guess: a string with a line break or outside printable ASCII, a scalar
// yaml.v2 might fold, a key too long to be simple, keys yaml.v2 would order
// by chance.
type yamlPrinter struct {
	buf []byte
	// entries is a stack of the mappings' sorted entries, deepest last.
	entries []entry
}

// entry is a mapping's key and value.
type entry struct {
	k string
	v any
}

// document appends obj as one YAML document, as yamlv2.Marshal prints it.
func (p *yamlPrinter) document(obj Object) error {
	if len(obj) == 0 {
		p.buf = append(p.buf, "{}\n"...)
		return nil
	}
	return p.mapping(obj, 0, false)
}

// mapping appends a non-empty mapping whose keys sit at column indent;
// inline says the first key follows a sequence's "- " on the same line.
func (p *yamlPrinter) mapping(m Object, indent int, inline bool) error {
	base := len(p.entries)
	for k, v := range m {
		p.entries = append(p.entries, entry{k, v})
	}
	if !sortYAMLKeys(p.entries[base:]) {
		return errUnsure
	}
	for i := base; i < len(p.entries); i++ {
		e := p.entries[i] // p.entries may grow below: index, do not hold a slice
		if i > base || !inline {
			p.indent(indent)
		}
		if len(e.k) > maxSimpleKey {
			return errUnsure
		}
		start := len(p.buf)
		var ok bool
		if p.buf, ok = appendYAMLString(p.buf, e.k, fold{}); !ok {
			return errUnsure
		}
		p.buf = append(p.buf, ':')
		if err := p.value(e.v, indent, fold{true, indent + len(p.buf) - start + 1, indent + 2}); err != nil {
			return err
		}
	}
	p.entries = p.entries[:base]
	return nil
}

// value appends what follows the colon of a key at column indent: a scalar
// or an empty collection on the same line (at f), else a new line and the
// block.
func (p *yamlPrinter) value(v any, indent int, f fold) error {
	switch v := v.(type) {
	case Object:
		if len(v) > 0 {
			p.buf = append(p.buf, '\n')
			return p.mapping(v, indent+2, false)
		}
	case []any:
		if len(v) > 0 {
			p.buf = append(p.buf, '\n')
			return p.sequence(v, indent, false) // yaml.v2 does not indent it
		}
	}
	p.buf = append(p.buf, ' ')
	return p.scalarLine(v, f)
}

// sequence appends a non-empty sequence whose dashes sit at column indent.
func (p *yamlPrinter) sequence(list []any, indent int, inline bool) error {
	for i, item := range list {
		if i > 0 || !inline {
			p.indent(indent)
		}
		p.buf = append(p.buf, "- "...)
		f := fold{true, indent + 2, indent + 2}
		var err error
		switch v := item.(type) {
		case Object:
			if len(v) > 0 {
				err = p.mapping(v, indent+2, true)
				break
			}
			err = p.scalarLine(v, f)
		case []any:
			if len(v) > 0 {
				err = p.sequence(v, indent+2, true)
				break
			}
			err = p.scalarLine(v, f)
		default:
			err = p.scalarLine(v, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// scalarLine appends a scalar (or an empty collection) placed at f, and
// the line's end.
func (p *yamlPrinter) scalarLine(v any, f fold) error {
	var ok bool
	if p.buf, ok = appendYAMLScalar(p.buf, v, f); !ok {
		return errUnsure
	}
	p.buf = append(p.buf, '\n')
	return nil
}

func (p *yamlPrinter) indent(n int) {
	for range n {
		p.buf = append(p.buf, ' ')
	}
}

// appendYAMLScalar appends a scalar of the generic tree as yaml.v2 prints
// the value yamlTree gives it; ok is false for a value it cannot print for
// certain.
func appendYAMLScalar(buf []byte, v any, f fold) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...), true
	case bool:
		return strconv.AppendBool(buf, v), true
	case string:
		return appendYAMLString(buf, v, f)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e18 {
			return strconv.AppendInt(buf, int64(v), 10), true // resolveNumber's int
		}
		return appendYAMLNumber(buf, resolveNumber(jsonNumberText(v), v)), true
	case json.Number:
		f, _ := v.Float64()
		return appendYAMLNumber(buf, resolveNumber(string(v), f)), true
	case Object:
		return append(buf, "{}"...), len(v) == 0
	case []any:
		return append(buf, "[]"...), len(v) == 0
	}
	return buf, false
}

// appendYAMLNumber prints a number typed by resolveNumber as yaml.v2's
// intv, uintv and floatv do.
func appendYAMLNumber(buf []byte, n any) []byte {
	switch n := n.(type) {
	case int:
		return strconv.AppendInt(buf, int64(n), 10)
	case uint64:
		return strconv.AppendUint(buf, n, 10)
	}
	f := n.(float64)
	switch {
	case math.IsInf(f, 1):
		return append(buf, ".inf"...)
	case math.IsInf(f, -1):
		return append(buf, "-.inf"...)
	case math.IsNaN(f):
		return append(buf, ".nan"...)
	}
	return strconv.AppendFloat(buf, f, 'g', -1, 64)
}
