package autoscaling_test

import (
	"context"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/autoscaling"
)

// TestFromZero is scenario 1: with every pool at zero Nodes, a Spark-like
// driver and two executors created with kubectl apply make Karpenter
// provision special01 Nodes only.
func TestFromZero(t *testing.T) {
	r, took := run(t, "s1-zero", fromZero)
	r.report(t, took)
}

// fromZero runs scenario 1 in ns.
func fromZero(ctx context.Context, ns string) (*result, error) {
	r := &result{}
	job := autoscaling.Job{Namespace: ns, App: "s1-app", Executors: 2}
	pods, err := runJobs(ctx, r, job)
	if err != nil {
		return nil, err
	}
	if err := checkPods(ctx, r, pods, []string{special}, ""); err != nil {
		return nil, err
	}
	if err := checkExplain(ctx, r, pods); err != nil {
		return nil, err
	}
	return r, checkCounts(ctx, r, map[string]count{special: some, fallback: none, general: none})
}
