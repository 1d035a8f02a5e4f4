package autoscaling_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/controller"
	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/policy"
)

// Headroom scenario timings: Nodes register registrationDelay after launch,
// so a pod that waits for a new Node shows it; Karpenter's buffer controller
// re-reconciles about every 30 s, so restoring the headroom may take that.
const (
	registrationDelay = "10s"
	restoreWait       = 2 * time.Minute
)

// TestHeadroom proves both headroom modes on Karpenter + KWOK: with headroom
// on special01 and nothing running, Karpenter provisions one special01 Node
// and no other; an executor created then runs on it without waiting for a
// new Node; Karpenter provisions again to restore the headroom; removing the
// headroom deletes the objects and the spare Node is consolidated.
func TestHeadroom(t *testing.T) {
	for _, mode := range []controller.Mode{controller.ModeCapacityBuffer, controller.ModePlaceholder} {
		t.Run(string(mode), func(t *testing.T) {
			slowRegistration(t)
			consolidateRetrying(t, false)
			src := &headroomSource{}
			src.set(t, 1)
			startWriter(t, mode, src)
			r, took := run(t, "headroom-"+string(mode), func(ctx context.Context, ns string) (*result, error) {
				return headroom(ctx, ns, src, t)
			})
			r.report(t, took)
		})
	}
}

func headroom(ctx context.Context, ns string, src *headroomSource, t *testing.T) (*result, error) {
	r := &result{}
	counts, err := env.Autoscaler.WaitCounts(ctx, autoscaling.RunWait, func(c autoscaler.Counts) bool {
		return c.Nodes[special] >= 1 && c.Terminating == 0
	})
	if err != nil {
		return nil, fmt.Errorf("headroom Node: %w", err)
	}
	r.notef("headroom alone: %s", counts)
	if counts.Nodes[special] != 1 || counts.Nodes[fallback]+counts.Nodes[general] != 0 {
		r.errorf("headroom alone: want exactly one special01 Node, got %s", counts)
	}
	warm, err := nodesByName(ctx)
	if err != nil {
		return nil, err
	}
	pod := executor(ns, "exec-0")
	began := time.Now()
	if err := env.Cluster.Client().Create(ctx, pod); err != nil {
		return nil, fmt.Errorf("create executor: %w", err)
	}
	pods, err := autoscaling.WaitRunning(ctx, env, ns, map[string]string{scenarios.SparkRoleLabel: "executor"}, 1)
	if err != nil {
		r.errorf("executor: %v", err)
		return r, nil
	}
	r.notef("executor Running %s after create (Nodes register %s after launch)", time.Since(began).Round(100*time.Millisecond), registrationDelay)
	if _, ok := warm[pods[0].Spec.NodeName]; !ok {
		r.errorf("executor ran on %s, a Node that did not exist before it: the headroom did not serve it", pods[0].Spec.NodeName)
	}
	if err := checkPods(ctx, r, pods, []string{special}, ""); err != nil {
		return nil, err
	}
	restored, err := env.Autoscaler.WaitCounts(ctx, restoreWait, func(c autoscaler.Counts) bool { return c.Nodes[special] >= 2 })
	if err != nil {
		r.errorf("headroom not restored: %v", err)
	}
	r.notef("headroom restored: %s", restored)
	src.set(t, 0)
	if err := waitNoHeadroomObjects(ctx); err != nil {
		r.errorf("headroom removed: %v", err)
	}
	r.counts, err = env.Autoscaler.WaitCounts(ctx, restoreWait, func(c autoscaler.Counts) bool {
		return c.Nodes[special] == 1 && c.Terminating == 0
	})
	if err != nil {
		r.errorf("spare Node not consolidated: %v", err)
	}
	return r, nil
}

// executor is a bare Spark-like executor pod of the harness's size.
func executor(ns, name string) *corev1.Pod {
	pod := scenarios.BarePod(ns, name, map[string]string{scenarios.SparkRoleLabel: "executor", scenarios.SparkAppLabel: "headroom"})
	pod.Spec.Containers[0].Resources.Requests = corev1.ResourceList{
		corev1.ResourceCPU: resourceQuantity(autoscaling.PodCPU), corev1.ResourceMemory: resourceQuantity("1Gi")}
	return pod
}

// chunkCPU is one chunk: with an executor (autoscaling.PodCPU) beside it, it
// does not fit one of the harness's 4-CPU Nodes (3.9 allocatable), so an
// executor that takes the warm Node leaves the headroom short of a chunk and
// Karpenter must provision again to restore it.
const chunkCPU = "3"

// headroomSource is the policy set the writer sees: the suite's policies,
// with headroom of replicas chunks (each room for an executor) on
// spark-executors.
type headroomSource struct{ current atomic.Pointer[policy.Set] }

func (s *headroomSource) Current() *policy.Set { return s.current.Load() }

func (s *headroomSource) set(t *testing.T, replicas int) {
	t.Helper()
	data, err := scenarios.ReadRepoFile("e2e", "testdata", "autoscaling-policies.yaml")
	if err != nil {
		t.Fatal(err)
	}
	stream := string(data)
	const executorsTail = "  eviction: safe\n"
	if strings.Count(stream, executorsTail) != 1 {
		t.Fatalf("autoscaling-policies.yaml: want one %q (the spark-executors policy's last line)", executorsTail)
	}
	if replicas > 0 {
		stream = strings.Replace(stream, executorsTail, executorsTail+
			fmt.Sprintf("  headroom: {replicas: %d, requests: {cpu: %q, memory: 1Gi}}\n", replicas, chunkCPU), 1)
	}
	set, err := policy.Load(policy.Source{Name: "autoscaling-policies.yaml", Data: []byte(stream)})
	if err != nil {
		t.Fatal(err)
	}
	s.current.Store(set)
}

// startWriter runs the writers as `serve --headroom` does, in the webhook's
// namespace, until the test ends; then it deletes what they wrote, so that
// the scenario's clean-up finds no headroom to provision for.
func startWriter(t *testing.T, mode controller.Mode, src controller.PolicySource) {
	t.Helper()
	stop := writer(t, mode, src, 2)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("delete headroom objects: %v", err)
		}
	})
}

// writer starts the writers with a cap of maxChunks and returns the
// function that stops them and deletes what they wrote.
func writer(t *testing.T, mode controller.Mode, src controller.PolicySource, maxChunks int) func() error {
	t.Helper()
	if mode == controller.ModePlaceholder {
		pc := controller.PriorityClass(controller.DefaultPriorityClass)
		if err := env.Cluster.Client().Create(t.Context(), pc); client.IgnoreAlreadyExists(err) != nil {
			t.Fatal(err)
		}
	}
	o := controller.Options{Headroom: true, HeadroomMode: string(mode), MaxHeadroomChunks: maxChunks,
		HeadroomPriorityClass: controller.DefaultPriorityClass, Namespace: scenarios.SystemNamespace,
		LeaderElectionID: controller.DefaultLeaderElectionID, HeadroomImage: "poolpatch/poolpatch:e2e"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		controller.Run(ctx, controller.Env{Config: env.Cluster.RESTConfig(), Policies: src, Log: testr.New(t).WithName(string(mode))}, o)
	}()
	return func() error {
		cancel()
		<-done
		return deleteHeadroomObjects(context.Background())
	}
}

var headroomKinds = []string{"PodTemplateList", "CapacityBufferList", "DeploymentList"}

func headroomList(kind string) *unstructured.UnstructuredList {
	list := &unstructured.UnstructuredList{}
	switch kind {
	case "PodTemplateList":
		list.SetAPIVersion("v1")
	case "CapacityBufferList":
		list.SetAPIVersion(controller.CapacityBufferGVK.GroupVersion().String())
	default:
		list.SetAPIVersion("apps/v1")
	}
	list.SetKind(kind)
	return list
}

var headroomLabels = client.MatchingLabels{controller.ManagedByLabel: controller.ManagedByValue, controller.ComponentLabel: controller.HeadroomValue}

func waitNoHeadroomObjects(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := 0
		for _, kind := range headroomKinds {
			list := headroomList(kind)
			if err := env.Cluster.Client().List(ctx, list, client.InNamespace(scenarios.SystemNamespace), headroomLabels); err != nil {
				return err
			}
			left += len(list.Items)
		}
		if left == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d headroom objects left after 30s", left)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func deleteHeadroomObjects(ctx context.Context) error {
	for _, kind := range headroomKinds {
		list := headroomList(kind)
		if err := env.Cluster.Client().List(ctx, list, client.InNamespace(scenarios.SystemNamespace), headroomLabels); err != nil {
			return err
		}
		for i := range list.Items {
			if err := env.Cluster.Client().Delete(ctx, &list.Items[i]); client.IgnoreNotFound(err) != nil {
				return err
			}
		}
	}
	return nil
}

// slowRegistration makes Nodes register registrationDelay after launch for
// the test, so that waiting for a new Node shows in time-to-Running.
func slowRegistration(t *testing.T) {
	t.Helper()
	set := func(delay string) error {
		nc := &unstructured.Unstructured{}
		nc.SetGroupVersionKind(autoscaler.KWOKNodeClassGVK)
		if err := env.Cluster.Client().Get(context.Background(), client.ObjectKey{Name: autoscaler.NodeClassName}, nc); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(nc.Object, delay, "spec", "nodeRegistrationDelay"); err != nil {
			return err
		}
		return env.Cluster.Client().Update(context.Background(), nc)
	}
	if err := set(registrationDelay); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := set("1s"); err != nil {
			t.Errorf("restore nodeRegistrationDelay: %v", err)
		}
	})
}

func resourceQuantity(s string) resource.Quantity { return resource.MustParse(s) }

// consolidateRetrying is consolidate, retried on conflict: Karpenter writes
// the NodePools' status right after it starts, so a first update may race it.
// whenEmpty consolidates only empty Nodes.
func consolidateRetrying(t *testing.T, whenEmpty bool) {
	t.Helper()
	for _, p := range autoscaler.DefaultNodePools() {
		on := p
		on.ConsolidateAfter, on.WhenEmpty = consolidateAfter, whenEmpty
		apply := func(np autoscaler.NodePool) error {
			return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
				return env.Autoscaler.ApplyNodePool(context.Background(), np)
			})
		}
		if err := apply(on); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := apply(p); err != nil {
				t.Errorf("restore %s: %v", p.Name, err)
			}
		})
	}
}
