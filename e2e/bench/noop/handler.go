package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// LastReviewPath serves the object of the latest review (with --last-review).
const LastReviewPath = "/last-review"

// handler allows every review, with no patch or with the fixed one.
type handler struct {
	patch []byte // nil for the no-op
	keep  bool   // whether to remember the latest review's object
	last  atomic.Pointer[[]byte]
}

// newHandler returns the no-op handler, or with patchFile the fixed-patch
// one; keep has it remember the latest review's object.
func newHandler(patchFile string, keep bool) (*handler, error) {
	h := &handler{keep: keep}
	if patchFile == "" {
		return h, nil
	}
	patch, err := os.ReadFile(patchFile)
	if err != nil {
		return nil, fmt.Errorf("patch file: %w", err)
	}
	// A patch the API server cannot parse would fail every create; refuse
	// it here, where the message is plain.
	var ops []map[string]any
	if err := json.Unmarshal(patch, &ops); err != nil || len(ops) == 0 {
		return nil, fmt.Errorf("patch file %s: not a non-empty JSON patch (%v)", patchFile, err)
	}
	h.patch = patch
	return h, nil
}

// Handle answers a review: allowed, with the fixed patch if there is one.
// The patch is the same bytes for every review; only the response envelope
// is built per request, as by any webhook.
func (h *handler) Handle(_ context.Context, req admission.Request) admission.Response {
	if h.keep {
		raw := req.Object.Raw
		h.last.Store(&raw)
	}
	resp := admission.Allowed("")
	if h.patch != nil {
		pt := admissionv1.PatchTypeJSONPatch
		resp.Patch, resp.PatchType = h.patch, &pt
	}
	return resp
}

// serveLast writes the latest review's object, 404 before the first.
func (h *handler) serveLast(w http.ResponseWriter, _ *http.Request) {
	last := h.last.Load()
	if last == nil {
		http.Error(w, "no review yet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(*last)
}
