package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// maxReviewBytes is controller-runtime's limit on a review's body (7 MiB:
// two objects of at most 3 MiB and the rest). A body that reaches it is left
// to controller-runtime, which answers 413.
const maxReviewBytes = 7 << 20

// reviewHandler serves an admission webhook as controller-runtime's
// admission.Webhook.ServeHTTP does, but decodes the review itself
// (decodeReview, one pass over the body) and writes the answer in one piece.
// Under load controller-runtime's decoding of the review (encoding/json over
// the whole body for apiVersion and kind, then the typed decoding, each
// validating the body first) cost the server more than the pod's mutation.
//
// A plain review, as the API server sends it, goes through Webhook.Handle,
// so the handler, the request-scoped logger, panic recovery and the
// response's completion stay controller-runtime's. Everything else (no
// body, another content type, a body at the size limit or failing to read,
// a review decodeReview leaves alone) goes to the Webhook itself, whose
// answer (400, 413, or the same request decoded its way) stands.
type reviewHandler struct {
	hook *admission.Webhook
	log  logr.Logger // the handler's logger, for what the Webhook would log itself
}

// newReviewHandler returns the HTTP handler of an admission handler, with
// requireRequest in front and the request logger of log.
func newReviewHandler(h admission.Handler, log logr.Logger) *reviewHandler {
	return &reviewHandler{log: log,
		hook: &admission.Webhook{Handler: requireRequest(h), LogConstructor: requestLogger(log)}}
}

// ServeHTTP answers one review.
func (h *reviewHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody || r.Header.Get("Content-Type") != "application/json" {
		h.hook.ServeHTTP(w, r)
		return
	}
	body, ok := readReview(r)
	if !ok {
		h.hook.ServeHTTP(w, r) // r.Body replays what was read, then the rest or the error
		return
	}
	req, gvk, ok := decodeReview(body)
	if !ok {
		r.Body = replayBody(r.Body, bytes.NewReader(body))
		h.hook.ServeHTTP(w, r)
		return
	}
	if log := h.log.V(5); log.Enabled() {
		h.hook.LogConstructor(h.log, &req).V(5).Info("received request")
	}
	ctx := r.Context()
	if h.hook.WithContextFunc != nil {
		ctx = h.hook.WithContextFunc(ctx, r)
	}
	h.write(w, h.hook.Handle(ctx, req), gvk)
}

// readReview reads r's body below maxReviewBytes, in one allocation when
// the request says its length. On a read error or a body at the limit it is
// not ok, and r.Body then replays what was read, followed by the rest of
// the body or the same error, for controller-runtime to answer.
func readReview(r *http.Request) ([]byte, bool) {
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength < maxReviewBytes {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	limited := &io.LimitedReader{R: r.Body, N: maxReviewBytes}
	if _, err := buf.ReadFrom(limited); err != nil {
		r.Body = replayBody(r.Body, io.MultiReader(&buf, errReader{err}))
		return nil, false
	}
	if limited.N <= 0 {
		r.Body = replayBody(r.Body, io.MultiReader(&buf, r.Body))
		return nil, false
	}
	return buf.Bytes(), true
}

// write answers with resp in a review of kind gvk: the bytes
// controller-runtime's writeResponseTyped writes (encoding/json of the
// review, then a newline; encodeReview), in one write with their length,
// so that net/http neither copies them into its buffer nor chunks them.
func (h *reviewHandler) write(w http.ResponseWriter, resp admission.Response, gvk schema.GroupVersionKind) {
	out, err := encodeReview(&resp.AdmissionResponse, gvk)
	if err != nil { // not for these types; answered as controller-runtime would
		h.log.Error(err, "unable to encode and write the response")
		failed := admission.Errored(http.StatusInternalServerError, fmt.Errorf("encode response: %w", err))
		out, _ = json.Marshal(admissionv1.AdmissionReview{Response: &failed.AdmissionResponse})
	}
	out = append(out, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	if _, err := w.Write(out); err != nil {
		h.log.Error(err, "unable to write the response")
		return
	}
	if log := h.log.V(5); log.Enabled() {
		if res := resp.Result; res != nil {
			log = log.WithValues("code", res.Code, "reason", res.Reason, "message", res.Message)
		}
		log.Info("wrote response", "requestID", resp.UID, "allowed", resp.Allowed)
	}
}

// replayBody is a request body reading from r and closing as body does.
func replayBody(body io.Closer, r io.Reader) io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{r, body}
}

// errReader fails every read with its error.
type errReader struct{ err error }

// Read returns the error.
func (e errReader) Read([]byte) (int, error) { return 0, e.err }
