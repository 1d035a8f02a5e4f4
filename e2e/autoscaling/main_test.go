package autoscaling_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
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
	dir, err := os.MkdirTemp("", "poolpatch-e2e-autoscaling-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	policies, err := scenarios.ReadRepoFile("e2e", "testdata", "autoscaling-policies.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	env, err = scenarios.Start(ctx, scenarios.Options{
		Log: os.Stderr, StopOnSignal: true, WorkDir: dir, Autoscaling: &autoscaler.Options{},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "start the control plane, the webhook, Karpenter and KWOK (logs in %s): %v\n", dir, err)
		return 1
	}
	code := 1
	if _, err := env.SetPolicies(ctx, policies); err != nil {
		fmt.Fprintf(os.Stderr, "policies: %v\n", err)
	} else {
		code = m.Run()
	}
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop: %v\n", err)
		code = 1
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "logs kept in %s (karpenter.log, kwok.log, poolpatch.log)\n", dir)
		return code
	}
	_ = os.RemoveAll(dir)
	return 0
}
