package cluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// NodeIn is the name of the first fake Node (in name order) of pool in
// zone; an error when there is none.
func (c *Cluster) NodeIn(pool, zone string) (string, error) {
	for _, name := range c.nodes.names(pool) {
		if fn, ok := c.nodes.snapshot(name); ok && fn.zone == zone {
			return name, nil
		}
	}
	return "", fmt.Errorf("no fake node of pool %q in zone %q", pool, zone)
}

// SetNodeAllocatable sets the given resources of one Node's capacity (and
// allocatable), keeping its others, until changed again.
func (c *Cluster) SetNodeAllocatable(ctx context.Context, node string, resources corev1.ResourceList) error {
	for name, q := range resources {
		if err := c.nodes.setAllocatable(node, name, q.String()); err != nil {
			return err
		}
	}
	fn, _ := c.nodes.snapshot(node)
	if err := assertNode(ctx, c.cl, fn); err != nil {
		return fmt.Errorf("set allocatable of node %s: %w", node, err)
	}
	return nil
}

// SetNodePods sets the pods capacity (and allocatable) of one Node to pods,
// and keeps it there until changed again.
func (c *Cluster) SetNodePods(ctx context.Context, node string, pods int) error {
	return c.SetNodeAllocatable(ctx, node, corev1.ResourceList{
		corev1.ResourcePods: *resource.NewQuantity(int64(pods), resource.DecimalSI),
	})
}

// FillNode makes one Node full, as FillPool does for a pool: its pods
// capacity becomes the pods already bound to it. ResetNode undoes it.
func (c *Cluster) FillNode(ctx context.Context, node string) error {
	pods, err := c.podsOn(ctx, node)
	if err != nil {
		return err
	}
	return c.SetNodePods(ctx, node, pods)
}

// ResetNode gives one Node its pool's configured capacity back.
func (c *Cluster) ResetNode(ctx context.Context, node string) error {
	fn, ok := c.nodes.snapshot(node)
	if !ok {
		return fmt.Errorf("no fake node %q", node)
	}
	return c.SetNodeAllocatable(ctx, node, c.poolAllocatable(fn.pool).DeepCopy())
}
