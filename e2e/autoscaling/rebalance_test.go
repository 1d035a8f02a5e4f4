package autoscaling_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/policy"
)

// The rebalance scenario's policy (e2e/testdata/autoscaling-policies.yaml)
// and the serve --rebalance-interval the suite runs with (main_test.go).
const (
	rebalancePolicy   = "rebalanced-services"
	rebalanceAfter    = 20 * time.Second
	rebalanceInterval = 2 * time.Second
	// moveWait bounds the time from room appearing to every replica moved.
	moveWait = rebalanceAfter + 10*time.Second
)

// TestRebalance proves serve --rebalance on Karpenter + KWOK: a Deployment
// of three replicas with a PodDisruptionBudget (maxUnavailable 1) falls
// back to fallback01 while special01 is full at its limit; after room is
// made on special01, every replica runs there within moveWait, never more
// than one unavailable, each evicted once, no owner backed off, and the
// emptied fallback01 Node is consolidated. In the same run a Job's pod, a
// do-not-disrupt pod and a pod too big for the room are never evicted.
func TestRebalance(t *testing.T) {
	consolidateRetrying(t, true)
	r, took := run(t, "rebalance", rebalanceScenario)
	r.report(t, took)
}

func rebalanceScenario(ctx context.Context, ns string) (*result, error) {
	r := &result{}
	defer deleteWorkloads(ns)
	start, err := readRebalanceCounts(rebalancePolicy)
	if err != nil {
		return nil, err
	}
	if err := fillSpecial(ctx, r, ns); err != nil {
		return nil, err
	}
	web, err := fallBack(ctx, r, ns)
	if err != nil {
		return nil, err
	}
	stay, err := startNegatives(ctx, r, ns)
	if err != nil {
		return nil, err
	}
	// Every pod is now past nothing: wait out rebalance.after and a few
	// passes, during which special01 has no room and nothing may move.
	time.Sleep(rebalanceAfter + 3*rebalanceInterval)
	before, err := readRebalanceCounts(rebalancePolicy)
	if err != nil {
		return nil, err
	}
	r.notef("before room: %s", before.since(start))
	if d := before.since(start); d.evictions != 0 || d.skips["no-room"] == 0 || d.skips["owner-kind"] == 0 || d.skips["do-not-disrupt"] == 0 {
		r.errorf("before room: want no eviction and skips for no-room, owner-kind and do-not-disrupt, got %s", d)
	}
	moved, err := makeRoomAndWait(ctx, r, ns)
	if err != nil {
		return nil, err
	}
	r.notef("room to last replica moved: %s (rebalance.after %s, interval %s)", moved.Round(100*time.Millisecond), rebalanceAfter, rebalanceInterval)
	time.Sleep(3 * rebalanceInterval) // passes that must evict nothing more
	after, err := readRebalanceCounts(rebalancePolicy)
	if err != nil {
		return nil, err
	}
	total := after.since(start)
	r.notef("whole run: %s", total)
	if total.evictions != 3 || total.backoffs != 0 {
		r.errorf("want 3 evictions and no back-off, got %s", total)
	}
	if err := checkEvents(ctx, r, ns, web); err != nil {
		return nil, err
	}
	if err := checkStayed(ctx, r, ns, stay); err != nil {
		return nil, err
	}
	return r, checkConsolidated(ctx, r, web)
}

// rebalanced labels a pod of the rebalanced-services policy.
func rebalanced(app string) map[string]string {
	return map[string]string{"tier": "rebalanced", "app": app}
}

// withCPU sets the first container's requests.
func withCPU(spec *corev1.PodSpec, cpu string) {
	spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("256Mi")}
}

// fillSpecial grows special01 to its limit and leaves 0.4 CPU free on each
// Node: one 3-CPU bare pod per Node, one after the other, then a 0.5-CPU pod
// on each (the second cannot join the first on its Node).
func fillSpecial(ctx context.Context, r *result, ns string) error {
	for i, cpu := range []string{"3", "3", "500m", "500m"} {
		app := fmt.Sprintf("blocker-%d", i)
		pod := scenarios.BarePod(ns, app, rebalanced(app))
		withCPU(&pod.Spec, cpu)
		if err := env.Cluster.Client().Create(ctx, pod); err != nil {
			return fmt.Errorf("create %s: %w", app, err)
		}
		if _, err := autoscaling.WaitRunning(ctx, env, ns, rebalanced(app), 1); err != nil {
			return err
		}
	}
	var pods corev1.PodList
	if err := env.Cluster.Client().List(ctx, &pods, client.InNamespace(ns)); err != nil {
		return err
	}
	return checkPods(ctx, r, pods.Items, []string{special}, "")
}

// fallBack creates the Deployment web (3 replicas of 1 CPU) and its PDB,
// waits until its pods run (on one new fallback01 Node: special01 is full at
// its limit) and returns them.
func fallBack(ctx context.Context, r *result, ns string) ([]corev1.Pod, error) {
	web := scenarios.Deployment(ns, "web", 3, rebalanced("web"))
	withCPU(&web.Spec.Template.Spec, "1")
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptrTo(intstr.FromInt32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: rebalanced("web")}}}
	for _, obj := range []client.Object{pdb, web} {
		if err := env.Cluster.Client().Create(ctx, obj); err != nil {
			return nil, fmt.Errorf("create %T: %w", obj, err)
		}
	}
	pods, err := autoscaling.WaitRunning(ctx, env, ns, rebalanced("web"), 3)
	if err != nil {
		return nil, err
	}
	return pods, checkPods(ctx, r, pods, []string{fallback}, "")
}

// startNegatives runs what must stay where it is, on new fallback01 Nodes:
// a Job's pod (kept Running), a Deployment's do-not-disrupt pod, and a
// Deployment's pod of 3.5 CPU (more than special01 will have free). It
// returns their pods' UIDs by app.
func startNegatives(ctx context.Context, r *result, ns string) (map[string]types.UID, error) {
	job := scenarios.Job(ns, "batch", 1, rebalanced("batch"))
	job.Spec.Template.Labels[autoscaler.KeepRunningLabel] = "true"
	withCPU(&job.Spec.Template.Spec, "1")
	pinned := scenarios.Deployment(ns, "pinned", 1, rebalanced("pinned"))
	pinned.Spec.Template.Annotations = map[string]string{policy.DoNotDisruptAnnotation: "true"}
	withCPU(&pinned.Spec.Template.Spec, "1")
	big := scenarios.Deployment(ns, "big", 1, rebalanced("big"))
	withCPU(&big.Spec.Template.Spec, "3500m")
	for _, obj := range []client.Object{job, pinned, big} {
		if err := env.Cluster.Client().Create(ctx, obj); err != nil {
			return nil, fmt.Errorf("create %s: %w", obj.GetName(), err)
		}
	}
	uids := map[string]types.UID{}
	for _, app := range []string{"batch", "pinned", "big"} {
		pods, err := autoscaling.WaitRunning(ctx, env, ns, rebalanced(app), 1)
		if err != nil {
			return nil, err
		}
		if err := checkPods(ctx, r, pods, []string{fallback}, ""); err != nil {
			return nil, err
		}
		uids[app] = pods[0].UID
	}
	return uids, nil
}

// makeRoomAndWait deletes the first 3-CPU blocker, which leaves 3.4 CPU free
// on its special01 Node, and waits until web's three replicas, and no other,
// run there. Meanwhile it counts web's Ready replicas every 100 ms: the PDB
// allows one unavailable at a time. It returns the time from the deletion.
func makeRoomAndWait(ctx context.Context, r *result, ns string) (time.Duration, error) {
	var fewestReady atomic.Int32
	fewestReady.Store(3)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		for watchCtx.Err() == nil {
			if ready, err := readyReplicas(watchCtx, ns); err == nil && ready < fewestReady.Load() {
				fewestReady.Store(ready)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	roomAt := time.Now()
	if err := env.Cluster.Client().Delete(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "blocker-0"}}); err != nil {
		return 0, fmt.Errorf("make room: %w", err)
	}
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, moveWait, true, func(ctx context.Context) (bool, error) {
		return webOnSpecial(ctx, ns)
	})
	moved := time.Since(roomAt)
	stopWatch()
	if err != nil {
		var pods corev1.PodList
		_ = env.Cluster.Client().List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(rebalanced("web")))
		r.errorf("web not all on special01 %s after room was made: %v", moveWait, err)
		return moved, checkPods(ctx, r, pods.Items, []string{special}, "")
	}
	if fewest := fewestReady.Load(); fewest < 2 {
		r.errorf("web had %d Ready replicas at one point; its PDB allows one of three unavailable", fewest)
	}
	r.notef("web's fewest Ready replicas while moving: %d of 3", fewestReady.Load())
	return moved, nil
}

// readyReplicas counts web's pods that are Ready and not being deleted.
func readyReplicas(ctx context.Context, ns string) (int32, error) {
	var pods corev1.PodList
	if err := env.Cluster.Client().List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(rebalanced("web"))); err != nil {
		return 0, err
	}
	var ready int32
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && podReady(&p) {
			ready++
		}
	}
	return ready, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// webOnSpecial reports whether web has exactly three pods, all Ready on
// special01 Nodes.
func webOnSpecial(ctx context.Context, ns string) (bool, error) {
	var pods corev1.PodList
	if err := env.Cluster.Client().List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(rebalanced("web"))); err != nil {
		return false, err
	}
	nodes, err := nodesByName(ctx)
	if err != nil {
		return false, err
	}
	if len(pods.Items) != 3 {
		return false, nil
	}
	for _, p := range pods.Items {
		if !podReady(&p) || nodes[p.Spec.NodeName].Labels[autoscaler.NodePoolLabel] != special {
			return false, nil
		}
	}
	return true, nil
}

func ptrTo[T any](v T) *T { return &v }

// deleteWorkloads deletes the scenario's controllers and PDB and waits for
// their pods to go, so that the clean-up finds nothing that recreates pods.
func deleteWorkloads(ns string) {
	ctx := context.Background()
	c := env.Cluster.Client()
	background := client.PropagationPolicy(metav1.DeletePropagationBackground)
	_ = c.DeleteAllOf(ctx, &appsv1.Deployment{}, client.InNamespace(ns), background)
	_ = c.DeleteAllOf(ctx, &appsv1.ReplicaSet{}, client.InNamespace(ns), background)
	_ = c.DeleteAllOf(ctx, &policyv1.PodDisruptionBudget{}, client.InNamespace(ns))
	_ = c.DeleteAllOf(ctx, &batchv1.Job{}, client.InNamespace(ns), background)
}
