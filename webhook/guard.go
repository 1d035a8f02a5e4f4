package webhook

import (
	"context"
	"errors"
	"net/http"

	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// ErrNotAdmissionReview is answered (code 400) to a body that decoded
// without an admission request, such as a Pod posted as is: controller-runtime
// decodes any JSON object into an AdmissionReview, whatever its kind.
var ErrNotAdmissionReview = errors.New("body is not an AdmissionReview with a request")

// requireRequest rejects, as controller-runtime rejects undecodable bodies,
// a review without a request: the API server always sends one with a UID.
func requireRequest(h admission.Handler) admission.Handler {
	return admission.HandlerFunc(func(ctx context.Context, req admission.Request) admission.Response {
		if req.UID == "" {
			logf.FromContext(ctx).Error(ErrNotAdmissionReview, "bad request")
			return admission.Errored(http.StatusBadRequest, ErrNotAdmissionReview)
		}
		return h.Handle(ctx, req)
	})
}
