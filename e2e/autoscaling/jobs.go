package autoscaling

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// PodCPU is what every pod of a Job requests: three fill one of the
// harness's 4-CPU Nodes (3.9 allocatable), so node counts are predictable.
const PodCPU = "1"

// RunWait bounds how long WaitRunning waits: a Node takes a few seconds
// from the pending pod to Ready (batch window, registration, KWOK).
const RunWait = 90 * time.Second

// Job is a Spark-like application: a driver pod and executor pods the
// driver owns, all labelled spark-app-selector=App.
type Job struct {
	Namespace string
	App       string
	Executors int
}

// Driver is the job's driver pod as written, before the API server.
func (j Job) Driver() *corev1.Pod {
	pod := scenarios.BarePod(j.Namespace, j.App+"-driver", map[string]string{
		scenarios.SparkRoleLabel: "driver", scenarios.SparkAppLabel: j.App,
	})
	setRequests(pod)
	return pod
}

// setRequests gives the pod's container PodCPU and 1 GiB.
func setRequests(pod *corev1.Pod) {
	pod.TypeMeta.APIVersion, pod.TypeMeta.Kind = "v1", "Pod"
	pod.Spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(PodCPU), corev1.ResourceMemory: resource.MustParse("1Gi"),
	}
}

// Submit creates the driver with `kubectl apply`, then, as Spark's driver
// does, its executors (owned by the driver pod) with `kubectl apply`.
func Submit(ctx context.Context, env *scenarios.Env, j Job) error {
	driver := j.Driver()
	if err := apply(ctx, env, driver); err != nil {
		return err
	}
	if err := env.Cluster.Client().Get(ctx, client.ObjectKeyFromObject(driver), driver); err != nil {
		return fmt.Errorf("get driver %s: %w", driver.Name, err)
	}
	var list bytes.Buffer
	for i := 1; i <= j.Executors; i++ {
		exec := scenarios.Executor(driver, i)
		setRequests(exec)
		doc, err := yaml.Marshal(exec)
		if err != nil {
			return fmt.Errorf("executor manifest: %w", err)
		}
		list.WriteString("---\n")
		list.Write(doc)
	}
	if j.Executors == 0 {
		return nil
	}
	if _, err := env.Kubectl(ctx, &list, "apply", "-f", "-"); err != nil {
		return fmt.Errorf("submit executors of %s: %w", j.App, err)
	}
	return nil
}

// apply writes one object with `kubectl apply -f -`.
func apply(ctx context.Context, env *scenarios.Env, obj client.Object) error {
	doc, err := yaml.Marshal(obj)
	if err != nil {
		return fmt.Errorf("manifest of %s: %w", obj.GetName(), err)
	}
	if _, err := env.Kubectl(ctx, bytes.NewReader(doc), "apply", "-f", "-"); err != nil {
		return fmt.Errorf("apply %s: %w", obj.GetName(), err)
	}
	return nil
}

// Selector selects the job's pods of role ("" for all roles).
func (j Job) Selector(role string) map[string]string {
	sel := map[string]string{scenarios.SparkAppLabel: j.App}
	if role != "" {
		sel[scenarios.SparkRoleLabel] = role
	}
	return sel
}

// Size is the job's pod count: the driver and its executors.
func (j Job) Size() int {
	return 1 + j.Executors
}

// WaitRunning waits until n pods match selector in namespace and every one
// of them is Running (bound, and started by KWOK), and returns them.
func WaitRunning(ctx context.Context, env *scenarios.Env, namespace string, selector map[string]string, n int) ([]corev1.Pod, error) {
	var pods corev1.PodList
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, RunWait, true, func(ctx context.Context) (bool, error) {
		if err := env.Cluster.Client().List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels(selector)); err != nil {
			return false, fmt.Errorf("list pods: %w", err)
		}
		return len(pods.Items) >= n && countPhase(pods.Items, corev1.PodRunning) == len(pods.Items), nil
	})
	if err != nil {
		return pods.Items, fmt.Errorf("%d pods %v Running in %s: %d exist, %d Running, %d bound: %w",
			n, selector, namespace, len(pods.Items), countPhase(pods.Items, corev1.PodRunning), countBound(pods.Items), err)
	}
	return pods.Items, nil
}

// WaitGone waits until no pod matches selector in namespace.
func WaitGone(ctx context.Context, env *scenarios.Env, namespace string, selector map[string]string) error {
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, RunWait, true, func(ctx context.Context) (bool, error) {
		var pods corev1.PodList
		if err := env.Cluster.Client().List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels(selector)); err != nil {
			return false, fmt.Errorf("list pods: %w", err)
		}
		return len(pods.Items) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("pods %v of %s deleted: %w", selector, namespace, err)
	}
	return nil
}

// DeletePods deletes the pods matching selector in namespace and waits until
// they are gone (KWOK removes a deleted pod at once, as a kubelet would).
func DeletePods(ctx context.Context, env *scenarios.Env, namespace string, selector map[string]string) error {
	err := env.Cluster.Client().DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(namespace), client.MatchingLabels(selector))
	if err != nil {
		return fmt.Errorf("delete pods %v of %s: %w", selector, namespace, err)
	}
	return WaitGone(ctx, env, namespace, selector)
}

// countPhase counts the pods in phase.
func countPhase(pods []corev1.Pod, phase corev1.PodPhase) int {
	n := 0
	for _, p := range pods {
		if p.Status.Phase == phase {
			n++
		}
	}
	return n
}

// countBound counts the pods bound to a Node.
func countBound(pods []corev1.Pod) int {
	n := 0
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			n++
		}
	}
	return n
}

// SameZone is the zone sameZoneBy picks for a label value: FNV-1a (32 bit)
// of the value modulo the length of the zone list (the design's rule,
// computed here independently of the engine).
func SameZone(value string, zones []string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(value))
	return zones[h.Sum32()%uint32(len(zones))]
}

// AppInZone returns an application id, "<prefix>-N" for the smallest N,
// whose sameZoneBy hash picks zone from zones, the way the engine does.
func AppInZone(prefix, zone string, zones []string) string {
	for i := 0; ; i++ {
		app := prefix + "-" + strconv.Itoa(i)
		if SameZone(app, zones) == zone {
			return app
		}
	}
}
