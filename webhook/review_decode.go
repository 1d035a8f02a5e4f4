package webhook

import (
	"bytes"
	"unicode/utf8"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/poolpatch/poolpatch/policy"
)

// reviewGroup is the API group of AdmissionReview.
const reviewGroup = "admission.k8s.io"

// decodeReview decodes body, an AdmissionReview as the API server writes
// it, in one pass over its bytes (policy.JSONScanner, the scanner of
// policy.DecodePod), into the request controller-runtime's decoder would
// give, and returns the review's kind. The request's object, old object and
// options are slices of body, not copies.
//
// It is ok only for a plain review: valid JSON, apiVersion
// admission.k8s.io/v1 or v1beta1 and kind AdmissionReview spelled exactly,
// no response, every field of the request that it knows of the type the API
// server writes, strings without escapes and in valid UTF-8, keys without
// escapes. For anything else it is not ok, and the caller hands the body to
// controller-runtime, whose answer (the same request, or a 400) stands:
// FuzzDecodeReview holds the two equal.
func decodeReview(body []byte) (req admission.Request, gvk schema.GroupVersionKind, ok bool) {
	s := policy.NewJSONScanner(body)
	var apiVersion, kind string
	ok = s.Object(func(key []byte) bool {
		switch string(key) {
		case "apiVersion":
			return plainString(s, &apiVersion)
		case "kind":
			return plainString(s, &kind)
		case "request":
			return scanRequest(s, &req.AdmissionRequest)
		}
		// encoding/json reads apiVersion and kind whatever their letter
		// case: leave such a review, and one with a response, to it.
		if !plainKey(key, "apiVersion", "kind", "request", "response") {
			return false
		}
		_, ok := s.Value()
		return ok
	}) && s.End()
	if !ok || kind != "AdmissionReview" || (apiVersion != reviewGroup+"/v1" && apiVersion != reviewGroup+"/v1beta1") {
		return admission.Request{}, schema.GroupVersionKind{}, false
	}
	return req, schema.FromAPIVersionAndKind(apiVersion, kind), true
}

// scanRequest decodes the request's members into r. Members it does not
// know are skipped, as the case-sensitive decoder controller-runtime uses
// skips them.
func scanRequest(s *policy.JSONScanner, r *admissionv1.AdmissionRequest) bool {
	if s.Null() {
		return false // encoding/json would drop the request decoded so far
	}
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "uid":
			return plainString(s, &r.UID)
		case "kind":
			return scanGVK(s, &r.Kind)
		case "resource":
			return scanGVR(s, &r.Resource)
		case "subResource":
			return plainString(s, &r.SubResource)
		case "requestKind":
			return scanPointer(s, &r.RequestKind, scanGVK)
		case "requestResource":
			return scanPointer(s, &r.RequestResource, scanGVR)
		case "requestSubResource":
			return plainString(s, &r.RequestSubResource)
		case "name":
			return plainString(s, &r.Name)
		case "namespace":
			return plainString(s, &r.Namespace)
		case "operation":
			return plainString(s, &r.Operation)
		case "userInfo":
			return scanUserInfo(s, &r.UserInfo)
		case "object":
			return rawValue(s, &r.Object)
		case "oldObject":
			return rawValue(s, &r.OldObject)
		case "dryRun":
			return scanDryRun(s, &r.DryRun)
		case "options":
			return rawValue(s, &r.Options)
		}
		_, ok := s.Value()
		return ok
	})
}

// scanGVK decodes a GroupVersionKind; null leaves it as it is.
func scanGVK(s *policy.JSONScanner, out *metav1.GroupVersionKind) bool {
	return s.Null() || s.Object(func(key []byte) bool {
		switch string(key) {
		case "group":
			return plainString(s, &out.Group)
		case "version":
			return plainString(s, &out.Version)
		case "kind":
			return plainString(s, &out.Kind)
		}
		_, ok := s.Value()
		return ok
	})
}

// scanGVR decodes a GroupVersionResource; null leaves it as it is.
func scanGVR(s *policy.JSONScanner, out *metav1.GroupVersionResource) bool {
	return s.Null() || s.Object(func(key []byte) bool {
		switch string(key) {
		case "group":
			return plainString(s, &out.Group)
		case "version":
			return plainString(s, &out.Version)
		case "resource":
			return plainString(s, &out.Resource)
		}
		_, ok := s.Value()
		return ok
	})
}

// scanPointer decodes into *out with scan, allocating it first; null sets
// it to nil, as encoding/json does.
func scanPointer[T any](s *policy.JSONScanner, out **T, scan func(*policy.JSONScanner, *T) bool) bool {
	if s.Null() {
		*out = nil
		return true
	}
	if *out == nil {
		*out = new(T)
	}
	return scan(s, *out)
}

// scanUserInfo decodes the requesting user; null leaves it as it is.
func scanUserInfo(s *policy.JSONScanner, out *authenticationv1.UserInfo) bool {
	return s.Null() || s.Object(func(key []byte) bool {
		switch string(key) {
		case "username":
			return plainString(s, &out.Username)
		case "uid":
			return plainString(s, &out.UID)
		case "groups":
			return stringList(s, &out.Groups)
		case "extra":
			return scanExtra(s, &out.Extra)
		}
		_, ok := s.Value()
		return ok
	})
}

// scanExtra decodes the user's extra attributes; null sets them to nil.
func scanExtra(s *policy.JSONScanner, out *map[string]authenticationv1.ExtraValue) bool {
	if s.Null() {
		*out = nil
		return true
	}
	if *out == nil {
		*out = map[string]authenticationv1.ExtraValue{}
	}
	return s.Object(func(key []byte) bool {
		if !utf8.Valid(key) { // encoding/json would write U+FFFD
			return false
		}
		var values []string
		if !stringList(s, &values) {
			return false
		}
		(*out)[string(key)] = values
		return true
	})
}

// stringList decodes a list of plain strings; null sets it to nil, [] to an
// empty list, as encoding/json does. A null item is not plain.
func stringList(s *policy.JSONScanner, out *[]string) bool {
	if s.Null() {
		*out = nil
		return true
	}
	list := []string{}
	ok := s.Array(func() bool {
		var v string
		if s.Null() || !plainString(s, &v) {
			return false
		}
		list = append(list, v)
		return true
	})
	if ok {
		*out = list
	}
	return ok
}

// scanDryRun decodes the dryRun flag; null sets it to nil.
func scanDryRun(s *policy.JSONScanner, out **bool) bool {
	raw, ok := s.Value()
	switch {
	case !ok:
		return false
	case string(raw) == "null":
		*out = nil
	case string(raw) == "true", string(raw) == "false":
		v := string(raw) == "true"
		*out = &v
	default:
		return false
	}
	return true
}

// rawValue keeps a value's JSON text, as runtime.RawExtension does: null
// leaves it as it is.
func rawValue(s *policy.JSONScanner, out *runtime.RawExtension) bool {
	raw, ok := s.Value()
	if ok && string(raw) != "null" {
		out.Raw = raw
	}
	return ok
}

// plainString decodes a string without escapes in valid UTF-8, which
// encoding/json would give as written; null leaves it as it is.
func plainString[T ~string](s *policy.JSONScanner, out *T) bool {
	raw, ok := s.Value()
	switch {
	case !ok:
		return false
	case string(raw) == "null":
		return true
	case raw[0] != '"' || bytes.IndexByte(raw, '\\') >= 0 || !utf8.Valid(raw):
		return false
	}
	*out = T(raw[1 : len(raw)-1])
	return true
}

// plainKey reports whether key, a member name that is none of fields, is
// plainly another name: ASCII and equal to none of them in another letter
// case.
func plainKey(key []byte, fields ...string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, f := range fields {
		if bytes.EqualFold(key, []byte(f)) {
			return false
		}
	}
	return true
}
