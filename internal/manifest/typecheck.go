package manifest

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// decodes reports whether json.Unmarshal of a generic value's JSON (as
// appendJSON writes it) into a value of type t certainly succeeds, without
// building the typed value: each JSON kind checked against the Go kind of
// the field it lands in, numbers against the integer's size, and values of
// a type with its own UnmarshalJSON (quantities, times) decoded by it. The
// preview decodes only what the engine reads (policy.DecodePod), and an
// object with a field of the wrong type anywhere must still be the
// positioned error a full decode gives: false sends it to that decode.
// False is also the answer wherever the check is not sure (a key matching
// a field only in another letter case, a TextUnmarshaler, a ",string"
// field), so it never says true where json.Unmarshal fails
// (FuzzDecodes holds that).
func decodes(v any, t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		raw, err := appendJSON(nil, v) // null too: encoding/json hands it over
		return err == nil && reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(raw) == nil
	}
	if v == nil {
		return true // null leaves the value as it is
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer:
		return decodes(v, t.Elem())
	case reflect.Interface:
		return t.NumMethod() == 0
	case reflect.Struct:
		obj, ok := v.(Object)
		return ok && decodesStruct(obj, fieldsOf(t))
	case reflect.Map:
		obj, ok := v.(Object)
		if !ok || t.Key().Kind() != reflect.String || reflect.PointerTo(t.Key()).Implements(textUnmarshaler) {
			return false
		}
		for _, item := range obj {
			if !decodes(item, t.Elem()) {
				return false
			}
		}
		return true
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			return false // []byte takes base64 text
		}
		for _, item := range list {
			if !decodes(item, t.Elem()) {
				return false
			}
		}
		return true
	case reflect.String:
		_, ok := v.(string)
		return ok
	case reflect.Bool:
		_, ok := v.(bool)
		return ok
	}
	return decodesNumber(v, t)
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodesNumber checks a number against an integer or float type as
// encoding/json's literalStore parses it.
func decodesNumber(v any, t reflect.Type) bool {
	var text string
	switch n := v.(type) {
	case float64:
		text = jsonNumberText(n)
	case json.Number:
		text = string(n)
	default:
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(text, 10, 64)
		return err == nil && !reflect.Zero(t).OverflowInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, err := strconv.ParseUint(text, 10, 64)
		return err == nil && !reflect.Zero(t).OverflowUint(u)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(text, t.Bits())
		return err == nil && !math.IsInf(f, 0) && !reflect.Zero(t).OverflowFloat(f)
	}
	return false
}

// structFields are the JSON fields of a struct type as encoding/json sees
// them; sure is false when the check cannot follow its rules (a ",string"
// field, two fields of one name).
type structFields struct {
	byName  map[string]reflect.Type
	byLower map[string]bool
	sure    bool
}

var fieldCache sync.Map // reflect.Type -> *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{byName: map[string]reflect.Type{}, byLower: map[string]bool{}, sure: true}
	f.add(t)
	fieldCache.Store(t, f)
	return f
}

// add adds the fields of t, those of embedded structs without a name
// promoted as encoding/json promotes them.
func (f *structFields) add(t reflect.Type) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			f.sure = false
		}
		if sf.Anonymous && name == "" {
			if sf.Type.Kind() == reflect.Struct {
				f.add(sf.Type)
			} else {
				f.sure = false // a promoted pointer or non-struct: not followed here
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, dup := f.byName[name]; dup {
			f.sure = false
		}
		f.byName[name] = sf.Type
		f.byLower[strings.ToLower(name)] = true
	}
}

// decodesStruct checks an object's keys against a struct's fields: an
// unknown key is ignored, as json.Unmarshal ignores it.
func decodesStruct(obj Object, f *structFields) bool {
	if !f.sure {
		return false
	}
	for k, v := range obj {
		ft, ok := f.byName[k]
		if !ok {
			if !isPlainASCII(k) || f.byLower[strings.ToLower(k)] {
				return false // encoding/json matches it case-insensitively
			}
			continue
		}
		if !decodes(v, ft) {
			return false
		}
	}
	return true
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
