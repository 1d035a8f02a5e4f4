package autoscaling_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
)

// Scenario 5's timing: consolidation is turned on with consolidateAfter
// consolidateAfter; empty Nodes must be gone within consolidateWait; the
// driver's Node must still be there holdFor after that.
const (
	consolidateAfter = "1s"
	consolidateWait  = 90 * time.Second
	holdFor          = 15 * time.Second
)

// TestDisruption is scenario 5: a job of a driver (poolpatch writes
// karpenter.sh/do-not-disrupt: "true", eviction never) and five executors
// on two special01 Nodes; consolidation is turned on and the executors end.
// The Nodes left empty are consolidated away; the driver's Node is not
// disrupted while the driver runs (and Karpenter says why in a
// DisruptionBlocked Event), and is consolidated once the driver is gone.
func TestDisruption(t *testing.T) {
	consolidate(t)
	r, took := run(t, "s5-disruption", disruption)
	r.report(t, took)
}

// consolidate turns consolidation on in every NodePool until t ends.
func consolidate(t *testing.T) {
	t.Helper()
	for _, p := range autoscaler.DefaultNodePools() {
		on := p
		on.ConsolidateAfter = consolidateAfter
		if err := env.Autoscaler.ApplyNodePool(t.Context(), on); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := env.Autoscaler.ApplyNodePool(context.Background(), p); err != nil {
				t.Errorf("restore %s: %v", p.Name, err)
			}
		})
	}
}

// disruption runs scenario 5 in ns.
func disruption(ctx context.Context, ns string) (*result, error) {
	r := &result{}
	job := autoscaling.Job{Namespace: ns, App: "s5-app", Executors: 5}
	pods, err := runJobs(ctx, r, job)
	if err != nil || len(r.failures) > 0 {
		return r, err
	}
	if err := checkPods(ctx, r, pods, []string{special}, ""); err != nil {
		return nil, err
	}
	if err := checkExplain(ctx, r, pods); err != nil {
		return nil, err
	}
	driver := ofRole(pods, "driver")
	if driver.Annotations[autoscaler.DoNotDisrupt] != "true" {
		r.errorf("driver %s: annotation %s = %q, want \"true\"", driver.Name, autoscaler.DoNotDisrupt, driver.Annotations[autoscaler.DoNotDisrupt])
	}
	if err := checkCounts(ctx, r, map[string]count{special: exactly(2)}); err != nil {
		return nil, err
	}
	began := time.Now()
	if err := autoscaling.DeletePods(ctx, env, ns, job.Selector("executor")); err != nil {
		return nil, err
	}
	if err := keepsDriverNode(ctx, r, driver.Spec.NodeName); err != nil {
		return nil, err
	}
	r.notef("executors ended: empty Nodes consolidated, the driver's Node kept (%s)", time.Since(began).Round(time.Second))
	began = time.Now()
	if err := autoscaling.DeletePods(ctx, env, ns, job.Selector("driver")); err != nil {
		return nil, err
	}
	if _, err := env.Autoscaler.WaitCounts(ctx, consolidateWait, func(c autoscaler.Counts) bool { return c.Total() == 0 }); err != nil {
		r.errorf("driver gone: its Node not consolidated: %v", err)
		return r, nil
	}
	r.notef("driver ended: its Node consolidated in %s", time.Since(began).Round(time.Second))
	return r, nil
}

// keepsDriverNode waits until the only Node left is the driver's, then
// checks that it stays for holdFor and that Karpenter recorded a
// DisruptionBlocked Event on it.
func keepsDriverNode(ctx context.Context, r *result, node string) error {
	_, err := env.Autoscaler.WaitCounts(ctx, consolidateWait, func(c autoscaler.Counts) bool {
		return c.Nodes[special] <= 1 && c.Terminating == 0
	})
	if err != nil {
		r.errorf("executors gone: empty Nodes not consolidated: %v", err)
		return nil
	}
	time.Sleep(holdFor)
	nodes, err := nodesByName(ctx)
	if err != nil {
		return err
	}
	if n, ok := nodes[node]; !ok || n.DeletionTimestamp != nil {
		r.errorf("driver's node %s disrupted while the driver (do-not-disrupt) runs", node)
	}
	if len(nodes) != 1 {
		r.errorf("%d Nodes left, want only the driver's %s", len(nodes), node)
	}
	msg, err := blockedEvent(ctx, node)
	if err != nil {
		return err
	}
	switch {
	case msg == "":
		r.errorf("node %s: no DisruptionBlocked Event", node)
	case !strings.Contains(msg, autoscaler.DoNotDisrupt):
		// Karpenter v1.15 drops a DisruptionBlocked Event for two minutes
		// after another on the same Node, whatever its message: an earlier
		// block (a pod nominated to the Node) can hide the annotation's.
		r.notef("Karpenter on the driver's Node (the do-not-disrupt Event deduplicated away): %s", msg)
	default:
		r.notef("Karpenter on the driver's Node: %s", msg)
	}
	return nil
}

// blockedEvent is the message of a DisruptionBlocked Event on node, the one
// naming the do-not-disrupt annotation if any ("" if there is none).
func blockedEvent(ctx context.Context, node string) (string, error) {
	var events corev1.EventList
	sel := fields.SelectorFromSet(fields.Set{"involvedObject.kind": "Node", "involvedObject.name": node})
	if err := env.Cluster.Client().List(ctx, &events, client.MatchingFieldsSelector{Selector: sel}); err != nil {
		return "", fmt.Errorf("list events of node %s: %w", node, err)
	}
	msg := ""
	for _, e := range events.Items {
		if e.Reason != "DisruptionBlocked" {
			continue
		}
		if strings.Contains(e.Message, autoscaler.DoNotDisrupt) {
			return e.Message, nil
		}
		msg = e.Message
	}
	return msg, nil
}

// ofRole is the first pod of a Spark role.
func ofRole(pods []corev1.Pod, role string) corev1.Pod {
	for _, p := range pods {
		if p.Labels["spark-role"] == role {
			return p
		}
	}
	return corev1.Pod{}
}
