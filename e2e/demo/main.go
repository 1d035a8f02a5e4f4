package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// demoNamespace holds the sample workloads.
const demoNamespace = "demo"

func main() {
	fixed := flag.Bool("fixed", false, "the fixed-node demo (six fake nodes, fallback by a full pool, policy hot reload) instead of the autoscaling one")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	flow := runAutoscaling
	if *fixed {
		flow = run
	}
	if err := flow(ctx, os.Stdout); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "demo: interrupted")
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run is the fixed-node demo, step by step.
func run(ctx context.Context, out io.Writer) (err error) {
	d := &demo{out: out, total: 6}
	d.title("poolpatch demo: a real Kubernetes control plane on this machine (no cluster, no kubelet)")
	d.step("Starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and 6 fake nodes")
	began := time.Now()
	env, err := scenarios.Start(ctx, scenarios.Options{Log: indent{out}, StopOnSignal: true})
	if err != nil {
		return err
	}
	d.env = env
	defer func() {
		d.step("Shutting down the webhook and the control plane")
		err = errors.Join(err, env.Stop())
		if err == nil {
			d.say("done: every process stopped, the work directory removed")
		}
	}()
	d.say("ready in %s", time.Since(began).Round(100*time.Millisecond))
	if err := d.showNodes(ctx); err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{d.loadPolicies, d.createWorkloads, d.fallback, d.hotReload} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}
