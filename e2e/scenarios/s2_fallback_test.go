package scenarios_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// fallbackReplicas is the size of scenario 2's Deployment.
const fallbackReplicas = 4

// fallbackScenario is scenario 2: with special01 full, the pods of a new web
// Deployment land on fallback01, never on the untainted general pool.
func fallbackScenario(ctx context.Context, suffix string) (r *result, err error) {
	ns := "s2-fallback" + suffix
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return nil, err
	}
	if err := env.Cluster.FillPool(ctx, cluster.PoolSpecial); err != nil {
		return nil, err
	}
	defer func() {
		if resetErr := env.Cluster.ResetPool(ctx, cluster.PoolSpecial); resetErr != nil {
			err = errors.Join(err, fmt.Errorf("reset special01: %w", resetErr))
		}
	}()
	if err := env.Cluster.Client().Create(ctx, scenarios.Deployment(ns, "web", fallbackReplicas, webLabels("web"))); err != nil {
		return nil, fmt.Errorf("create deployment: %w", err)
	}
	pods, err := env.WaitPods(ctx, ns, webLabels("web"), fallbackReplicas)
	if err != nil {
		return nil, err
	}
	r = &result{pods: len(pods)}
	if _, err = checkPlacements(ctx, r, pods, cluster.PoolFallback, ""); err != nil {
		return r, err
	}
	// Explained while special01 is still full, as the scheduler saw it.
	return r, checkExplain(ctx, r, pods)
}
