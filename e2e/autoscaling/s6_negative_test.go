package autoscaling_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// negativeCases are the scenarios that must fail without the webhook: what
// Karpenter provisions for them is poolpatch's doing.
var negativeCases = []struct {
	name, ns string
	setup    func(*testing.T)
	run      scenario
}{
	{"scenario 1: from zero", "s6-zero", nil, fromZero},
	{"scenario 2: at the limit", "s6-limit", nil, atTheLimit},
	{"scenario 3: out of capacity", "s6-capacity", noSpot, outOfCapacity},
	{"scenario 4: one zone per job", "s6-zones", nil, oneZonePerJob},
}

// placementFailure matches a failure about where pods run or which pools
// grew.
var placementFailure = regexp.MustCompile(`pool |not Running`)

// TestWithoutWebhook is scenario 6, the negative run: with the mutating
// webhook unregistered, scenarios 1-4 must run to their assertions and fail
// them (the pods carry no toleration and no affinity: they land on general
// Nodes). The webhook is registered again afterwards. The explain/karpenter
// check runs in these scenarios too and must agree: explain names general
// first for pods that tolerate no taint.
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
			if tc.setup != nil {
				tc.setup(t)
			}
			r, took := run(t, tc.ns, tc.run)
			t.Logf("without the webhook, after %s: Nodes/NodeClaims per pool %s, pods per pool/zone %v, %d failed assertions",
				took.Round(100*time.Millisecond), r.counts, r.pods, len(r.failures))
			if len(r.failures) == 0 {
				t.Fatal("passed without the webhook: it does not prove what poolpatch does")
			}
			if !placementFailure.MatchString(r.summary()) {
				t.Errorf("no placement assertion failed without the webhook:\n%s", r.summary())
			}
			for _, f := range r.failures {
				if strings.HasPrefix(f, "explain/karpenter:") {
					t.Errorf("explain must agree with Karpenter with or without the webhook: %s", f)
					continue
				}
				t.Logf("  failed as it must: %s", f)
			}
			for _, n := range r.notes {
				if strings.HasPrefix(n, "explain/karpenter:") {
					t.Log(n)
				}
			}
		})
	}
}
