package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// controllers are the kube-controller-manager controllers the tests need. The
// node-lifecycle controller is left out on purpose: the harness's fake Nodes
// send no heartbeats, so it would mark them NotReady and evict their pods.
// Options.NodeLifecycle adds it for Nodes something heartbeats (KWOK).
var controllers = []string{
	"serviceaccount-controller",
	"serviceaccount-token-controller",
	"root-ca-certificate-publisher-controller",
	"namespace-controller",
	"garbage-collector-controller",
	"replicaset-controller",
	"deployment-controller",
	"statefulset-controller",
	"daemonset-controller",
	"job-controller",
	"cronjob-controller",
	// PodDisruptionBudgets' status: without it the Eviction API refuses
	// every pod a budget covers.
	"disruption-controller",
}

// nodeLifecycleController lifts the not-ready taint every new Node gets once
// the Node reports Ready, and watches heartbeats (node leases).
const nodeLifecycleController = "node-lifecycle-controller"

// controllerList is the --controllers value: controllers, plus the node
// lifecycle controller when nodeLifecycle is set.
func controllerList(nodeLifecycle bool) []string {
	if nodeLifecycle {
		return append(slices.Clip(controllers), nodeLifecycleController)
	}
	return controllers
}

// componentPaths are the files the controller manager and scheduler share.
type componentPaths struct {
	binDir        string
	workDir       string
	nodeLifecycle bool   // run node-lifecycle-controller too
	kubeconfig    string // admin kubeconfig
	rootCA        string // the API server's serving CA
	saKey         string // the service-account signing key
}

// startComponent starts binDir/name with args plus its serving flags and the
// delegated-auth kubeconfigs, and waits for its /healthz.
func startComponent(ctx context.Context, paths componentPaths, name string, args []string) (*process, error) {
	sc, err := newServingCert(paths.workDir, name)
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	args = append(args, sc.servingArgs(port)...)
	args = append(args,
		"--authentication-kubeconfig="+paths.kubeconfig,
		"--authorization-kubeconfig="+paths.kubeconfig,
		// envtest's API server has no front-proxy CA to look up.
		"--authentication-skip-lookup=true",
	)
	p, err := startProcess(name, filepath.Join(paths.binDir, name), filepath.Join(paths.workDir, name+".log"), args, nil)
	if err != nil {
		return nil, err
	}
	if err := waitHealthy(ctx, p, port, sc); err != nil {
		return nil, errors.Join(err, p.stop())
	}
	return p, nil
}

// startControllerManager runs kube-controller-manager with the controllers
// the tests need, leader election off and the admin credentials.
func startControllerManager(ctx context.Context, paths componentPaths) (*process, error) {
	return startComponent(ctx, paths, "kube-controller-manager", []string{
		"--kubeconfig=" + paths.kubeconfig,
		"--controllers=" + strings.Join(controllerList(paths.nodeLifecycle), ","),
		"--leader-elect=false",
		"--use-service-account-credentials=false",
		"--service-account-private-key-file=" + paths.saKey,
		"--root-ca-file=" + paths.rootCA,
		"--cert-dir=" + filepath.Join(paths.workDir, "kube-controller-manager"),
		"--kube-api-qps=200",
		"--kube-api-burst=400",
	})
}

// schedulerConfig is kube-scheduler's configuration: the default profile,
// leader election off, a generous client rate limit.
const schedulerConfig = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: %q
  qps: 200
  burst: 400
leaderElection:
  leaderElect: false
`

// startScheduler runs kube-scheduler with the default profile.
func startScheduler(ctx context.Context, paths componentPaths) (*process, error) {
	cfg := filepath.Join(paths.workDir, "kube-scheduler.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, schedulerConfig, paths.kubeconfig), 0o600); err != nil {
		return nil, fmt.Errorf("scheduler configuration: %w", err)
	}
	return startComponent(ctx, paths, "kube-scheduler", []string{
		"--config=" + cfg,
		"--cert-dir=" + filepath.Join(paths.workDir, "kube-scheduler"),
	})
}
