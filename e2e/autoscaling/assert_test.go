package autoscaling_test

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// Pool names, as the harness's NodePools are named.
const (
	special  = cluster.PoolSpecial
	fallback = cluster.PoolFallback
	general  = cluster.PoolGeneral
)

// zones are the zones the instance type is offered in, as the policies list
// them.
var zones = []string{"test-zone-a", "test-zone-b", "test-zone-c", "test-zone-d"}

// inNamespace is client.InNamespace, for DeleteAllOf.
func inNamespace(ns string) client.DeleteAllOfOption {
	return client.InNamespace(ns)
}

// runJobs submits the jobs and waits until their pods run. Pods that do not
// run in time are an assertion failure, not an error: without the webhook
// they may stay pending for good. It returns the pods it found.
func runJobs(ctx context.Context, r *result, jobs ...autoscaling.Job) ([]corev1.Pod, error) {
	for _, j := range jobs {
		if err := autoscaling.Submit(ctx, env, j); err != nil {
			return nil, err
		}
	}
	var all []corev1.Pod
	for _, j := range jobs {
		pods, err := autoscaling.WaitRunning(ctx, env, j.Namespace, j.Selector(""), j.Size())
		if err != nil {
			r.errorf("job %s: %v", j.App, err)
		}
		all = append(all, pods...)
	}
	return all, nil
}

// checkPods records where each pod runs and a failure for each pod that is
// not Running on a Node of one of the pools (or, unless zone is "", not in
// zone). Pools are read from the Node's karpenter.sh/nodepool label and
// checked against its dedicated label.
func checkPods(ctx context.Context, r *result, pods []corev1.Pod, pools []string, zone string) error {
	nodes, err := nodesByName(ctx)
	if err != nil {
		return err
	}
	if r.pods == nil {
		r.pods = map[string]int{}
	}
	for _, p := range pods {
		node, ok := nodes[p.Spec.NodeName]
		if !ok || p.Status.Phase != corev1.PodRunning {
			r.pods["pending"]++
			r.errorf("pod %s: not Running on a Node (phase %s, node %q)", p.Name, p.Status.Phase, p.Spec.NodeName)
			continue
		}
		pool, z := node.Labels[autoscaler.NodePoolLabel], node.Labels[corev1.LabelTopologyZone]
		r.pods[pool+"/"+z]++
		if node.Labels[cluster.DedicatedLabel] != pool {
			r.errorf("node %s: NodePool %s but dedicated=%q", node.Name, pool, node.Labels[cluster.DedicatedLabel])
		}
		if !slices.Contains(pools, pool) {
			r.errorf("pod %s on node %s: pool %s, want one of %v", p.Name, node.Name, pool, pools)
		}
		if zone != "" && z != zone {
			r.errorf("pod %s on node %s: zone %s, want %s", p.Name, node.Name, z, zone)
		}
	}
	return nil
}

// nodesByName maps every Node by name.
func nodesByName(ctx context.Context) (map[string]corev1.Node, error) {
	nodes, err := env.Autoscaler.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]corev1.Node, len(nodes))
	for _, n := range nodes {
		out[n.Name] = n
	}
	return out, nil
}

// count is an expectation on a pool's Node count.
type count struct {
	ok   func(int) bool
	desc string
}

// Node count expectations for checkCounts.
var (
	none = count{func(n int) bool { return n == 0 }, "none"}
	some = count{func(n int) bool { return n > 0 }, "at least one"}
)

// exactly expects k Nodes.
func exactly(k int) count {
	return count{func(n int) bool { return n == k }, fmt.Sprint(k)}
}

// checkCounts reads the Nodes and NodeClaims per pool into r and records a
// failure for each pool whose Node count want rejects, and for each pool
// whose NodeClaims and Nodes differ (a NodeClaim that never got its Node).
func checkCounts(ctx context.Context, r *result, want map[string]count) error {
	c, err := env.Autoscaler.Counts(ctx)
	if err != nil {
		return err
	}
	r.counts = c
	for _, pool := range []string{special, fallback, general} {
		if w, ok := want[pool]; ok && !w.ok(c.Nodes[pool]) {
			r.errorf("pool %s: %d Nodes, want %s", pool, c.Nodes[pool], w.desc)
		}
	}
	for _, pool := range []string{special, fallback, general} {
		if c.Nodes[pool] != c.NodeClaims[pool] {
			r.errorf("pool %s: %d Nodes but %d NodeClaims", pool, c.Nodes[pool], c.NodeClaims[pool])
		}
	}
	return nil
}

// ofApp are the pods of one application.
func ofApp(pods []corev1.Pod, app string) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		if p.Labels[scenarios.SparkAppLabel] == app {
			out = append(out, p)
		}
	}
	return out
}
