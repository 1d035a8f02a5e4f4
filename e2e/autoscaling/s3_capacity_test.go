package autoscaling_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
)

// TestOutOfCapacity is scenario 3, the talk's "no available spot
// instances": the kwok provider marks every offering available whatever its
// file says, so special01 is made unsatisfiable instead (it requires spot
// capacity, and the instance type is offered on-demand only). The job runs
// on fallback01 Nodes; no special01 NodeClaim is even created, and nothing
// runs on general.
func TestOutOfCapacity(t *testing.T) {
	noSpot(t)
	r, took := run(t, "s3-capacity", outOfCapacity)
	r.report(t, took)
}

// noSpot makes special01 require spot capacity, which no offering has,
// until t ends.
func noSpot(t *testing.T) {
	setSpecial(t, []corev1.NodeSelectorRequirement{{
		Key: autoscaler.CapacityTypeLabel, Operator: corev1.NodeSelectorOpIn, Values: []string{"spot"},
	}})
}

// setSpecial gives special01 requirements until t ends.
func setSpecial(t *testing.T, reqs []corev1.NodeSelectorRequirement) {
	t.Helper()
	pool := autoscaler.DefaultNodePools()[0]
	changed := pool
	changed.Requirements = reqs
	if err := env.Autoscaler.ApplyNodePool(t.Context(), changed); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Autoscaler.ApplyNodePool(context.Background(), pool); err != nil {
			t.Errorf("restore %s: %v", pool.Name, err)
		}
	})
}

// outOfCapacity runs scenario 3 in ns.
func outOfCapacity(ctx context.Context, ns string) (*result, error) {
	r := &result{}
	job := autoscaling.Job{Namespace: ns, App: "s3-app", Executors: 2}
	pods, err := runJobs(ctx, r, job)
	if err != nil {
		return nil, err
	}
	if err := checkPods(ctx, r, pods, []string{fallback}, ""); err != nil {
		return nil, err
	}
	if err := checkExplain(ctx, r, pods); err != nil {
		return nil, err
	}
	return r, checkCounts(ctx, r, map[string]count{special: none, fallback: some, general: none})
}
