package scenarios_test

import (
	"context"
	"testing"
)

// negativeSuffix names the namespaces of the negative run.
const negativeSuffix = "-without-webhook"

// negativeCases are the scenarios that must fail without the webhook: their
// placements are poolpatch's doing, not the harness's.
var negativeCases = []struct {
	name string
	run  func(context.Context, string) (*result, error)
}{
	{"scenario 1: kubectl apply of a Deployment", deploymentScenario},
	{"scenario 2: fallback when special01 is full", fallbackScenario},
	{"scenario 5: zones", zonesScenario},
}

// TestWithoutWebhook is scenario 8, the negative run: with the mutating
// webhook unregistered, scenarios 1, 2 and 5 must run to the end and fail
// their placement assertions. The webhook is registered again afterwards.
func TestWithoutWebhook(t *testing.T) {
	ctx := t.Context()
	if err := env.Cluster.UnregisterMutatingWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.RegisterMutating(context.Background()); err != nil {
			t.Errorf("register the webhook again: %v", err)
		}
	})
	for _, tc := range negativeCases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.run(ctx, negativeSuffix)
			if err != nil {
				t.Fatalf("scenario did not run to its assertions: %v", err)
			}
			if len(r.failures) == 0 {
				t.Fatalf("passed without the webhook (%d pods, placements %v): it does not prove what poolpatch does", r.pods, r.placements)
			}
			if !hasPlacementFailure(r) {
				t.Errorf("no placement assertion failed without the webhook:\n%s", r.summary())
			}
			t.Logf("without the webhook: %d pods, placements %v, %d failed assertions, e.g. %s",
				r.pods, r.placements, len(r.failures), r.failures[len(r.failures)-1])
		})
	}
}

// hasPlacementFailure reports whether one of r's failures is about a pod's
// pool or zone.
func hasPlacementFailure(r *result) bool {
	for _, f := range r.failures {
		if placementFailure.MatchString(f) {
			return true
		}
	}
	return false
}
