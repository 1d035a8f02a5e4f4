package scenarios_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/policy"
)

// webLabels are the labels of the web Deployments (policy web).
func webLabels(app string) map[string]string {
	return map[string]string{"app": app, "workload": "web"}
}

// webReplicas is the size of scenario 1's Deployment.
const webReplicas = 3

// deploymentScenario is scenario 1: `kubectl apply` of a Deployment in an
// opted-in namespace; its pods carry the web policy's tolerations,
// affinity, annotations, sizeLimit and prepull init containers, and land on
// special01.
func deploymentScenario(ctx context.Context, suffix string) (*result, error) {
	ns := "s1-deploy" + suffix
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return nil, err
	}
	manifest, err := yaml.Marshal(scenarios.Deployment(ns, "web", webReplicas, webLabels("web")))
	if err != nil {
		return nil, fmt.Errorf("deployment manifest: %w", err)
	}
	if _, err := env.Kubectl(ctx, bytes.NewReader(manifest), "apply", "-f", "-"); err != nil {
		return nil, err
	}
	pods, err := env.WaitPods(ctx, ns, webLabels("web"), webReplicas)
	if err != nil {
		return nil, err
	}
	r := &result{pods: len(pods)}
	for i := range pods {
		checkWebPod(r, &pods[i])
	}
	if _, err = checkPlacements(ctx, r, pods, cluster.PoolSpecial, ""); err != nil {
		return r, err
	}
	return r, checkExplain(ctx, r, pods)
}

// checkWebPod records what the web policy should have added but did not.
func checkWebPod(r *result, pod *corev1.Pod) {
	name := pod.Namespace + "/" + pod.Name
	for _, pool := range []string{cluster.PoolSpecial, cluster.PoolFallback} {
		if !tolerates(pod, pool) {
			r.errorf("pod %s: no toleration dedicated=%s:NoSchedule", name, pool)
		}
	}
	if diff := cmp.Diff([]string{cluster.PoolSpecial, cluster.PoolFallback}, requiredValues(pod, cluster.DedicatedLabel)); diff != "" {
		r.errorf("pod %s: required pool affinity (-want +got):\n%s", name, diff)
	}
	wantWeights := map[string]int32{cluster.PoolSpecial: 100, cluster.PoolFallback: 10}
	if diff := cmp.Diff(wantWeights, preferredWeights(pod, cluster.DedicatedLabel)); diff != "" {
		r.errorf("pod %s: preferred pool weights (-want +got):\n%s", name, diff)
	}
	wantAnnotations := map[string]string{
		scenarios.PoliciesAnnotation:                                   "web",
		"e2e.poolpatch.io/owner":                                       "platform",
		"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes": scenarios.ScratchVolume,
	}
	for k, want := range wantAnnotations {
		if got := pod.Annotations[k]; got != want {
			r.errorf("pod %s: annotation %s = %q, want %q", name, k, got, want)
		}
	}
	if got := sizeLimit(pod, scenarios.ScratchVolume); got != "2Gi" {
		r.errorf("pod %s: sizeLimit of %s = %q, want 2Gi", name, scenarios.ScratchVolume, got)
	}
	wantImages := []string{policy.DefaultPrepullHelperImage, "e2e/model-cache:2.1"}
	if diff := cmp.Diff(wantImages, initImages(pod)); diff != "" {
		r.errorf("pod %s: prepull init container images (-want +got):\n%s", name, diff)
	}
	if names := initContainerNames(pod); len(names) == 0 || names[0] != policy.PrepullInstallName {
		r.errorf("pod %s: init containers %v, want %s first", name, names, policy.PrepullInstallName)
	}
}
