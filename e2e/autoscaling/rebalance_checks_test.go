package autoscaling_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// checkEvents checks the Rebalanced Events of ns: one per original web
// replica, none for another pod, each naming the pools.
func checkEvents(ctx context.Context, r *result, ns string, web []corev1.Pod) error {
	var events corev1.EventList
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		if err := env.Cluster.Client().List(ctx, &events, client.InNamespace(ns)); err != nil {
			return false, err
		}
		return len(rebalancedEvents(events)) >= len(web), nil
	})
	if err != nil && ctx.Err() != nil {
		return err
	}
	got := rebalancedEvents(events)
	var want []string
	for _, p := range web {
		want = append(want, p.Name)
	}
	slices.Sort(want)
	var names []string
	for _, e := range got {
		names = append(names, e.InvolvedObject.Name)
		if e.Count > 1 || !strings.Contains(e.Message, `moved from pool "fallback01" to "special01"`) {
			r.errorf("event on %s: count %d, message %q", e.InvolvedObject.Name, e.Count, e.Message)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		r.errorf("Rebalanced Events on %v, want one on each of web's first replicas %v", names, want)
	}
	if len(got) > 0 {
		r.notef("an Event: %s", got[0].Message)
	}
	return nil
}

func rebalancedEvents(list corev1.EventList) []corev1.Event {
	var out []corev1.Event
	for _, e := range list.Items {
		if e.Reason == "Rebalanced" {
			out = append(out, e)
		}
	}
	return out
}

// checkStayed checks that each negative case's pod is the one created, still
// Running on fallback01.
func checkStayed(ctx context.Context, r *result, ns string, stay map[string]types.UID) error {
	for app, uid := range stay {
		var pods corev1.PodList
		if err := env.Cluster.Client().List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(rebalanced(app))); err != nil {
			return err
		}
		if len(pods.Items) != 1 || pods.Items[0].UID != uid || pods.Items[0].DeletionTimestamp != nil {
			r.errorf("%s: its pod was evicted or replaced (%d pods)", app, len(pods.Items))
			continue
		}
		if err := checkPods(ctx, r, pods.Items, []string{fallback}, ""); err != nil {
			return err
		}
	}
	return nil
}

// checkConsolidated waits until every Node web ran on before the move is
// gone, unless another pod still runs there.
func checkConsolidated(ctx context.Context, r *result, web []corev1.Pod) error {
	var left []string
	err := wait.PollUntilContextTimeout(ctx, time.Second, consolidateWait, true, func(ctx context.Context) (bool, error) {
		left = left[:0]
		var pods corev1.PodList
		if err := env.Cluster.Client().List(ctx, &pods); err != nil {
			return false, err
		}
		nodes, err := nodesByName(ctx)
		if err != nil {
			return false, err
		}
		for _, p := range web {
			if _, exists := nodes[p.Spec.NodeName]; exists && !slices.Contains(left, p.Spec.NodeName) && emptyNode(pods.Items, p.Spec.NodeName) {
				left = append(left, p.Spec.NodeName)
			}
		}
		return len(left) == 0, nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		r.errorf("fallback01 Nodes emptied by the moves not consolidated within %s: %v", consolidateWait, left)
	}
	counts, err := env.Autoscaler.Counts(ctx)
	if err != nil {
		return fmt.Errorf("counts: %w", err)
	}
	r.counts = counts
	return nil
}

// emptyNode reports whether no pod that is neither finished nor being
// deleted is bound to node.
func emptyNode(pods []corev1.Pod, node string) bool {
	for _, p := range pods {
		if p.Spec.NodeName == node && p.DeletionTimestamp == nil && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			return false
		}
	}
	return true
}
