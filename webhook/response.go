package webhook

import (
	"fmt"
	"net/http"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/poolpatch/poolpatch/policy"
)

// Keys of the audit annotations a pod response carries; the API server
// prefixes each with the webhook's name.
const (
	AuditPolicies   = "policies"
	AuditAudited    = "audit-policies"
	AuditGeneration = "generation"
	AuditExcluded   = "excluded"
)

// mutated builds the allowed response for a pod: the JSON patch (none when
// nothing changed), audit annotations and the engine's warnings.
func mutated(res *policy.Result, set *policy.Set) (admission.Response, error) {
	resp := admission.Allowed("")
	if res.Changed {
		raw, err := policy.MarshalPatch(res.Patch)
		if err != nil {
			return admission.Response{}, fmt.Errorf("%w: marshal: %w", ErrPatch, err)
		}
		pt := admissionv1.PatchTypeJSONPatch
		resp.Patch, resp.PatchType = raw, &pt
	}
	resp.AuditAnnotations = auditAnnotations(res, set)
	resp.Warnings = res.Warnings
	return resp, nil
}

// auditAnnotations records the matched policies and the set's generation.
func auditAnnotations(res *policy.Result, set *policy.Set) map[string]string {
	out := map[string]string{AuditGeneration: generationOf(set)}
	if len(res.Enforced) > 0 {
		out[AuditPolicies] = strings.Join(res.Enforced, ",")
	}
	if len(res.Audited) > 0 {
		out[AuditAudited] = strings.Join(res.Audited, ",")
	}
	if res.Excluded != "" {
		out[AuditExcluded] = res.Excluded
	}
	return out
}

// generationOf names the generation of set, "none" before the first load.
func generationOf(set *policy.Set) string {
	if set == nil {
		return "none"
	}
	return set.Generation
}

// failedOpen admits the pod unpatched and tells the user why.
func failedOpen(err error) admission.Response {
	resp := admission.Allowed("poolpatch: internal error, pod admitted without policies")
	resp.Warnings = []string{"poolpatch: internal error, pod admitted without policies"}
	resp.AuditAnnotations = map[string]string{"error": err.Error()}
	return resp
}

// failedClosed denies the pod with code 500. It is built here rather than
// with admission.Errored so that the one place a pod can be denied is plain.
func failedClosed(err error) admission.Response {
	return admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{
		Allowed: false,
		Result: &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusInternalServerError,
			Reason:  metav1.StatusReasonInternalError,
			Message: "poolpatch: internal error (fail-closed): " + err.Error(),
		},
	}}
}
