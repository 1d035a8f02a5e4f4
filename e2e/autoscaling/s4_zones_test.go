package autoscaling_test

import (
	"context"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/autoscaling"
)

// Scenario 4's zones: two jobs whose application ids hash to these.
const (
	zoneOfJobA = "test-zone-b"
	zoneOfJobB = "test-zone-d"
)

// TestOneZonePerJob is scenario 4: two jobs whose sameZoneBy values hash to
// different zones, submitted together: each job's Nodes are provisioned in
// its own zone, on special01.
func TestOneZonePerJob(t *testing.T) {
	r, took := run(t, "s4-zones", oneZonePerJob)
	r.report(t, took)
}

// oneZonePerJob runs scenario 4 in ns.
func oneZonePerJob(ctx context.Context, ns string) (*result, error) {
	r := &result{}
	a := autoscaling.Job{Namespace: ns, App: autoscaling.AppInZone("s4-job", zoneOfJobA, zones), Executors: 2}
	b := autoscaling.Job{Namespace: ns, App: autoscaling.AppInZone("s4-job", zoneOfJobB, zones), Executors: 2}
	r.notef("job %s hashes to %s, job %s to %s", a.App, zoneOfJobA, b.App, zoneOfJobB)
	pods, err := runJobs(ctx, r, a, b)
	if err != nil {
		return nil, err
	}
	for _, j := range []struct {
		job  autoscaling.Job
		zone string
	}{{a, zoneOfJobA}, {b, zoneOfJobB}} {
		if err := checkPods(ctx, r, ofApp(pods, j.job.App), []string{special}, j.zone); err != nil {
			return nil, err
		}
	}
	if err := checkExplain(ctx, r, pods); err != nil {
		return nil, err
	}
	return r, checkCounts(ctx, r, map[string]count{special: exactly(2), fallback: none, general: none})
}
