// Package webhook serves poolpatch's policy engine to the Kubernetes API
// server: an HTTPS admission server (controller-runtime's webhook server)
// with a mutating handler for Pods at /mutate-pods and a validating handler
// for the policy ConfigMap at /validate-policies.
//
// The package is transport only. It decodes AdmissionReviews, hands each Pod
// to policy.Apply with the current policy set and the Pod's namespace, and
// answers with the JSON patch the engine wrote. What a mutation is, is
// decided by package policy alone. A review as the API server writes it is
// decoded in one pass over its bytes and answered in one write (review.go);
// controller-runtime's admission.Webhook still runs the handler (logger,
// panic recovery, the response's completion) and decodes and answers every
// other body itself.
//
// Policies come from a ConfigMap, watched through an informer limited to that
// one object, or from a file watched on disk. A new version is loaded whole
// and swapped in atomically, so a request sees exactly one generation; a
// version that fails validation is rejected, the last good set keeps serving,
// and a metric (and, for a ConfigMap, a Kubernetes Event) says why. Before
// the first good set there is none to keep: the replica stays unready.
//
// The webhook fails open: once a request is decoded, an internal error or a
// panic answers allowed with no patch (counted and logged), unless
// Options.FailClosed asks for allowed: false with code 500. Bodies that are
// not AdmissionReviews never reach the handlers: controller-runtime answers
// them with code 400, or 413 above 7 MiB.
//
// Run wires it all together; Options carries the serve flags.
package webhook
