package scenarios_test

import (
	"context"
	"fmt"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// jobPods is how many pods each of scenario 5's Jobs runs at once.
const jobPods = 4

// zonesScenario is scenario 5. sameZoneBy: two Jobs (policy batch-jobs:
// pools special01/fallback01, sameZoneBy job-group) whose groups hash to
// different zones each end entirely in their group's zone, on special01.
// zones.allowed: a Deployment (which the default topology spreading would
// spread over both zones) of policy zone-b-only lands in zone-b only.
func zonesScenario(ctx context.Context, suffix string) (*result, error) {
	ns := "s5-zones" + suffix
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return nil, err
	}
	r := &result{}
	for _, group := range groupsInEachZone() {
		labels := map[string]string{"workload": "batch", "job-group": group}
		if err := env.Cluster.Client().Create(ctx, scenarios.Job(ns, group, jobPods, labels)); err != nil {
			return nil, fmt.Errorf("create job %s: %w", group, err)
		}
		pods, err := env.WaitPods(ctx, ns, labels, jobPods)
		if err != nil {
			return nil, err
		}
		r.pods += len(pods)
		if _, err := checkPlacements(ctx, r, pods, cluster.PoolSpecial, sameZone(group, zones)); err != nil {
			return nil, err
		}
		if err := checkExplain(ctx, r, pods); err != nil {
			return nil, err
		}
	}
	labels := map[string]string{"app": "zone-b-only", "workload": "zone-b-only"}
	if err := env.Cluster.Client().Create(ctx, scenarios.Deployment(ns, "zone-b-only", jobPods, labels)); err != nil {
		return nil, fmt.Errorf("create deployment: %w", err)
	}
	pods, err := env.WaitPods(ctx, ns, labels, jobPods)
	if err != nil {
		return nil, err
	}
	r.pods += len(pods)
	if _, err = checkPlacements(ctx, r, pods, cluster.PoolSpecial, "zone-b"); err != nil {
		return r, err
	}
	return r, checkExplain(ctx, r, pods)
}

// groupsInEachZone returns one job-group value per zone, each hashing to
// its zone, so that the scenario shows two different zones chosen.
func groupsInEachZone() []string {
	byZone := map[string]string{}
	var out []string
	for i := 0; len(out) < len(zones); i++ {
		g := fmt.Sprintf("nightly-etl-%d", i)
		if z := sameZone(g, zones); byZone[z] == "" {
			byZone[z] = g
			out = append(out, g)
		}
	}
	return out
}
