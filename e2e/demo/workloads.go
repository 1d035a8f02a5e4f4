package main

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// Sample workloads.
const (
	webReplicas  = 3
	sparkApp     = "spark-3f9a1c7e5b2d"
	executors    = 3
	jobPods      = 3
	jobGroup     = "nightly-etl"
	sparkRelease = "spark-pi"
)

// webLabels are the web Deployment's pod labels.
var webLabels = map[string]string{"app": "web", "workload": "web"}

// createWorkloads creates the samples and prints where their pods landed.
func (d *demo) createWorkloads(ctx context.Context) error {
	d.step("Sample workloads in namespace %q (labelled %s=true)", demoNamespace, scenarios.EnabledLabel)
	if _, err := d.env.Cluster.CreateNamespace(ctx, demoNamespace, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return err
	}
	c := d.env.Cluster.Client()
	if err := c.Create(ctx, scenarios.Deployment(demoNamespace, "web", webReplicas, webLabels)); err != nil {
		return fmt.Errorf("create web: %w", err)
	}
	d.say("Deployment web, %d replicas, labels workload=web", webReplicas)
	if err := d.spark(ctx); err != nil {
		return err
	}
	job := map[string]string{"workload": "batch", "job-group": jobGroup}
	if err := c.Create(ctx, scenarios.Job(demoNamespace, jobGroup, jobPods, job)); err != nil {
		return fmt.Errorf("create job: %w", err)
	}
	d.say("Job %s, %d pods at once, labels workload=batch, job-group=%s", jobGroup, jobPods, jobGroup)
	if _, err := d.env.WaitPods(ctx, demoNamespace, job, jobPods); err != nil {
		return err
	}
	if _, err := d.env.WaitPods(ctx, demoNamespace, webLabels, webReplicas); err != nil {
		return err
	}
	if err := d.showPods(ctx, nil, 0, nil); err != nil {
		return err
	}
	d.explain()
	return d.showMutation(ctx)
}

// spark installs the driver chart with helm, then creates the executors as
// the driver would: bare pods owned by the driver pod.
func (d *demo) spark(ctx context.Context) error {
	chart, err := scenarios.RepoPath("e2e", "testdata", "charts", "spark-driver")
	if err != nil {
		return err
	}
	if _, err := d.env.Helm(ctx, "install", sparkRelease, chart, "--namespace", demoNamespace, "--set", "appId="+sparkApp); err != nil {
		return err
	}
	d.say("$ helm install %s e2e/testdata/charts/spark-driver   (a Spark-like driver pod, spark-app-selector=%s)", sparkRelease, sparkApp)
	drivers, err := d.env.WaitPods(ctx, demoNamespace, map[string]string{scenarios.SparkRoleLabel: "driver"}, 1)
	if err != nil {
		return err
	}
	for i := 1; i <= executors; i++ {
		if err := d.env.Cluster.Client().Create(ctx, scenarios.Executor(&drivers[0], i)); err != nil {
			return fmt.Errorf("create executor: %w", err)
		}
	}
	d.say("%d executor pods created by \"the driver\": bare pods owned by the driver pod, as Spark does", executors)
	_, err = d.env.WaitPods(ctx, demoNamespace, map[string]string{scenarios.SparkRoleLabel: "executor"}, executors)
	return err
}

// fallback fills special01 and scales web up: the new pods land on fallback01.
func (d *demo) fallback(ctx context.Context) error {
	d.step("Fallback: special01 is full")
	if err := d.env.Cluster.FillPool(ctx, "special01"); err != nil {
		return err
	}
	d.say("special01's nodes now accept no more pods (their pod capacity equals the pods they run)")
	return d.scaleWeb(ctx, webReplicas+2, "web scaled up: the new pods land on fallback01, never on general:")
}

// scaleWeb scales web to replicas and shows the pods that appeared.
func (d *demo) scaleWeb(ctx context.Context, replicas int32, headline string) error {
	before, err := d.env.WaitPods(ctx, demoNamespace, webLabels, 0)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range before {
		seen[p.Name] = true
	}
	dep := &appsv1.Deployment{}
	if err := d.env.Cluster.Client().Get(ctx, client.ObjectKey{Namespace: demoNamespace, Name: "web"}, dep); err != nil {
		return fmt.Errorf("get web: %w", err)
	}
	patch := client.MergeFrom(dep.DeepCopy())
	dep.Spec.Replicas = &replicas
	if err := d.env.Cluster.Client().Patch(ctx, dep, patch); err != nil {
		return fmt.Errorf("scale web: %w", err)
	}
	d.say("%s", headline)
	return d.showPods(ctx, webLabels, int(replicas), func(p corev1.Pod) bool { return !seen[p.Name] })
}

// explain says why each kind of pod landed where it did.
func (d *demo) explain() {
	for _, line := range []string{
		"Why: each pod got the settings of the policies in its POLICIES column.",
		"  web              tolerates special01 and fallback01, requires one of them, prefers special01 (100) to fallback01 (10)",
		"  spark-drivers    special01 only; never evicted; the zone hashed from spark-app-selector is preferred",
		"  spark-executors  prefer fallback01; the same zone as their driver (same spark-app-selector)",
		"  batch-jobs       prefer special01; all pods of one job-group in the zone hashed from it",
		"Without poolpatch none of these pods tolerates a dedicated pool: all would land on general.",
	} {
		d.say("%s", line)
	}
}
