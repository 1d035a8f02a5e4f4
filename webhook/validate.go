package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/poolpatch/poolpatch/policy"
)

// PolicyValidator is the admission.Handler of /validate-policies: it rejects
// a policy ConfigMap whose policies do not load, with the loader's positioned
// errors, so that `kubectl apply` shows them.
type PolicyValidator struct {
	// Namespace and Name select the one ConfigMap to validate; when both are
	// empty, every ConfigMap sent is validated.
	Namespace, Name string
}

var _ admission.Handler = (*PolicyValidator)(nil)

// Handle validates CREATE and UPDATE of the policy ConfigMap; anything else
// is allowed.
func (v *PolicyValidator) Handle(ctx context.Context, req admission.Request) admission.Response {
	if !v.applies(req) {
		return admission.Allowed("")
	}
	var cm corev1.ConfigMap
	if err := json.Unmarshal(req.Object.Raw, &cm); err != nil {
		// Never block a ConfigMap write on poolpatch's own trouble: the
		// loader still keeps the last good set.
		logf.FromContext(ctx).Error(err, "cannot decode ConfigMap, allowed unchecked")
		return admission.Allowed("").WithWarnings("poolpatch: ConfigMap not validated: " + err.Error())
	}
	set, err := policy.LoadConfigMap(cm.Data)
	if err != nil {
		logf.FromContext(ctx).V(1).Info("policy ConfigMap rejected", "error", err.Error())
		return invalidPolicies(err)
	}
	return admission.Allowed("").WithWarnings(set.Warnings...)
}

// applies reports whether the request writes the ConfigMap this validator
// guards.
func (v *PolicyValidator) applies(req admission.Request) bool {
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return false
	}
	if req.Kind.Group != "" || req.Kind.Kind != "ConfigMap" || req.SubResource != "" {
		return false
	}
	if v.Name == "" && v.Namespace == "" {
		return true
	}
	return req.Namespace == v.Namespace && req.Name == v.Name
}

// invalidPolicies denies with code 422 and the positioned errors, one a line.
func invalidPolicies(err error) admission.Response {
	reason := metav1.StatusReasonBadRequest
	code := int32(http.StatusBadRequest)
	if errors.Is(err, policy.ErrInvalid) {
		reason, code = metav1.StatusReasonInvalid, http.StatusUnprocessableEntity
	}
	return admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{
		Allowed: false,
		Result: &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    code,
			Reason:  reason,
			Message: "poolpatch: invalid policy set:\n" + err.Error(),
		},
	}}
}
