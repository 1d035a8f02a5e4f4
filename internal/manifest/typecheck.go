package manifest

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
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
	return typeInfoOf(t).decodes(v)
}

func (ti *typeInfo) decodes(v any) bool {
	if ti.t == quantityType {
		if s, ok := v.(string); ok && !needsJSONEscape(s) {
			_, err := resource.ParseQuantity(strings.TrimSpace(s)) // Quantity.UnmarshalJSON on a plain string
			return err == nil
		}
	}
	if ti.unmarshaler {
		raw, err := appendJSON(nil, v) // null too: encoding/json hands it over
		return err == nil && reflect.New(ti.t).Interface().(json.Unmarshaler).UnmarshalJSON(raw) == nil
	}
	if v == nil {
		return true // null leaves the value as it is
	}
	if !ti.sure {
		return false
	}
	switch ti.t.Kind() {
	case reflect.Pointer:
		return ti.elem.decodes(v)
	case reflect.Interface:
		return true
	case reflect.Struct:
		obj, ok := v.(Object)
		return ok && ti.decodesStruct(obj)
	case reflect.Map:
		obj, ok := v.(Object)
		if !ok {
			return false
		}
		for _, item := range obj {
			if !ti.elem.decodes(item) {
				return false
			}
		}
		return true
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for _, item := range list {
			if !ti.elem.decodes(item) {
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
	return decodesNumber(v, ti.t)
}

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
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

// typeInfo is what decodes needs of a type, worked out once: sure is
// false where the check cannot follow encoding/json (a TextUnmarshaler, a
// ",string" field, two fields of one name, a promoted pointer, []byte,
// a map keyed otherwise than by a string, an interface with methods,
// channels and the like).
type typeInfo struct {
	t           reflect.Type
	unmarshaler bool
	sure        bool
	elem        *typeInfo            // pointers, maps, slices
	fields      map[string]*typeInfo // structs: by JSON name
	lower       map[string]bool      // structs: JSON names in lower case
}

var typeInfos = struct {
	sync.Mutex
	m map[reflect.Type]*typeInfo
}{m: map[reflect.Type]*typeInfo{}}

func typeInfoOf(t reflect.Type) *typeInfo {
	typeInfos.Lock()
	defer typeInfos.Unlock()
	return buildTypeInfo(t)
}

// buildTypeInfo builds the info of t and of the types in it; the lock is
// held, and a type is in the map before its fields, for recursive types.
func buildTypeInfo(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.m[t]; ok {
		return ti
	}
	ti := &typeInfo{t: t, sure: true}
	typeInfos.m[t] = ti
	ti.unmarshaler = reflect.PointerTo(t).Implements(jsonUnmarshaler)
	if ti.unmarshaler {
		return ti
	}
	switch k := t.Kind(); {
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		ti.sure = false
	case k == reflect.Pointer:
		ti.elem = buildTypeInfo(t.Elem())
	case k == reflect.Map:
		ti.sure = t.Key().Kind() == reflect.String && !reflect.PointerTo(t.Key()).Implements(textUnmarshaler)
		ti.elem = buildTypeInfo(t.Elem())
	case k == reflect.Slice:
		ti.sure = t.Elem().Kind() != reflect.Uint8 // []byte takes base64 text
		ti.elem = buildTypeInfo(t.Elem())
	case k == reflect.Struct:
		ti.fields, ti.lower = map[string]*typeInfo{}, map[string]bool{}
		ti.addFields(t)
	case k == reflect.Interface:
		ti.sure = t.NumMethod() == 0
	case k == reflect.Array || k == reflect.Chan || k == reflect.Func || k == reflect.Complex64 ||
		k == reflect.Complex128 || k == reflect.UnsafePointer:
		ti.sure = false
	}
	return ti
}

// addFields adds the fields of t, those of embedded structs without a name
// promoted as encoding/json promotes them.
func (ti *typeInfo) addFields(t reflect.Type) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			ti.sure = false
		}
		if sf.Anonymous && name == "" {
			if sf.Type.Kind() == reflect.Struct {
				ti.addFields(sf.Type)
			} else {
				ti.sure = false // a promoted pointer or non-struct: not followed here
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, dup := ti.fields[name]; dup {
			ti.sure = false
		}
		ti.fields[name] = buildTypeInfo(sf.Type)
		ti.lower[strings.ToLower(name)] = true
	}
}

// decodesStruct checks an object's keys against a struct's fields: an
// unknown key is ignored, as json.Unmarshal ignores it.
func (ti *typeInfo) decodesStruct(obj Object) bool {
	for k, v := range obj {
		field, ok := ti.fields[k]
		if !ok {
			if !isPlainASCII(k) || ti.lower[strings.ToLower(k)] {
				return false // encoding/json matches it case-insensitively
			}
			continue
		}
		if !field.decodes(v) {
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
