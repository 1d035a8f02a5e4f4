package policyschema

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/poolpatch/poolpatch/policy"
)

// Schema is one JSON Schema object.
type Schema = map[string]any

// ownPkgPath tells poolpatch's types (decoded by yaml tag, fields may be
// null) from Kubernetes types (decoded through encoding/json by json tag).
var ownPkgPath = reflect.TypeFor[policy.PoolPolicy]().PkgPath()

// Generate returns the schema of one PoolPolicy document.
func Generate() Schema {
	s := generate(reflect.TypeFor[policy.PoolPolicy]())
	s["$schema"] = "http://json-schema.org/draft-07/schema#"
	s["title"] = "PoolPolicy"
	return s
}

// ChartItem returns the schema of one entry of the chart's `policies` value:
// a PoolPolicy whose apiVersion and kind the chart fills in when absent.
func ChartItem() Schema {
	s := generate(reflect.TypeFor[policy.PoolPolicy]())
	s["required"] = without(s["required"].([]string), "apiVersion", "kind")
	s["$comment"] = "Generated from the Go types by `make schema`: edit internal/policyschema, not this."
	return s
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, s := range list {
		if !contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	durationType    = reflect.TypeFor[time.Duration]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// generate returns the schema of t, as the loader decodes it.
func generate(t reflect.Type) Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := typeSchema(t); ok {
		return s
	}
	switch t.Kind() {
	case reflect.Struct:
		return structSchema(t)
	case reflect.Slice:
		return Schema{"type": "array", "items": generate(t.Elem())}
	case reflect.Map:
		return Schema{"type": "object", "additionalProperties": mapValue(t.Elem())}
	case reflect.String:
		return Schema{"type": "string"}
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		bits := t.Bits()
		return Schema{"type": "integer", "minimum": -(int64(1) << (bits - 1)), "maximum": int64(1)<<(bits-1) - 1}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return Schema{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}
	}
	// Anything else decodes in ways a schema cannot follow: accept it and
	// leave the verdict to `poolpatch validate`.
	return Schema{}
}

// typeSchema handles types whose text form is not their Go shape: those
// the rules know (quantities, durations), and any other type with its own
// unmarshaler, which the schema accepts as anything.
func typeSchema(t reflect.Type) (Schema, bool) {
	if rule, ok := typeRules[t]; ok {
		return rule(), true
	}
	switch {
	case t == durationType:
		return Schema{"type": "string", "pattern": durationPattern}, true
	case t.PkgPath() != ownPkgPath && (reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)):
		return Schema{"description": "decoded by " + t.String() + "; checked by poolpatch validate"}, true
	}
	return nil, false
}

// mapValue: a null map value decodes to the zero value, which is valid for
// the string maps of a policy (annotations, labels).
func mapValue(t reflect.Type) Schema {
	s := generate(t)
	if t.Kind() == reflect.String {
		nullable(s)
	}
	return s
}

// structSchema lists the fields by the name the loader decodes them by; an
// unknown field is an error, and a null field counts as absent.
func structSchema(t reflect.Type) Schema {
	own := t.PkgPath() == ownPkgPath
	props := Schema{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := fieldName(f, own)
		if name == "" {
			continue
		}
		s := generate(f.Type)
		if rule, ok := fieldRules[t.Name()+"."+name]; ok {
			rule(s)
		}
		props[name] = s
	}
	s := Schema{"type": "object", "properties": props, "additionalProperties": false}
	if d, ok := descriptions[t.Name()]; ok {
		s["description"] = d
	}
	for name, p := range props {
		ps := p.(Schema)
		if d, ok := descriptions[t.Name()+"."+name]; ok {
			ps["description"] = d
		}
	}
	required := requiredFields[t.Name()]
	for name, p := range props {
		if !contains(required, name) {
			nullable(p.(Schema))
		}
	}
	if len(required) > 0 {
		s["required"] = required
	}
	if rule, ok := structRules[t.Name()]; ok {
		rule(s)
	}
	return s
}

func fieldName(f reflect.StructField, own bool) string {
	if !f.IsExported() {
		return ""
	}
	tag := "json"
	if own {
		tag = "yaml"
	}
	name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// nullable lets a value be null, which the loader reads as absent.
func nullable(s Schema) {
	switch ty := s["type"].(type) {
	case string:
		s["type"] = []string{ty, "null"}
	case []string:
		if !contains(ty, "null") {
			s["type"] = append(ty, "null")
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		s["enum"] = append(enum, nil)
	}
}
