package manifest

import (
	"encoding/json"
	"math"
	"strconv"

	yamlv2 "go.yaml.in/yaml/v2"
)

// marshalYAML prints an object as sigs.k8s.io/yaml.Marshal does (JSON, then
// the JSON read back by yaml.v2 and printed by it), without the JSON round
// trip: yamlPrinter prints the generic tree itself, which was the largest
// part of the preview's time in yaml.v2's reflection and emitter; a
// document it is not sure of (a multi-line or non-ASCII string, a scalar
// yaml.v2 may fold) is printed by yaml.v2 from yamlTree, each value given
// the Go type yaml.v2 would have resolved from its JSON text. The golden
// files hold the output byte for byte, FuzzMarshalYAML the two paths equal.
func marshalYAML(obj Object) ([]byte, error) {
	var p yamlPrinter
	return p.appendYAML(nil, obj)
}

// appendYAML appends marshalYAML's text to buf; p's space is reused from
// one document to the next.
func (p *yamlPrinter) appendYAML(buf []byte, obj Object) ([]byte, error) {
	p.buf, p.entries = buf, p.entries[:0]
	if p.document(obj) == nil {
		return p.buf, nil
	}
	raw, err := yamlv2.Marshal(yamlTree(obj))
	if err != nil {
		return buf, err
	}
	return append(buf, raw...), nil
}

// yamlTree converts a generic JSON value to the types yaml.v2 resolves its
// JSON text to: numbers become int, uint64 or float64 by their text.
func yamlTree(v any) any {
	switch v := v.(type) {
	case Object:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = yamlTree(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = yamlTree(item)
		}
		return out
	case float64:
		return resolveNumber(jsonNumberText(v), v)
	case json.Number:
		f, _ := v.Float64()
		return resolveNumber(string(v), f)
	}
	return v
}

// resolveNumber types a JSON number's text as yaml.v2 resolves it.
func resolveNumber(text string, f float64) any {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return int(i)
	}
	if u, err := strconv.ParseUint(text, 10, 64); err == nil {
		return u
	}
	return f
}

// jsonNumberText formats a float64 as encoding/json does.
func jsonNumberText(f float64) string {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		raw, _ := json.Marshal(f) // the exponent form: rare, leave it to encoding/json
		return string(raw)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
