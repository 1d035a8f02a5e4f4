package policy

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mattbaird/jsonpatch"
	corev1 "k8s.io/api/core/v1"
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

// appendRequirementJSON appends a node selector requirement as json.Marshal
// encodes it (fields in declaration order, values omitted when empty),
// without reflection: the engine prepares the JSON of a policy's affinity
// terms once (affinity_writes.go).
func appendRequirementJSON(buf []byte, r *corev1.NodeSelectorRequirement) []byte {
	buf = append(buf, `{"key":`...)
	buf = appendString(buf, r.Key)
	buf = append(buf, `,"operator":`...)
	buf = appendString(buf, string(r.Operator))
	if len(r.Values) > 0 {
		buf = append(buf, `,"values":[`...)
		for i, v := range r.Values {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, v)
		}
		buf = append(buf, ']')
	}
	return append(buf, '}')
}

// appendSelectorTermJSON appends a node selector term as json.Marshal does.
func appendSelectorTermJSON(buf []byte, t *corev1.NodeSelectorTerm) []byte {
	buf = append(buf, '{')
	for _, list := range []struct {
		name  string
		exprs []corev1.NodeSelectorRequirement
	}{{"matchExpressions", t.MatchExpressions}, {"matchFields", t.MatchFields}} {
		if len(list.exprs) == 0 {
			continue
		}
		if buf[len(buf)-1] != '{' {
			buf = append(buf, ',')
		}
		buf = append(append(append(buf, '"'), list.name...), `":[`...)
		for i := range list.exprs {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendRequirementJSON(buf, &list.exprs[i])
		}
		buf = append(buf, ']')
	}
	return append(buf, '}')
}

// appendPreferredTermJSON appends a preferred scheduling term as
// json.Marshal does.
func appendPreferredTermJSON(buf []byte, t *corev1.PreferredSchedulingTerm) []byte {
	buf = append(buf, `{"weight":`...)
	buf = strconv.AppendInt(buf, int64(t.Weight), 10)
	buf = append(buf, `,"preference":`...)
	buf = appendSelectorTermJSON(buf, &t.Preference)
	return append(buf, '}')
}
