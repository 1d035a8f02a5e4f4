package scenarios_test

import (
	"fmt"
	"strings"
	"testing"
)

// result collects a scenario's failed assertions. A scenario returns it
// together with an error for what kept it from running at all (a setup
// step, a timeout), so that the negative run can require assertion failures
// and nothing else.
type result struct {
	failures []string
	// pods and placements count what the scenario created and checked.
	pods       int
	placements map[string]int // pool/zone -> pods
}

// errorf records one failed assertion.
func (r *result) errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// placed counts one pod placed in pool and zone.
func (r *result) placed(pool, zone string) {
	if r.placements == nil {
		r.placements = map[string]int{}
	}
	r.placements[pool+"/"+zone]++
}

// report fails t with the scenario's error or failures and logs its numbers.
func (r *result) report(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("scenario did not run: %v", err)
	}
	t.Logf("%d pods created; placements (pool/zone: pods): %v", r.pods, r.placements)
	for _, f := range r.failures {
		t.Error(f)
	}
}

// summary is the failures on one line each, for logs.
func (r *result) summary() string {
	return strings.Join(r.failures, "\n")
}
