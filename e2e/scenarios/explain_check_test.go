package scenarios_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/internal/explaincli"
)

// explainTally counts what the explain checks compared over the whole run,
// for the log line TestExplainPending prints.
var explainTally struct {
	sync.Mutex
	bound, boundAgreed, flagged, pending, pendingAgreed int
	// samples are the text reports of the first pod of each check, for
	// the log (the README quotes them).
	samples []string
}

// checkExplain runs `poolpatch explain pod` live (the CLI's code, in
// process, against the stored pod, Nodes, bound pods and policy ConfigMap)
// on every pod and records a failure for each disagreement with the
// scheduler: a bound pod's Node must be feasible and among the best by
// NodeAffinity, unless explain itself said other scores may decide; a
// pending pod must get "nothing fits" with the scheduler's own message.
func checkExplain(ctx context.Context, r *result, pods []corev1.Pod) error {
	live, err := explaincli.NewLive(env.Cluster.RESTConfig(), scenarios.SystemNamespace+"/"+scenarios.PolicyConfigMapName)
	if err != nil {
		return err
	}
	for i, p := range pods {
		rep, err := live.Report(ctx, p.Namespace, p.Name)
		if err != nil {
			return fmt.Errorf("explain pod %s/%s: %w", p.Namespace, p.Name, err)
		}
		if i == 0 {
			sample(rep)
		}
		if rep.BoundTo == "" {
			comparePending(r, rep)
			continue
		}
		compareBound(r, rep)
	}
	return nil
}

// compareBound checks a bound pod's Node against the report.
func compareBound(r *result, rep explain.Report) {
	explainTally.Lock()
	defer explainTally.Unlock()
	explainTally.bound++
	flagged := rep.Verdict.OtherScores != ""
	if flagged {
		explainTally.flagged++
	}
	for _, l := range rep.Nodes {
		if l.Node != rep.BoundTo {
			continue
		}
		switch {
		case !l.Feasible:
			r.errorf("explain: pod %s bound to %s, which explain finds infeasible: %s", rep.Pod, l.Node, l.Reason)
		case !l.Best && !flagged:
			r.errorf("explain: pod %s bound to %s (NodeAffinity %d), not among the best %v, and no other score flagged",
				rep.Pod, l.Node, l.Score, rep.Verdict.Best)
		default:
			explainTally.boundAgreed++
		}
		return
	}
	r.errorf("explain: pod %s bound to %s, a Node explain did not list", rep.Pod, rep.BoundTo)
}

// comparePending checks a pending pod's report against the scheduler's
// PodScheduled condition (the FailedScheduling event's message).
func comparePending(r *result, rep explain.Report) {
	explainTally.Lock()
	defer explainTally.Unlock()
	explainTally.pending++
	if rep.Verdict.Fits || !strings.HasPrefix(rep.SchedulerSaid, rep.Verdict.Unschedulable) {
		r.errorf("explain: pending pod %s: explain says %q, the scheduler %q", rep.Pod, rep.Verdict.Text, rep.SchedulerSaid)
		return
	}
	explainTally.pendingAgreed++
}

// TestExplainPending makes web pods pending two ways, with special01 and
// fallback01 full (pods) and with a request no Node has room for (CPU),
// checks explain against the scheduler's message, and logs the tally of
// every explain check of the run.
func TestExplainPending(t *testing.T) {
	ctx := t.Context()
	ns := "explain-pending"
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		t.Fatal(err)
	}
	r := &result{}
	huge := scenarios.BarePod(ns, "web-huge", webLabels("web-huge"))
	huge.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("64")
	if err := explainPendingPod(ctx, r, huge); err != nil {
		t.Fatal(err)
	}
	for _, pool := range []string{cluster.PoolSpecial, cluster.PoolFallback} {
		if err := env.Cluster.FillPool(ctx, pool); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := env.Cluster.ResetPool(context.Background(), pool); err != nil {
				t.Errorf("reset %s: %v", pool, err)
			}
		})
	}
	if err := explainPendingPod(ctx, r, scenarios.BarePod(ns, "web-full", webLabels("web-full"))); err != nil {
		t.Fatal(err)
	}
	r.report(t, nil)
	explainTally.Lock()
	defer explainTally.Unlock()
	for _, text := range explainTally.samples {
		t.Logf("explain output:\n%s", text)
	}
	t.Logf("explain checks so far: %d bound pods compared, %d agreed (%d flagged other scores); %d pending pods compared, %d agreed",
		explainTally.bound, explainTally.boundAgreed, explainTally.flagged, explainTally.pending, explainTally.pendingAgreed)
}

// explainPendingPod creates pod, waits until the scheduler reports it
// Unschedulable, explains it and deletes it.
func explainPendingPod(ctx context.Context, r *result, pod *corev1.Pod) error {
	if err := env.Cluster.Client().Create(ctx, pod); err != nil {
		return fmt.Errorf("create pod %s: %w", pod.Name, err)
	}
	defer func() { _ = env.Cluster.Client().Delete(context.Background(), pod) }()
	msg, err := env.Cluster.WaitUnschedulable(ctx, client.ObjectKeyFromObject(pod))
	if err != nil {
		return err
	}
	r.pods++
	before := len(r.failures)
	if err := checkExplain(ctx, r, []corev1.Pod{*pod}); err != nil {
		return err
	}
	if len(r.failures) == before {
		fmt.Printf("explain agrees with the scheduler on pending pod %s: %s\n", pod.Name, msg)
	}
	return nil
}

func sample(rep explain.Report) {
	var b strings.Builder
	_ = rep.WriteText(&b)
	explainTally.Lock()
	defer explainTally.Unlock()
	explainTally.samples = append(explainTally.samples, b.String())
}
