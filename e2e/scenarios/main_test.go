package scenarios_test

import (
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
	var err error
	if basePolicies, err = scenarios.ReadRepoFile("e2e", "testdata", "policies.yaml"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts := scenarios.Options{Log: os.Stderr, StopOnSignal: true}
	return scenarios.RunSuite(m, "scenarios", opts, basePolicies, func(e *scenarios.Env) { env = e })
}
