package cluster_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// testTaintReasserted checks that a taint added behind the harness's back
// (as the API server and node controllers do) is lifted again.
func testTaintReasserted(ctx context.Context, t *testing.T, c *cluster.Cluster) {
	name := c.NodeNames(cluster.PoolSpecial)[0]
	node := &corev1.Node{}
	if err := c.Client().Get(ctx, client.ObjectKey{Name: name}, node); err != nil {
		t.Fatal(err)
	}
	node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{
		Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule,
	})
	if err := c.Client().Update(ctx, node); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		if err := c.Client().Get(ctx, client.ObjectKey{Name: name}, node); err != nil {
			return false, err
		}
		return len(node.Spec.Taints) == 1 && node.Spec.Taints[0].Key == cluster.DedicatedLabel, nil
	})
	if err != nil {
		t.Fatalf("node %s taints not re-asserted: %v (have %+v)", name, err, node.Spec.Taints)
	}
}

// testFillPool checks that a full special01 takes no pod that requires it,
// and takes it again once reset.
func testFillPool(ctx context.Context, t *testing.T, c *cluster.Cluster) {
	if err := c.FillPool(ctx, cluster.PoolSpecial); err != nil {
		t.Fatal(err)
	}
	p := dedicatedPod("waits-for-room", cluster.PoolSpecial)
	if err := c.Client().Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	msg, err := c.WaitUnschedulable(ctx, client.ObjectKeyFromObject(p))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scheduler: %s", msg)
	if err := c.ResetPool(ctx, cluster.PoolSpecial); err != nil {
		t.Fatal(err)
	}
	bound, err := c.WaitScheduled(ctx, client.ObjectKeyFromObject(p))
	if err != nil {
		t.Fatal(err)
	}
	node, err := c.NodeOf(ctx, bound)
	if err != nil {
		t.Fatal(err)
	}
	if cluster.PoolOf(node) != cluster.PoolSpecial {
		t.Errorf("pod landed in pool %q after reset, want %q", cluster.PoolOf(node), cluster.PoolSpecial)
	}
}
