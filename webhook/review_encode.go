package webhook

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// encodeReview returns the JSON of an AdmissionReview of kind gvk holding
// resp, byte for byte what encoding/json writes for it, without reflection:
// the answers poolpatch gives (allowed or denied with a status, a patch,
// audit annotations, warnings) are written by hand, any other (a status
// with details or list metadata) by encoding/json. FuzzEncodeReview holds
// the two equal.
func encodeReview(resp *admissionv1.AdmissionResponse, gvk schema.GroupVersionKind) ([]byte, error) {
	if resp.Result != nil && !plainStatus(resp.Result) {
		review := admissionv1.AdmissionReview{Response: resp}
		review.SetGroupVersionKind(gvk)
		return json.Marshal(&review)
	}
	apiVersion, kind := gvk.ToAPIVersionAndKind()
	// Room for the envelope, annotations and warnings, and the newline
	// write appends, so that the patch is encoded into its final place.
	b := make([]byte, 0, 512+base64.StdEncoding.EncodedLen(len(resp.Patch)))
	b = append(b, '{')
	if kind != "" {
		b = appendString(append(b, `"kind":`...), kind)
		b = append(b, ',')
	}
	if apiVersion != "" {
		b = appendString(append(b, `"apiVersion":`...), apiVersion)
		b = append(b, ',')
	}
	b = appendString(append(b, `"response":{"uid":`...), string(resp.UID))
	b = strconv.AppendBool(append(b, `,"allowed":`...), resp.Allowed)
	if s := resp.Result; s != nil {
		b = append(b, `,"status":{"metadata":{}`...)
		b = appendMember(b, "status", s.Status)
		b = appendMember(b, "message", s.Message)
		b = appendMember(b, "reason", string(s.Reason))
		if s.Code != 0 {
			b = strconv.AppendInt(append(b, `,"code":`...), int64(s.Code), 10)
		}
		b = append(b, '}')
	}
	if len(resp.Patch) > 0 {
		b = append(b, `,"patch":"`...)
		b = base64.StdEncoding.AppendEncode(b, resp.Patch)
		b = append(b, '"')
	}
	if resp.PatchType != nil {
		b = appendString(append(b, `,"patchType":`...), string(*resp.PatchType))
	}
	if len(resp.AuditAnnotations) > 0 {
		b = appendAnnotations(append(b, `,"auditAnnotations":`...), resp.AuditAnnotations)
	}
	if len(resp.Warnings) > 0 {
		b = append(b, `,"warnings":[`...)
		for i, w := range resp.Warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, w)
		}
		b = append(b, ']')
	}
	return append(b, "}}"...), nil
}

// plainStatus reports whether s has only the fields encodeReview writes.
func plainStatus(s *metav1.Status) bool {
	return s.TypeMeta == (metav1.TypeMeta{}) && s.ListMeta.SelfLink == "" && s.ListMeta.ResourceVersion == "" &&
		s.ListMeta.Continue == "" && s.ListMeta.RemainingItemCount == nil && s.Details == nil
}

// appendMember appends ,"key":"value" unless value is empty (omitempty).
func appendMember(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(append(append(b, `,"`...), key...), `":`...)
	return appendString(b, value)
}

// appendAnnotations appends m as encoding/json writes a map: keys sorted.
func appendAnnotations(b []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = appendString(append(b, ':'), m[k])
	}
	return append(b, '}')
}

// appendString appends s quoted as encoding/json quotes it: printable ASCII
// other than '"', '\\', '<', '>' and '&' as is; anything else through
// encoding/json, whose escapes (HTML-safe, U+FFFD for invalid UTF-8) are
// then exactly its own.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s) // a string always marshals
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
