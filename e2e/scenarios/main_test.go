package scenarios_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// env is the one control plane, webhook and policy set all scenarios share:
// a control plane costs about 10 s of 2 cores to start.
var env *scenarios.Env

// basePolicies is e2e/testdata/policies.yaml, the set every scenario but 6
// and 7 runs with.
var basePolicies string

// TestMain starts the shared environment, runs the tests and stops it; the
// work directory with every component's log and the webhook's is kept when
// a test fails.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain is TestMain's body, so that deferred calls run before os.Exit.
func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "poolpatch-e2e-scenarios-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if basePolicies, err = scenarios.ReadRepoFile("e2e", "testdata", "policies.yaml"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	env, err = scenarios.Start(ctx, scenarios.Options{Log: os.Stderr, StopOnSignal: true, WorkDir: dir})
	if err != nil {
		fmt.Fprintf(os.Stderr, "start the control plane and the webhook (logs in %s): %v\n", dir, err)
		return 1
	}
	code := 1
	if _, err := env.SetPolicies(ctx, basePolicies); err != nil {
		fmt.Fprintf(os.Stderr, "base policies: %v\n", err)
	} else {
		code = m.Run()
	}
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop: %v\n", err)
		code = 1
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "logs kept in %s (poolpatch.log is the webhook's)\n", dir)
		return code
	}
	_ = os.RemoveAll(dir)
	return 0
}
