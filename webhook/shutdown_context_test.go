package webhook

import (
	"context"
	"fmt"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// ctxNamespaces answers after delay, or with the context's error when the
// request's context ends first, as a live GET of the namespace would.
type ctxNamespaces struct {
	delay   time.Duration
	entered chan struct{}
}

func (c ctxNamespaces) Lookup(ctx context.Context, name string) (policy.Namespace, error) {
	c.entered <- struct{}{}
	select {
	case <-ctx.Done():
		return policy.Namespace{}, fmt.Errorf("%w: %w", ErrNamespace, ctx.Err())
	case <-time.After(c.delay):
		return noClusterNamespaces{}.Lookup(ctx, name)
	}
}

// TestShutdownKeepsRequestContext: a request in flight when the server is
// told to stop keeps a live context, so that a namespace GET it makes still
// completes and the pod gets its patch rather than a fail-open answer.
// (controller-runtime's webhook server makes the run context every
// connection's base context, which cancelled such requests.)
func TestShutdownKeepsRequestContext(t *testing.T) {
	entered := make(chan struct{}, 1)
	srv := startServer(t, Options{PolicyFile: examplePolicies,
		namespaces: ctxNamespaces{delay: 500 * time.Millisecond, entered: entered}})
	answer := make(chan *admissionv1.AdmissionResponse, 1)
	go func() { answer <- srv.post(t, MutatePodsPath, podReview(t, sparkExecutor(t), admissionv1.Create)) }()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	resp := <-answer
	if !resp.Allowed || len(resp.Patch) == 0 || resp.AuditAnnotations["error"] != "" {
		t.Errorf("in-flight request: allowed=%v patch=%d bytes error=%q, want the full answer",
			resp.Allowed, len(resp.Patch), resp.AuditAnnotations["error"])
	}
	if err := <-stopped; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}
