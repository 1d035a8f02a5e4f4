package scenarios_test

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// untouchedScenario is scenario 3: a pod in a namespace without the opt-in
// label, a pod labelled poolpatch.io/mutate=false and a DaemonSet's pods
// are stored without anything poolpatch adds, though the web policy matches
// their labels; a control pod in the opted-in namespace is mutated.
func untouchedScenario(ctx context.Context) (*result, error) {
	on, off := "s3-opted-in", "s3-not-opted-in"
	if _, err := env.Cluster.CreateNamespace(ctx, on, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return nil, err
	}
	if _, err := env.Cluster.CreateNamespace(ctx, off, nil); err != nil {
		return nil, err
	}
	optOut := webLabels("opted-out")
	optOut[scenarios.OptOutLabel] = "false"
	bare := []*corev1.Pod{
		scenarios.BarePod(off, "not-opted-in", webLabels("not-opted-in")),
		scenarios.BarePod(on, "opted-out", optOut),
		scenarios.BarePod(on, "control", webLabels("control")),
	}
	for _, p := range bare {
		if err := env.Cluster.Client().Create(ctx, p); err != nil {
			return nil, fmt.Errorf("create pod %s/%s: %w", p.Namespace, p.Name, err)
		}
	}
	if err := env.Cluster.Client().Create(ctx, scenarios.DaemonSet(on, "agent", webLabels("agent"))); err != nil {
		return nil, fmt.Errorf("create daemonset: %w", err)
	}
	// The DaemonSet's pods tolerate no pool taint: one per general Node.
	daemons, err := env.WaitPods(ctx, on, webLabels("agent"), len(env.Cluster.NodeNames(cluster.PoolGeneral)))
	if err != nil {
		return nil, err
	}
	r := &result{pods: len(bare) + len(daemons)}
	for _, p := range slices.Concat(bare[:2], podPtrs(daemons)) {
		if err := checkUntouched(ctx, r, p); err != nil {
			return nil, err
		}
	}
	return r, checkControl(ctx, r, bare[2])
}

// checkUntouched records a failure when the stored pod carries anything
// poolpatch adds, or lands outside the general pool.
func checkUntouched(ctx context.Context, r *result, p *corev1.Pod) error {
	stored, err := env.Cluster.WaitScheduled(ctx, client.ObjectKeyFromObject(p))
	if err != nil {
		return err
	}
	if found := untouched(stored); len(found) > 0 {
		r.errorf("pod %s/%s was mutated: %v", p.Namespace, p.Name, found)
	}
	_, err = checkPlacements(ctx, r, []corev1.Pod{*stored}, cluster.PoolGeneral, "")
	return err
}

// checkControl records a failure unless the control pod was mutated.
func checkControl(ctx context.Context, r *result, p *corev1.Pod) error {
	stored, err := env.Cluster.WaitScheduled(ctx, client.ObjectKeyFromObject(p))
	if err != nil {
		return err
	}
	checkWebPod(r, stored)
	_, err = checkPlacements(ctx, r, []corev1.Pod{*stored}, cluster.PoolSpecial, "")
	return err
}

// podPtrs points at each pod of a slice.
func podPtrs(pods []corev1.Pod) []*corev1.Pod {
	out := make([]*corev1.Pod, len(pods))
	for i := range pods {
		out[i] = &pods[i]
	}
	return out
}
