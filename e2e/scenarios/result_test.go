package scenarios_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/poolpatch/poolpatch/webhook"
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
	// Scenario 6's evidence: how long a reload took to be served, the
	// line kubectl printed for a rejected set and the Event's message.
	reload           time.Duration
	rejection, event string
	// skipped lists the kinds scenario 7 did not create.
	skipped []string
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
	if len(r.placements) > 0 {
		t.Logf("%d pods; placements (pool/zone: pods): %v", r.pods, r.placements)
	} else {
		t.Logf("%d pods", r.pods)
	}
	if len(r.skipped) > 0 {
		t.Logf("not created (no pods, passed through by poolpatch): %v", r.skipped)
	}
	if r.reload > 0 {
		t.Logf("changed policies served %s after kubectl apply", r.reload.Round(time.Millisecond))
	}
	if r.rejection != "" {
		t.Logf("kubectl apply of an invalid set: %s", r.rejection)
	}
	if r.event != "" {
		t.Logf("Event %s: %s", webhook.ReasonPolicyRejected, r.event)
	}
	for _, f := range r.failures {
		t.Error(f)
	}
}

// summary is the failures on one line each, for logs.
func (r *result) summary() string {
	return strings.Join(r.failures, "\n")
}

// firstLine is the first line of s containing sub, trimmed ("" if none).
func firstLine(s, sub string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}
