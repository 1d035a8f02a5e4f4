package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

const testPatch = `[{"op":"add","path":"/metadata/annotations/a","value":"b"}]`

func writeFile(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "patch.json")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHandle(t *testing.T) {
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		Object: runtime.RawExtension{Raw: []byte(`{"kind":"Pod"}`)}}}
	for _, tc := range []struct {
		name      string
		patchFile string
		wantPatch string
	}{
		{name: "no-op"},
		{name: "fixed patch", patchFile: writeFile(t, testPatch), wantPatch: testPatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := newHandler(tc.patchFile, false)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // the same answer every time
				resp := h.Handle(context.Background(), req)
				if !resp.Allowed || string(resp.Patch) != tc.wantPatch {
					t.Fatalf("Handle = allowed %v, patch %q; want allowed, patch %q", resp.Allowed, resp.Patch, tc.wantPatch)
				}
				if tc.wantPatch != "" && (resp.PatchType == nil || *resp.PatchType != admissionv1.PatchTypeJSONPatch) {
					t.Fatalf("patch type %v, want JSONPatch", resp.PatchType)
				}
			}
		})
	}
}

func TestNewHandlerRefusesBadPatch(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"empty file", ""},
		{"empty patch", "[]"},
		{"object", `{"op":"add"}`},
		{"truncated", testPatch[:20]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := newHandler(writeFile(t, tc.data), false); err == nil {
				t.Fatalf("newHandler accepted %q", tc.data)
			}
		})
	}
	if _, err := newHandler(filepath.Join(t.TempDir(), "missing.json"), false); err == nil {
		t.Fatal("newHandler accepted a missing file")
	}
}

func TestLastReview(t *testing.T) {
	h, err := newHandler("", true)
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		h.serveLast(rec, httptest.NewRequest(http.MethodGet, LastReviewPath, nil))
		return rec.Code, rec.Body.String()
	}
	if code, _ := get(); code != http.StatusNotFound {
		t.Fatalf("before any review: status %d, want 404", code)
	}
	for _, obj := range []string{`{"metadata":{"generateName":"a-"}}`, `{"metadata":{"generateName":"b-"}}`} {
		h.Handle(context.Background(), admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
			Object: runtime.RawExtension{Raw: []byte(obj)}}})
		code, body := get()
		if diff := cmp.Diff([2]any{http.StatusOK, obj}, [2]any{code, body}); diff != "" {
			t.Errorf("last review (-want +got):\n%s", diff)
		}
	}
}
