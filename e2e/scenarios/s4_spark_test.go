package scenarios_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// sparkExecutors is how many executors scenario 4's driver starts.
const sparkExecutors = 3

// sparkScenario is scenario 4: `helm install` of the Spark-like driver chart
// (e2e/testdata/charts/spark-driver), then the test, acting as the driver,
// creates bare executor pods owned by the driver pod. The driver gets
// spark-drivers (special01, eviction never), the executors spark-executors
// (fallback01, 10Gi scratch, local-volumes), and all of them land in the
// zone sameZoneBy picks for the application id.
func sparkScenario(ctx context.Context) (*result, error) {
	ns, appID := "s4-spark", "spark-7c1f0e2d9a8b4c6e"
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return nil, err
	}
	chart, err := scenarios.RepoPath("e2e", "testdata", "charts", "spark-driver")
	if err != nil {
		return nil, err
	}
	if _, err := env.Helm(ctx, "install", "spark-pi", chart, "--namespace", ns, "--set", "appId="+appID); err != nil {
		return nil, err
	}
	drivers, err := env.WaitPods(ctx, ns, map[string]string{scenarios.SparkRoleLabel: "driver"}, 1)
	if err != nil {
		return nil, err
	}
	driver := &drivers[0]
	for i := 1; i <= sparkExecutors; i++ {
		if err := env.Cluster.Client().Create(ctx, scenarios.Executor(driver, i)); err != nil {
			return nil, fmt.Errorf("create executor %d: %w", i, err)
		}
	}
	executors, err := env.WaitPods(ctx, ns, map[string]string{scenarios.SparkRoleLabel: "executor"}, sparkExecutors)
	if err != nil {
		return nil, err
	}
	r := &result{pods: 1 + len(executors)}
	return r, checkSpark(ctx, r, driver, executors, sameZone(appID, zones))
}

// checkSpark records what is wrong with the driver and executors.
func checkSpark(ctx context.Context, r *result, driver *corev1.Pod, executors []corev1.Pod, zone string) error {
	checkAnnotations(r, driver, map[string]string{
		scenarios.PoliciesAnnotation:                     "spark-drivers",
		"cluster-autoscaler.kubernetes.io/safe-to-evict": "false",
		"karpenter.sh/do-not-disrupt":                    "true",
	})
	if _, err := checkPlacements(ctx, r, []corev1.Pod{*driver}, cluster.PoolSpecial, zone); err != nil {
		return err
	}
	for i := range executors {
		checkAnnotations(r, &executors[i], map[string]string{
			scenarios.PoliciesAnnotation:                                   "spark-executors",
			"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes": scenarios.ScratchVolume,
		})
		if got := sizeLimit(&executors[i], scenarios.ScratchVolume); got != "10Gi" {
			r.errorf("executor %s: sizeLimit %q, want 10Gi", executors[i].Name, got)
		}
	}
	if _, err := checkPlacements(ctx, r, executors, cluster.PoolFallback, zone); err != nil {
		return err
	}
	return checkExplain(ctx, r, append([]corev1.Pod{*driver}, executors...))
}

// checkAnnotations records each annotation of want the pod lacks or has
// with another value.
func checkAnnotations(r *result, pod *corev1.Pod, want map[string]string) {
	for k, v := range want {
		if got, ok := pod.Annotations[k]; !ok || got != v {
			r.errorf("pod %s/%s: annotation %s = %q, want %q", pod.Namespace, pod.Name, k, got, v)
		}
	}
}
