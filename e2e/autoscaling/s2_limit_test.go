package autoscaling_test

import (
	"context"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
)

// limitExecutors is scenario 2's executor count: with the driver, nine pods
// of one CPU; special01's limit of two 4-CPU Nodes holds six.
const limitExecutors = 8

// TestAtTheLimit is scenario 2: more executors than special01's limit holds.
// special01 grows to its limit, the rest run on new fallback01 Nodes, none
// on general, every pod Running.
func TestAtTheLimit(t *testing.T) {
	r, took := run(t, "s2-limit", atTheLimit)
	r.report(t, took)
}

// atTheLimit runs scenario 2 in ns.
func atTheLimit(ctx context.Context, ns string) (*result, error) {
	r := &result{}
	job := autoscaling.Job{Namespace: ns, App: "s2-app", Executors: limitExecutors}
	pods, err := runJobs(ctx, r, job)
	if err != nil {
		return nil, err
	}
	if err := checkPods(ctx, r, pods, []string{special, fallback}, ""); err != nil {
		return nil, err
	}
	if err := checkExplain(ctx, r, pods); err != nil {
		return nil, err
	}
	return r, checkCounts(ctx, r, map[string]count{
		special: exactly(autoscaler.SpecialLimit), fallback: some, general: none,
	})
}
