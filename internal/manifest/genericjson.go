package manifest

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// appendJSON appends a generic value as JSON that decodes exactly as
// json.Marshal's encoding of it decodes (keys in the same sorted order, so
// that a decoding error names the same first field, and numbers in the same
// text), without encoding/json's reflection: converting each object to a
// typed pod went through JSON, and the marshal half of it was a tenth of
// the preview's time.
func appendJSON(buf []byte, v any) ([]byte, error) {
	j := jsonAppender{buf: buf}
	err := j.value(v)
	return j.buf, err
}

// jsonAppender appends generic values as JSON; entries is a stack of the
// objects' sorted entries, deepest last, so that sorting allocates nothing.
type jsonAppender struct {
	buf     []byte
	entries []entry
}

func (j *jsonAppender) value(v any) error {
	switch v := v.(type) {
	case nil:
		j.buf = append(j.buf, "null"...)
	case bool:
		j.buf = strconv.AppendBool(j.buf, v)
	case string:
		j.buf = appendJSONString(j.buf, v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e18 && (v != 0 || !math.Signbit(v)) {
			j.buf = strconv.AppendInt(j.buf, int64(v), 10) // jsonNumberText's digits
		} else {
			j.buf = append(j.buf, jsonNumberText(v)...)
		}
	case json.Number:
		j.buf = append(j.buf, v...)
	case Object:
		return j.object(v)
	case []any:
		j.buf = append(j.buf, '[')
		for i, item := range v {
			if i > 0 {
				j.buf = append(j.buf, ',')
			}
			if err := j.value(item); err != nil {
				return err
			}
		}
		j.buf = append(j.buf, ']')
	default:
		raw, err := json.Marshal(v)
		j.buf = append(j.buf, raw...)
		return err
	}
	return nil
}

// object appends an object, its keys in encoding/json's (byte) order.
func (j *jsonAppender) object(obj Object) error {
	base := len(j.entries)
	for k, v := range obj {
		j.entries = append(j.entries, entry{k, v})
	}
	slices.SortFunc(j.entries[base:], func(a, b entry) int { return strings.Compare(a.k, b.k) })
	j.buf = append(j.buf, '{')
	for i := base; i < len(j.entries); i++ {
		if i > base {
			j.buf = append(j.buf, ',')
		}
		e := j.entries[i] // j.entries may grow below: index, do not hold a slice
		j.buf = append(appendJSONString(j.buf, e.k), ':')
		if err := j.value(e.v); err != nil {
			return err
		}
	}
	j.buf = append(j.buf, '}')
	j.entries = j.entries[:base]
	return nil
}

// needsJSONEscape reports whether s has a byte JSON escapes, or UTF-8
// (which encoding/json may escape).
func needsJSONEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// appendJSONString appends a string; one that needs escaping or holds
// non-ASCII goes through encoding/json.
func appendJSONString(buf []byte, s string) []byte {
	if needsJSONEscape(s) {
		raw, _ := json.Marshal(s) // a string always encodes
		return append(buf, raw...)
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
