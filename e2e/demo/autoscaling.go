package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/policy"
)

// The autoscaling demo's jobs: the first fits one special01 Node, the
// second needs more than special01's limit holds.
var (
	smallJob = autoscaling.Job{Namespace: demoNamespace, App: "etl-small", Executors: 2}
	bigJob   = autoscaling.Job{Namespace: demoNamespace, App: "etl-big", Executors: 8}
)

// autoscalingPolicies is the policy set of the autoscaling demo.
var autoscalingPolicies = []string{"e2e", "testdata", "autoscaling-policies.yaml"}

// runAutoscaling is the default demo: pools that start empty and scale.
func runAutoscaling(ctx context.Context, out io.Writer) (err error) {
	d := &demo{out: out, total: 6}
	d.title("poolpatch demo: pools that scale, with the real Karpenter and KWOK (no cloud, no kubelet)")
	d.step("Starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, Karpenter (kwok provider) and KWOK")
	began := time.Now()
	env, err := scenarios.Start(ctx, scenarios.Options{Log: indent{out}, StopOnSignal: true, Autoscaling: &autoscaler.Options{}})
	if err != nil {
		return err
	}
	d.env = env
	defer func() {
		d.step("Shutting down Karpenter, KWOK, the webhook and the control plane")
		err = errors.Join(err, env.Stop())
		if err == nil {
			d.say("done: every process stopped, the work directory removed")
		}
	}()
	d.say("ready in %s", time.Since(began).Round(100*time.Millisecond))
	d.showNodePools()
	for _, step := range []func(context.Context) error{d.loadAutoscalingPolicies, d.fromZero, d.atTheLimit, d.consolidation} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// showNodePools prints the NodePools and that no Node exists yet.
func (d *demo) showNodePools() {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "NODEPOOL\tNODE LABEL\tTAINT\tLIMIT")
	for _, p := range autoscaler.DefaultNodePools() {
		taint, limit := "none", "none"
		if p.Tainted {
			taint = "dedicated=" + p.Name + ":NoSchedule"
		}
		if p.MaxNodes > 0 {
			limit = fmt.Sprintf("%d nodes", p.MaxNodes)
		}
		_, _ = fmt.Fprintf(tw, "%s\tdedicated=%s\t%s\t%s\n", p.Name, p.Name, taint, limit)
	}
	_ = tw.Flush()
	d.table(b.String())
	d.say("one instance type: 4 CPUs, on-demand in test-zone-a..d; every pod asks for 1 CPU, 3 fill a node")
	d.say("nodes: none. Every pool starts at zero.")
}

// loadAutoscalingPolicies serves e2e/testdata/autoscaling-policies.yaml.
func (d *demo) loadAutoscalingPolicies(ctx context.Context) error {
	d.step("poolpatch webhook running in this process at %s", d.env.Server.URL)
	text, err := scenarios.ReadRepoFile(autoscalingPolicies...)
	if err != nil {
		return err
	}
	set, err := policy.Load(policy.Source{Name: scenarios.PolicyKey, Data: []byte(text)})
	if err != nil {
		return fmt.Errorf("demo policies: %w", err)
	}
	if _, err := d.env.SetPolicies(ctx, text); err != nil {
		return err
	}
	d.say("policies %s: %s", strings.Join(autoscalingPolicies, "/"), strings.Join(set.Names(), ", "))
	d.say("Spark drivers and executors: prefer special01 (100), fall back to fallback01 (10), never general;")
	d.say("a job's pods in the zone hashed from spark-app-selector; drivers never disrupted")
	return nil
}

// fromZero submits the small job and shows the special01 Node it gets.
func (d *demo) fromZero(ctx context.Context) error {
	d.step("Job %s: a driver and %d executors, kubectl apply", smallJob.App, smallJob.Executors)
	if _, err := d.env.Cluster.CreateNamespace(ctx, demoNamespace, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return err
	}
	if err := d.runJob(ctx, smallJob); err != nil {
		return err
	}
	pods, err := d.env.WaitPods(ctx, demoNamespace, smallJob.Selector("driver"), 1)
	if err != nil {
		return err
	}
	d.say("What poolpatch added to the driver (its manifest has none of it):")
	d.showAffinity(&pods[0])
	d.say("  annotation    %s: %s", autoscaler.DoNotDisrupt, pods[0].Annotations[autoscaler.DoNotDisrupt])
	d.say("Karpenter made the heaviest preference (special01) a requirement: a special01 node, nothing else.")
	return nil
}

// atTheLimit submits the big job: special01 reaches its limit, fallback01
// takes the rest.
func (d *demo) atTheLimit(ctx context.Context) error {
	d.step("Job %s: a driver and %d executors, more than special01's limit of %d nodes holds",
		bigJob.App, bigJob.Executors, autoscaler.SpecialLimit)
	if err := d.runJob(ctx, bigJob); err != nil {
		return err
	}
	d.say("special01 stopped at its limit; Karpenter relaxed to the next preference: fallback01. general stays empty.")
	return nil
}

// runJob submits a job, waits until its pods run, and prints the Nodes per
// pool and where the pods run.
func (d *demo) runJob(ctx context.Context, job autoscaling.Job) error {
	began := time.Now()
	if err := autoscaling.Submit(ctx, d.env, job); err != nil {
		return err
	}
	if _, err := autoscaling.WaitRunning(ctx, d.env, demoNamespace, job.Selector(""), job.Size()); err != nil {
		return err
	}
	if err := d.showCounts(ctx, fmt.Sprintf("all %d pods Running %s after kubectl apply; ", job.Size(), time.Since(began).Round(100*time.Millisecond))); err != nil {
		return err
	}
	return d.showPods(ctx, job.Selector(""), job.Size(), nil)
}

// showCounts prints the Nodes per pool, prefixed.
func (d *demo) showCounts(ctx context.Context, prefix string) error {
	c, err := d.env.Autoscaler.Counts(ctx)
	if err != nil {
		return err
	}
	d.say("%snodes per pool (nodes/nodeclaims): %s", prefix, c)
	return nil
}

// consolidation ends both jobs with consolidation on and prints the Node
// count as Karpenter removes the empty Nodes.
func (d *demo) consolidation(ctx context.Context) error {
	d.step("The jobs end; consolidation on (consolidateAfter 1s): empty nodes go away")
	for _, p := range autoscaler.DefaultNodePools() {
		p.ConsolidateAfter = "1s"
		if err := d.env.Autoscaler.ApplyNodePool(ctx, p); err != nil {
			return err
		}
	}
	began := time.Now()
	for _, job := range []autoscaling.Job{smallJob, bigJob} {
		if err := autoscaling.DeletePods(ctx, d.env, demoNamespace, job.Selector("")); err != nil {
			return err
		}
	}
	d.say("pods deleted")
	last := ""
	_, err := d.env.Autoscaler.WaitCounts(ctx, 2*time.Minute, func(c autoscaler.Counts) bool {
		if s := c.String(); s != last {
			d.say("%6s  %s", time.Since(began).Round(time.Second), s)
			last = s
		}
		return c.Total() == 0
	})
	return err
}
