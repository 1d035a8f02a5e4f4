package policy

import (
	"encoding/json"
	"fmt"

	"github.com/mattbaird/jsonpatch"
)

// MarshalPatch encodes a patch as the JSON array an admission response
// carries, in one buffer: the operation type's own MarshalJSON formats each
// operation separately and encoding/json then validates and compacts it
// again, which costs a webhook a tenth of its time. Values prepared when the
// set was loaded are already JSON (json.RawMessage) and are copied as they
// are.
func MarshalPatch(ops []jsonpatch.JsonPatchOperation) ([]byte, error) {
	buf := make([]byte, 0, 128*len(ops)+2)
	buf = append(buf, '[')
	for i, op := range ops {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"op":`...)
		buf = appendString(buf, op.Operation)
		buf = append(buf, `,"path":`...)
		buf = appendString(buf, op.Path)
		buf = append(buf, `,"value":`...)
		switch v := op.Value.(type) {
		case json.RawMessage:
			buf = append(buf, v...)
		case string:
			buf = appendString(buf, v)
		default:
			raw, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("encode the value of %s: %w", op.Path, err)
			}
			buf = append(buf, raw...)
		}
		buf = append(buf, '}')
	}
	return append(buf, ']'), nil
}

// appendString appends s as a JSON string; the paths and values poolpatch
// writes rarely need escaping, so that case goes through encoding/json.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			raw, _ := json.Marshal(s) // a string always encodes
			return append(buf, raw...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
