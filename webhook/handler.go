package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/poolpatch/poolpatch/policy"
)

// Sentinel errors of the pod handler; each is answered fail-open (or closed).
var (
	// ErrDecodePod is wrapped when the request's object is not a Pod.
	ErrDecodePod = errors.New("cannot decode pod")
	// ErrPatch is wrapped when the patch cannot be computed.
	ErrPatch = errors.New("cannot compute patch")
	// ErrPanic is wrapped around a recovered panic.
	ErrPanic = errors.New("panic in pod handler")
)

// PodMutator is the admission.Handler of /mutate-pods: it applies the current
// policy set to every Pod CREATE and answers with a JSON patch.
type PodMutator struct {
	// Policies gives the set serving now; read once per request.
	Policies PolicySource
	// Namespaces gives the pod's namespace labels and LimitRange minimum.
	Namespaces NamespaceLookup
	// FailClosed denies (code 500) instead of admitting unpatched on errors.
	FailClosed bool
	// Engine holds the engine's run-time options, such as the prepull
	// helper image.
	Engine policy.Options
}

var _ admission.Handler = (*PodMutator)(nil)

// Handle answers one admission request. It never denies a pod unless
// FailClosed is set and an internal error or panic occurred.
func (m *PodMutator) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	log := logf.FromContext(ctx)
	if !isPodCreate(req) {
		admissionsTotal.WithLabelValues(resultIgnored).Inc()
		log.V(1).Info("not a pod create, allowed untouched")
		return admission.Allowed("")
	}
	defer func() {
		if r := recover(); r != nil {
			resp = m.failure(log, fmt.Errorf("%w: %v", ErrPanic, r))
		}
	}()
	resp, err := m.mutate(ctx, log, req)
	if err != nil {
		return m.failure(log, err)
	}
	return resp
}

// isPodCreate reports whether the request is one poolpatch mutates: a CREATE
// of a v1 Pod itself, not of a subresource.
func isPodCreate(req admission.Request) bool {
	return req.Operation == admissionv1.Create && req.SubResource == "" &&
		req.Kind.Group == "" && req.Kind.Version == "v1" && req.Kind.Kind == "Pod"
}

// mutate applies the policies to the pod and builds the response.
func (m *PodMutator) mutate(ctx context.Context, log logr.Logger, req admission.Request) (admission.Response, error) {
	pod, err := policy.DecodePod(req.Object.Raw)
	if err != nil {
		return admission.Response{}, fmt.Errorf("%w: %w", ErrDecodePod, err)
	}
	if req.Name == "" && pod.GenerateName != "" {
		log = log.WithValues("generateName", pod.GenerateName)
	}
	set := m.Policies.Current()
	ns, err := m.Namespaces.Lookup(ctx, req.Namespace)
	if err != nil {
		return admission.Response{}, err
	}
	opts := m.Engine
	opts.PatchOnly = true // the answer is the patch
	res := policy.Apply(pod, set, ns, opts)
	resp, err := mutated(res, set)
	if err != nil {
		return admission.Response{}, err
	}
	recordResult(res)
	result := resultOf(res)
	admissionsTotal.WithLabelValues(result).Inc()
	logDecision(log, req, res, set, result)
	if log.V(4).Enabled() {
		log.V(4).Info("patch", "patch", string(resp.Patch))
	}
	return resp, nil
}

// resultOf names the admission result for the metric.
func resultOf(res *policy.Result) string {
	switch {
	case res.Excluded != "":
		return resultExcluded
	case res.Changed:
		return resultPatched
	}
	return resultUnchanged
}

// logDecision logs what was decided for the pod at V(1).
func logDecision(log logr.Logger, req admission.Request, res *policy.Result, set *policy.Set, result string) {
	if !log.V(1).Enabled() {
		return
	}
	log.V(1).Info("pod admitted", "result", result, "generation", generationOf(set),
		"enforced", res.Enforced, "audited", res.Audited, "excluded", res.Excluded,
		"ops", len(res.Patch), "skips", len(res.Skips),
		"dryRun", req.DryRun != nil && *req.DryRun)
}

// failure answers an internal error: allowed without a patch (fail open), or
// allowed: false with code 500 under FailClosed. Both are counted and logged.
func (m *PodMutator) failure(log logr.Logger, err error) admission.Response {
	admissionsTotal.WithLabelValues(resultError).Inc()
	if m.FailClosed {
		log.Error(err, "internal error, pod denied (fail-closed)")
		return failedClosed(err)
	}
	log.Error(err, "internal error, pod admitted without policies (fail-open)")
	return failedOpen(err)
}
