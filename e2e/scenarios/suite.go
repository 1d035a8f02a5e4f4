package scenarios

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// KeepLogsEnv, set to anything, keeps the work directory of a suite that
// passed too.
const KeepLogsEnv = "POOLPATCH_E2E_KEEP_LOGS"

// RunSuite is the body of an end-to-end suite's TestMain: it starts one
// environment with opts in a fresh work directory, applies policies, hands
// the environment to use (the suite keeps it in its shared variable), runs
// the tests and stops everything. The work directory, with every
// component's log, is kept and named when a test fails (or KeepLogsEnv is
// set).
func RunSuite(m *testing.M, suite string, opts Options, policies string, use func(*Env)) int {
	dir, err := os.MkdirTemp("", "poolpatch-e2e-"+suite+"-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	opts.WorkDir = dir
	env, err := Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "start the %s environment (logs in %s): %v\n", suite, dir, err)
		return 1
	}
	use(env)
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
	if code != 0 || os.Getenv(KeepLogsEnv) != "" {
		fmt.Fprintf(os.Stderr, "logs kept in %s (poolpatch.log is the webhook's)\n", dir)
		return code
	}
	_ = os.RemoveAll(dir)
	return 0
}
