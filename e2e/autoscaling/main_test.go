package autoscaling_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/poolpatch/poolpatch/controller"
	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/webhook"
)

// env is the one control plane, webhook, Karpenter and KWOK all scenarios
// share; each scenario starts from zero Nodes and leaves zero behind.
var env *scenarios.Env

// TestMain starts the shared environment with the suite's policies, runs
// the tests and stops everything; the work directory with every log
// (karpenter.log, kwok.log, poolpatch.log, the control plane's) is kept
// when a test fails.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain is TestMain's body, so that deferred calls run before os.Exit.
func runMain(m *testing.M) int {
	policies, err := scenarios.ReadRepoFile("e2e", "testdata", "autoscaling-policies.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts := scenarios.Options{Log: os.Stderr, StopOnSignal: true, Autoscaling: &autoscaler.Options{}, Writers: rebalancer}
	return scenarios.RunSuite(m, "autoscaling", opts, policies, func(e *scenarios.Env) { env = e })
}

// rebalancer runs the writers as `serve --rebalance --rebalance-interval 2s`
// does, for the whole suite: the policies of the other scenarios have no
// rebalance, so it moves only TestRebalance's pods. Its Lease is not the
// headroom tests' own writers' Lease.
func rebalancer(ctx context.Context, w webhook.WriterEnv) {
	controller.Run(ctx, controller.Env{Config: w.Config, Policies: w.Policies, Events: w.Events, Log: w.Log,
		PrepullImage: w.PrepullImage}, controller.Options{
		Rebalance: true, RebalanceInterval: rebalanceInterval, RebalanceBackoff: controller.DefaultRebalanceBackoff,
		Namespace: scenarios.SystemNamespace, LeaderElectionID: "poolpatch-rebalance",
	})
}
