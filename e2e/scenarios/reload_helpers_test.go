package scenarios_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// reloadLabels select the pods of policy reload.
var reloadLabels = map[string]string{"workload": "reload"}

// invalidWeight is outside 1-100: the loader and the validating webhook
// reject it.
const invalidWeight = 500

// withReload is the base policies plus a policy "reload" that sends its
// pods to pool with the given weight.
func withReload(pool string, weight int) string {
	return strings.TrimRight(basePolicies, "\n") + `
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata:
  name: reload
spec:
  match:
    podSelector: {matchLabels: {workload: reload}}
  pools:
    - name: ` + pool + `
      weight: ` + strconv.Itoa(weight) + `
`
}

// positioned finds policies.yaml:LINE:COL in kubectl's stderr.
var positioned = regexp.MustCompile(`policies\.yaml:(\d+):(\d+)`)

// reloadPod creates one pod of policy reload and returns the pool it lands in.
func reloadPod(ctx context.Context, r *result, ns, name string) (string, error) {
	pod := scenarios.BarePod(ns, name, reloadLabels)
	if err := env.Cluster.Client().Create(ctx, pod); err != nil {
		return "", fmt.Errorf("create pod %s: %w", name, err)
	}
	stored, err := env.Cluster.WaitScheduled(ctx, client.ObjectKeyFromObject(pod))
	if err != nil {
		return "", err
	}
	placements, err := env.Placements(ctx, []corev1.Pod{*stored})
	if err != nil {
		return "", err
	}
	r.pods++
	r.placed(placements[0].Pool, placements[0].Zone)
	return placements[0].Pool, nil
}

// checkPool creates a reload pod and records a failure unless it lands in want.
func checkPool(ctx context.Context, r *result, ns, name, want string) error {
	got, err := reloadPod(ctx, r, ns, name)
	if err == nil && got != want {
		r.errorf("pod %s (%s): pool %q, want %q", name, ns, got, want)
	}
	return err
}

// waitEvent waits for an Event with reason on the policy ConfigMap and
// returns its message.
func waitEvent(ctx context.Context, reason string) (string, error) {
	var msg string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, scenarios.PolicyWait, true, func(ctx context.Context) (bool, error) {
		var events corev1.EventList
		if err := env.Cluster.Client().List(ctx, &events, client.InNamespace(scenarios.SystemNamespace)); err != nil {
			return false, fmt.Errorf("list events: %w", err)
		}
		for _, e := range events.Items {
			if e.InvolvedObject.Name == scenarios.PolicyConfigMapName && e.Reason == reason {
				msg = e.Message
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return "", fmt.Errorf("event %s on the policy ConfigMap: %w", reason, err)
	}
	return msg, nil
}

// lineOf is the 1-based line number of the first line of s containing sub.
func lineOf(s, sub string) int {
	for i, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			return i + 1
		}
	}
	return 0
}
