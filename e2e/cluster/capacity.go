package cluster

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// SetPoolPods sets the pods capacity (and allocatable) of every Node of pool
// to pods, and keeps it there until changed again.
func (c *Cluster) SetPoolPods(ctx context.Context, pool string, pods int) error {
	return c.setPool(ctx, pool, func(string) (int, error) { return pods, nil })
}

// FillPool makes pool full: each of its Nodes gets a pods capacity equal to
// the pods already bound to it, so the scheduler places nothing more there.
// ResetPool undoes it.
func (c *Cluster) FillPool(ctx context.Context, pool string) error {
	return c.setPool(ctx, pool, func(node string) (int, error) { return c.podsOn(ctx, node) })
}

// ResetPool gives pool's Nodes their configured capacity back.
func (c *Cluster) ResetPool(ctx context.Context, pool string) error {
	base := c.poolAllocatable(pool)
	pods := base[corev1.ResourcePods]
	return c.SetPoolPods(ctx, pool, int(pods.Value()))
}

// setPool sets each Node's pods capacity to podsFor(node) and writes it.
func (c *Cluster) setPool(ctx context.Context, pool string, podsFor func(node string) (int, error)) error {
	names := c.nodes.names(pool)
	if len(names) == 0 {
		return fmt.Errorf("no fake nodes in pool %q", pool)
	}
	for _, name := range names {
		pods, err := podsFor(name)
		if err != nil {
			return err
		}
		if err := c.nodes.setAllocatable(name, corev1.ResourcePods, strconv.Itoa(pods)); err != nil {
			return err
		}
		fn, _ := c.nodes.snapshot(name)
		if err := assertNode(ctx, c.cl, fn); err != nil {
			return err
		}
	}
	return nil
}

// podsOn counts the pods bound to node that still hold their place.
func (c *Cluster) podsOn(ctx context.Context, node string) (int, error) {
	var pods corev1.PodList
	if err := c.cl.List(ctx, &pods, client.MatchingFields{"spec.nodeName": node}); err != nil {
		return 0, fmt.Errorf("list pods: %w", err)
	}
	n := 0
	for _, p := range pods.Items {
		if p.Spec.NodeName == node && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			n++
		}
	}
	return n, nil
}

// poolAllocatable is the configured allocatable of pool's Nodes.
func (c *Cluster) poolAllocatable(pool string) corev1.ResourceList {
	for _, p := range c.opts.Pools {
		if p.Name == pool && p.Allocatable != nil {
			return p.Allocatable
		}
	}
	return c.opts.Allocatable
}
