package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// The scheduler's resource scores (NodeResourcesFit, least allocated, and
// NodeResourcesBalancedAllocation) weigh each node's requested CPU and
// memory against the pool preference: what earlier scenarios leave on the
// dedicated nodes (after scenario 7 up to 24 of fallback01's 32 CPUs in one
// zone and 14 in the other) outweighs a zone term's 20-point edge. Scenario 9
// therefore multiplies the CPU and memory of every special01 and fallback01
// node by scaledCapacity, so that their load weighs nothing, and loads a
// node itself where a case asks for it.
var scaledCapacity = corev1.ResourceList{
	corev1.ResourceCPU:    resource.MustParse("32000"),
	corev1.ResourceMemory: resource.MustParse("128000Gi"),
}

// ballastRequests is half of scaledCapacity: a node holding it scores 50
// instead of 100 in NodeResourcesFit.
var ballastRequests = corev1.ResourceList{
	corev1.ResourceCPU:    resource.MustParse("16000"),
	corev1.ResourceMemory: resource.MustParse("64000Gi"),
}

// scaledNode is a dedicated node's capacity during scenario 9:
// scaledCapacity and the configured pods capacity.
func scaledNode() corev1.ResourceList {
	out := scaledCapacity.DeepCopy()
	out[corev1.ResourcePods] = cluster.DefaultAllocatable()[corev1.ResourcePods]
	return out
}

// scaleDedicatedNodes gives every special01 and fallback01 node scaledNode
// until t ends, then their configured capacity back.
func scaleDedicatedNodes(ctx context.Context, t *testing.T) error {
	for _, pool := range []string{cluster.PoolSpecial, cluster.PoolFallback} {
		for _, node := range env.Cluster.NodeNames(pool) {
			t.Cleanup(func() {
				if err := env.Cluster.ResetNode(context.Background(), node); err != nil {
					t.Errorf("reset %s: %v", node, err)
				}
			})
			if err := env.Cluster.SetNodeAllocatable(ctx, node, scaledNode()); err != nil {
				return err
			}
		}
	}
	return nil
}

// bindBallast binds a pod requesting ballastRequests to node in namespace
// ns (spec.nodeName set: no scheduler, and poolpatch leaves it alone). The
// returned function deletes it at once (there is no kubelet to finish a
// graceful deletion).
func bindBallast(ctx context.Context, ns, node string) (func() error, error) {
	pod := scenarios.BarePod(ns, "ballast", map[string]string{"e2e.poolpatch.io/ballast": "true"})
	pod.Spec.NodeName = node
	pod.Spec.Containers[0].Resources.Requests = ballastRequests.DeepCopy()
	if err := env.Cluster.Client().Create(ctx, pod); err != nil {
		return nil, fmt.Errorf("bind ballast to %s: %w", node, err)
	}
	return func() error {
		err := env.Cluster.Client().Delete(context.Background(), pod, client.GracePeriodSeconds(0))
		if err != nil {
			return fmt.Errorf("delete ballast on %s: %w", node, err)
		}
		return nil
	}, nil
}

// prepareNodes makes special01's node in zone full (c.fillJobZone) and binds
// a ballast pod to fallback01's node in zone (c.loadJobZone). The returned
// function undoes both, back to scaledNode.
func prepareNodes(ctx context.Context, ns, zone string, c preferenceCase) (undo func() error, err error) {
	var undos []func() error
	undo = func() error {
		var errs []error
		for _, u := range undos {
			errs = append(errs, u())
		}
		return errors.Join(errs...)
	}
	if c.fillJobZone {
		node, err := env.Cluster.NodeIn(cluster.PoolSpecial, zone)
		if err != nil {
			return nil, err
		}
		if err := env.Cluster.FillNode(ctx, node); err != nil {
			return nil, err
		}
		undos = append(undos, func() error { return env.Cluster.SetNodeAllocatable(context.Background(), node, scaledNode()) })
	}
	if c.loadJobZone {
		node, err := env.Cluster.NodeIn(cluster.PoolFallback, zone)
		if err != nil {
			return nil, errors.Join(err, undo())
		}
		unload, err := bindBallast(ctx, ns, node)
		if err != nil {
			return nil, errors.Join(err, undo())
		}
		undos = append(undos, unload)
	}
	return undo, nil
}
