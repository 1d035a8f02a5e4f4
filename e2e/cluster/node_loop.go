package cluster

import (
	"context"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// reassertEvery is how often the harness re-asserts its Nodes' state.
const reassertEvery = time.Second

// assertNodes brings every fake Node to its wanted state once.
func assertNodes(ctx context.Context, cl client.Client, set *nodeSet) error {
	for _, name := range set.names("") {
		fn, ok := set.snapshot(name)
		if !ok {
			continue
		}
		if err := assertNode(ctx, cl, fn); err != nil {
			return err
		}
	}
	return nil
}

// keepNodes re-asserts the fake Nodes' taints, Ready condition and capacity
// every reassertEvery until ctx ends, so a taint something re-adds (such as
// node.kubernetes.io/not-ready) is lifted again. Errors are logged to log
// and retried on the next round.
func keepNodes(ctx context.Context, cl client.Client, set *nodeSet, logf func(string, ...any)) {
	ticker := time.NewTicker(reassertEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if err := assertNodes(ctx, cl, set); err != nil && ctx.Err() == nil {
			logf("re-assert nodes: %v", err)
		}
	}
}
