package autoscaling_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// resetWait bounds the clean-up after a scenario: pods deleted, every
// NodeClaim deleted and its Node gone.
const resetWait = 2 * time.Minute

// result is what a scenario found: its failed assertions, the Nodes and
// NodeClaims per pool when its pods ran, and where its pods ran. A scenario
// returns it with an error for what kept it from reaching its assertions,
// so that the negative run can require assertion failures and nothing else.
type result struct {
	failures []string
	counts   autoscaler.Counts
	pods     map[string]int // pool/zone -> pods
	notes    []string
}

// errorf records one failed assertion.
func (r *result) errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// notef records one measured fact for the test log.
func (r *result) notef(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// scenario is one scenario: it runs in namespace ns and returns its result.
type scenario func(ctx context.Context, ns string) (*result, error)

// run runs s in a fresh opted-in namespace, then deletes its pods and every
// NodeClaim and waits for zero Nodes, whatever happened, so that the next
// scenario starts from zero. It returns the result and how long s took.
func run(t *testing.T, ns string, s scenario) (*result, time.Duration) {
	t.Helper()
	ctx := t.Context()
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanUp(t, ns) })
	began := time.Now()
	r, err := s(ctx, ns)
	took := time.Since(began)
	if err != nil {
		t.Fatalf("scenario did not reach its assertions after %s: %v", took.Round(time.Second), err)
	}
	return r, took
}

// cleanUp deletes the pods of ns and every NodeClaim, and waits until no
// Node is left.
func cleanUp(t *testing.T, ns string) {
	ctx := context.Background()
	if err := env.Cluster.Client().DeleteAllOf(ctx, &corev1.Pod{}, inNamespace(ns)); err != nil {
		t.Errorf("clean up pods of %s: %v", ns, err)
	}
	if err := env.Autoscaler.Reset(ctx, resetWait); err != nil {
		t.Errorf("clean up: %v", err)
	}
}

// report logs the result's numbers and fails t with its failures.
func (r *result) report(t *testing.T, took time.Duration) {
	t.Helper()
	t.Logf("took %s; Nodes/NodeClaims per pool: %s; pods per pool/zone: %v", took.Round(100*time.Millisecond), r.counts, r.pods)
	for _, n := range r.notes {
		t.Log(n)
	}
	for _, f := range r.failures {
		t.Error(f)
	}
}

// summary is the failures, one per line.
func (r *result) summary() string {
	return strings.Join(r.failures, "\n")
}
