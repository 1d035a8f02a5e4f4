package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// benchNamespace is the opted-in namespace the pods are created in.
const benchNamespace = "bench"

// createWorkers is the number of concurrent creating clients.
const createWorkers = 16

// runAPIServer starts the harness control plane and measures section 4 and
// the cache-size RSS of section 5 on it.
func runAPIServer(ctx context.Context, e *env, r *Report) (err error) {
	c, err := cluster.Start(ctx, cluster.Options{StopOnSignal: true, Log: e.log})
	if err != nil {
		return fmt.Errorf("start control plane: %w", err)
	}
	defer func() { err = errors.Join(err, c.Stop()) }()
	cfg := c.RESTConfig()
	cfg.QPS, cfg.Burst = -1, 0 // no client-side rate limit
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.WarningHandler = rest.NoWarnings{} // poolpatch warns on every executor (no replicated owner)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("clientset: %w", err)
	}
	if err := checkMAPServed(cs); err != nil {
		return err
	}
	if _, err := c.CreateNamespace(ctx, benchNamespace, map[string]string{"poolpatch.io/enabled": "true", "team": "data"}); err != nil {
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "spark-operator-spark"}}
	if _, err := cs.CoreV1().ServiceAccounts(benchNamespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("service account: %w", err)
	}
	pod, err := benchPod(e)
	if err != nil {
		return err
	}
	b := &apiBench{e: e, c: c, cs: cs, pod: pod}
	if err := b.run(ctx, r); err != nil {
		return err
	}
	return runCacheRSS(ctx, e, c, cs, r)
}

// checkMAPServed fails unless the API server serves the v1
// MutatingAdmissionPolicy and its binding.
func checkMAPServed(cs kubernetes.Interface) error {
	list, err := cs.Discovery().ServerResourcesForGroupVersion("admissionregistration.k8s.io/v1")
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	want := map[string]bool{"mutatingadmissionpolicies": false, "mutatingadmissionpolicybindings": false}
	for _, res := range list.APIResources {
		if _, ok := want[res.Name]; ok {
			want[res.Name] = true
		}
	}
	for name, ok := range want {
		if !ok {
			return fmt.Errorf("the API server does not serve admissionregistration.k8s.io/v1 %s", name)
		}
	}
	return nil
}

// benchPod is the Spark executor as its driver creates it in the bench
// namespace, with a generated name, no owner (a missing owner would have the
// garbage collector delete it) and a scheduler name no scheduler serves, so
// that only the creates load the control plane.
func benchPod(e *env) (*corev1.Pod, error) {
	pod, err := fixture.SparkExecutor(e.root)
	if err != nil {
		return nil, err
	}
	pod.Namespace, pod.Name, pod.GenerateName = benchNamespace, "", "spark-pi-exec-"
	pod.OwnerReferences = nil
	pod.Spec.Hostname = ""
	pod.Spec.SchedulerName = "bench-unscheduled"
	return pod, nil
}

// apiBench drives the pod creates.
type apiBench struct {
	e     *env
	split *cpuSplit
	c     *cluster.Cluster
	cs    kubernetes.Interface
	pod   *corev1.Pod
}

// create creates one bench pod and returns it as stored.
func (b *apiBench) create(ctx context.Context) (*corev1.Pod, error) {
	pod, err := b.cs.CoreV1().Pods(benchNamespace).Create(ctx, b.pod, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("create pod: %w", err)
	}
	return pod, nil
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return fmt.Errorf("wait: %w", ctx.Err())
	case <-time.After(d):
		return nil
	}
}
