package webhook

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// checkEncodeReview fails t unless encodeReview writes what encoding/json
// writes for the review.
func checkEncodeReview(t *testing.T, resp admission.Response, gvk schema.GroupVersionKind) {
	t.Helper()
	got, err := encodeReview(&resp.AdmissionResponse, gvk)
	if err != nil {
		t.Fatal(err)
	}
	review := admissionv1.AdmissionReview{Response: &resp.AdmissionResponse}
	review.SetGroupVersionKind(gvk)
	want, err := json.Marshal(&review)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("review (-encoding/json +encodeReview):\n%s", diff)
	}
}

// TestEncodeReview: every answer poolpatch gives, and a few it does not,
// written by hand as encoding/json writes them.
func TestEncodeReview(t *testing.T) {
	v1 := admissionv1.SchemeGroupVersion.WithKind("AdmissionReview")
	pt := admissionv1.PatchTypeJSONPatch
	patched := admission.Allowed("")
	patched.Patch, patched.PatchType = []byte(`[{"op":"add","path":"/a","value":"<&>"}]`), &pt
	patched.AuditAnnotations = map[string]string{"policies": "a,b", AuditGeneration: "g", "z": "\u2028"}
	patched.Warnings = []string{"w1", "naïve \"quoted\"\n"}
	details := admission.Denied("no")
	details.Result.Details = &metav1.StatusDetails{Name: "x"}
	listMeta := admission.Allowed("")
	listMeta.Result.ResourceVersion = "1"
	cases := map[string]admission.Response{
		"allowed":        admission.Allowed(""),
		"patched":        patched,
		"fail open":      failedOpen(errors.New("boom <x>")),
		"fail closed":    failedClosed(errors.New("boom")),
		"errored":        admission.Errored(http.StatusBadRequest, errors.New("bad \xff")),
		"denied":         admission.Denied("policy says no"),
		"no status":      {AdmissionResponse: admissionv1.AdmissionResponse{UID: "u", Allowed: true}},
		"status details": details,
		"list metadata":  listMeta,
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			resp.UID = "5f1b2c3d"
			if err := resp.Complete(admission.Request{}); err != nil {
				t.Fatal(err)
			}
			checkEncodeReview(t, resp, v1)
			checkEncodeReview(t, resp, schema.GroupVersionKind{})
		})
	}
}

// FuzzEncodeReview holds encodeReview to encoding/json on arbitrary
// strings, patches and codes.
func FuzzEncodeReview(f *testing.F) {
	f.Add("u", true, "msg", "reason", int32(200), []byte(`[]`), "key", "value", "warning")
	f.Add("", false, "<>&\u2028", "\x00", int32(-1), []byte{0xff}, "", "\xff", "\"\\")
	f.Fuzz(func(t *testing.T, uid string, allowed bool, message, reason string, code int32,
		patch []byte, key, value, warning string) {
		pt := admissionv1.PatchTypeJSONPatch
		resp := admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{
			UID: "u", Allowed: allowed, Patch: patch, PatchType: &pt,
			Result:           &metav1.Status{Status: uid, Message: message, Reason: metav1.StatusReason(reason), Code: code},
			AuditAnnotations: map[string]string{key: value, "b": message},
			Warnings:         []string{warning, reason},
		}}
		checkEncodeReview(t, resp, schema.GroupVersionKind{Group: "admission.k8s.io", Version: uid, Kind: key})
	})
}
