package policy

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The values DecodePod's scan decodes itself (decode_pod_scan.go): strings,
// string maps and resource lists are most of what the engine reads, and
// encoding/json's reflection cost more than the walk over the whole pod.

// decode decodes the value at the cursor into out with encoding/json.
func (s *jsonScanner) decode(out any) bool {
	raw, ok := s.value(4)
	return ok && json.Unmarshal(raw, out) == nil
}

// decodeString decodes a string; plain ones are copied without
// encoding/json.
func (s *jsonScanner) decodeString(out *string) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == 'n' {
		return s.literal("null") // encoding/json leaves the string as it is
	}
	if s.i < len(s.data) && s.data[s.i] == '"' {
		content, escaped, ok := s.str()
		if ok && !escaped && utf8.Valid(content) { // encoding/json replaces invalid UTF-8
			*out = string(content)
			return true
		}
		if !ok {
			return false
		}
		return json.Unmarshal(s.data[s.i-len(content)-2:s.i], out) == nil
	}
	return s.decode(out)
}

// decodeStringMap decodes an object of strings (or a null) as encoding/json
// decodes it into a map[string]string, a null member being "", without
// reflection: labels and annotations are most of what the engine reads.
func (s *jsonScanner) decodeStringMap(out *map[string]string) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == 'n' {
		return s.literal("null")
	}
	if s.i >= len(s.data) || s.data[s.i] != '{' {
		return false
	}
	m := map[string]string{}
	ok := s.object(4, func(key []byte) bool {
		var k, v string
		if !s.plainString(key, &k) {
			return false
		}
		s.space()
		if s.i < len(s.data) && s.data[s.i] == 'n' {
			m[k] = ""
			return s.literal("null")
		}
		if s.i >= len(s.data) || s.data[s.i] != '"' || !s.decodeString(&v) {
			return false
		}
		m[k] = v
		return true
	})
	*out = m
	return ok
}

// plainString unquotes a key the scanner read (content as written), with
// encoding/json when it holds escapes or invalid UTF-8.
func (s *jsonScanner) plainString(content []byte, out *string) bool {
	for _, c := range content {
		if c == '\\' || c >= 0x80 {
			quoted := make([]byte, 0, len(content)+2)
			quoted = append(append(append(quoted, '"'), content...), '"')
			return json.Unmarshal(quoted, out) == nil
		}
	}
	*out = string(content)
	return true
}

// fieldSet marks the fields of one object met so far: the scanner gives up
// on a field given twice, which encoding/json merges.
type fieldSet uint32

// once reports whether key is not a field of fields met before, marking it.
func (f *fieldSet) once(key []byte, fields []string) bool {
	for i, name := range fields {
		if string(key) == name {
			if *f&(1<<i) != 0 {
				return false
			}
			*f |= 1 << i
			return true
		}
	}
	return true
}

// resources scans a container's resources, each quantity decoded by its
// own UnmarshalJSON as encoding/json would call it, without reflection.
func (s *jsonScanner) resources(out *corev1.ResourceRequirements) bool {
	var seen fieldSet
	return s.nested(5, func(key []byte) bool {
		if !seen.once(key, resourceFields) {
			return false
		}
		switch string(key) {
		case "limits":
			return s.resourceList(&out.Limits)
		case "requests":
			return s.resourceList(&out.Requests)
		case "claims":
			return s.decode(&out.Claims)
		}
		return s.skipOther(key, resourceFields, 6)
	})
}

func (s *jsonScanner) resourceList(out *corev1.ResourceList) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == 'n' {
		return s.literal("null")
	}
	if s.i >= len(s.data) || s.data[s.i] != '{' {
		return false
	}
	list := corev1.ResourceList{}
	ok := s.object(6, func(key []byte) bool {
		var name string
		if !s.plainString(key, &name) {
			return false
		}
		raw, ok := s.value(7)
		var q resource.Quantity
		if !ok || q.UnmarshalJSON(raw) != nil {
			return false
		}
		list[corev1.ResourceName(name)] = q
		return true
	})
	*out = list
	return ok
}

// The fields of the small API types the scan decodes itself.
var (
	tolerationFields = []string{"key", "operator", "value", "effect", "tolerationSeconds"}
	ownerFields      = []string{"apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"}
	emptyDirFields   = []string{"medium", "sizeLimit"}
)

func (s *jsonScanner) tolerations(out *[]corev1.Toleration) bool {
	return scanList(s, out, tolerationFields, func(t *corev1.Toleration, key []byte) bool {
		switch string(key) {
		case "key":
			return s.decodeString(&t.Key)
		case "operator":
			return s.decodeString((*string)(&t.Operator))
		case "value":
			return s.decodeString(&t.Value)
		case "effect":
			return s.decodeString((*string)(&t.Effect))
		case "tolerationSeconds":
			return s.decodeInt64(&t.TolerationSeconds)
		}
		return s.skipOther(key, tolerationFields, 5)
	})
}

func (s *jsonScanner) ownerReferences(out *[]metav1.OwnerReference) bool {
	return scanList(s, out, ownerFields, func(r *metav1.OwnerReference, key []byte) bool {
		switch string(key) {
		case "apiVersion":
			return s.decodeString(&r.APIVersion)
		case "kind":
			return s.decodeString(&r.Kind)
		case "name":
			return s.decodeString(&r.Name)
		case "uid":
			return s.decodeString((*string)(&r.UID))
		case "controller":
			return s.decodeBool(&r.Controller)
		case "blockOwnerDeletion":
			return s.decodeBool(&r.BlockOwnerDeletion)
		}
		return s.skipOther(key, ownerFields, 5)
	})
}

func (s *jsonScanner) emptyDir(out **corev1.EmptyDirVolumeSource) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == 'n' {
		*out = nil
		return s.literal("null")
	}
	e := &corev1.EmptyDirVolumeSource{}
	*out = e
	var seen fieldSet
	return s.nested(6, func(key []byte) bool {
		if !seen.once(key, emptyDirFields) {
			return false
		}
		switch string(key) {
		case "medium":
			return s.decodeString((*string)(&e.Medium))
		case "sizeLimit":
			s.space()
			if s.i < len(s.data) && s.data[s.i] == 'n' {
				e.SizeLimit = nil // encoding/json sets a null pointer, without UnmarshalJSON
				return s.literal("null")
			}
			raw, ok := s.value(7)
			e.SizeLimit = &resource.Quantity{}
			return ok && e.SizeLimit.UnmarshalJSON(raw) == nil
		}
		return s.skipOther(key, emptyDirFields, 7)
	})
}

// decodeInt64 decodes a *int64 as encoding/json does: null is nil, a number
// must be an integer in range.
func (s *jsonScanner) decodeInt64(out **int64) bool {
	raw, ok := s.value(6)
	if !ok {
		return false
	}
	if string(raw) == "null" {
		*out = nil
		return true
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return false
	}
	*out = &n
	return true
}

// decodeBool decodes a *bool as encoding/json does.
func (s *jsonScanner) decodeBool(out **bool) bool {
	raw, ok := s.value(6)
	switch {
	case !ok:
		return false
	case string(raw) == "null":
		*out = nil
	case string(raw) == "true", string(raw) == "false":
		b := string(raw) == "true"
		*out = &b
	default:
		return false
	}
	return true
}
