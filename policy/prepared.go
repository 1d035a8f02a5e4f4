package policy

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// The values the writer writes that come from a policy (annotations,
// tolerations, size limits) are prepared with their patch path, JSON and
// change detail when the set is loaded, not for every pod.

// annotation is an annotation to set, with its patch path, its value as
// the patch holds it and its change detail computed once: a policy's
// annotations are prepared when the set is loaded, not for every pod.
type annotation struct {
	key, value, path, detail string
	boxed                    any
	hash                     uint32 // of the key, for the writer's index
}

func newAnnotation(key, value, detail string) annotation {
	return annotation{key: key, value: value, path: annotationsPath + "/" + escapePointer(key), detail: detail, boxed: value,
		hash: fnv32(key)}
}

// toleration is a toleration to add, prepared like annotation.
type toleration struct {
	corev1.Toleration
	detail string
	boxed  any
	// hash is tolerationHash of it, for the writer's toleration index.
	hash uint32
}

func prepareTolerations(ts []corev1.Toleration) []toleration {
	out := make([]toleration, len(ts))
	for i, t := range ts {
		raw, err := json.Marshal(t)
		if err != nil {
			panic(fmt.Sprintf("policy: encode toleration: %v", err)) // a Toleration always encodes
		}
		out[i] = toleration{Toleration: t, detail: describeToleration(t), boxed: json.RawMessage(raw), hash: tolerationHash(&t)}
	}
	return out
}

// escapePointer escapes a map key for a JSON pointer (RFC 6901).
func escapePointer(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

// sizeLimit is an emptyDir size limit, prepared like annotation.
type sizeLimit struct {
	q     resource.Quantity
	text  string
	boxed any
}

func prepareSizeLimit(q *resource.Quantity) *sizeLimit {
	if q == nil {
		return nil
	}
	text := q.String()
	raw, err := json.Marshal(text)
	if err != nil {
		panic(fmt.Sprintf("policy: encode quantity: %v", err)) // a string always encodes
	}
	return &sizeLimit{q: q.DeepCopy(), text: text, boxed: json.RawMessage(raw)}
}
