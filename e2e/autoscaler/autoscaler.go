package autoscaler

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// Binaries and data `make autoscaler-tools` puts into the binary directory.
const (
	KarpenterBinary = "karpenter-kwok"
	KWOKBinary      = "kwok"
	// DataDir holds crds/ and kwok-stages.yaml, copied from the modules.
	DataDir = "autoscaler"
)

// Process names (and log files <WorkDir>/<name>.log).
const (
	KarpenterProcess = "karpenter"
	KWOKProcess      = "kwok"
)

// DefaultFeatureGates turns on Karpenter's CapacityBuffer gate (alpha, off
// by default), for poolpatch's headroom objects.
const DefaultFeatureGates = "CapacityBuffer=true"

//go:embed instance-types.json
var instanceTypes []byte

// Options configures Start. The zero value is poolpatch's layout.
type Options struct {
	// NodePools are created before Karpenter starts (default
	// DefaultNodePools()).
	NodePools []NodePool
	// FeatureGates is Karpenter's --feature-gates (default
	// DefaultFeatureGates).
	FeatureGates string
	// BatchIdle and BatchMax are Karpenter's batch windows (default 1s and
	// 3s: scenarios take seconds, not the default's ten).
	BatchIdle, BatchMax time.Duration
}

// withDefaults returns o with every unset field defaulted.
func (o Options) withDefaults() Options {
	if o.NodePools == nil {
		o.NodePools = DefaultNodePools()
	}
	if o.FeatureGates == "" {
		o.FeatureGates = DefaultFeatureGates
	}
	if o.BatchIdle == 0 {
		o.BatchIdle = time.Second
	}
	if o.BatchMax == 0 {
		o.BatchMax = 3 * time.Second
	}
	return o
}

// Autoscaler is Karpenter and KWOK running against one cluster.
type Autoscaler struct {
	cluster *cluster.Cluster
	opts    Options
}

// Start installs Karpenter's CRDs into c, creates the KWOKNodeClass and the
// NodePools, then starts KWOK and Karpenter and waits until both answer
// their health checks. c must have been started without fake Nodes and with
// the node lifecycle controller (see the package documentation). The
// processes belong to c: c.Stop stops them.
func Start(ctx context.Context, c *cluster.Cluster, opts Options) (*Autoscaler, error) {
	a := &Autoscaler{cluster: c, opts: opts.withDefaults()}
	data := filepath.Join(c.BinDir(), DataDir)
	for _, p := range []string{KarpenterBinary, KWOKBinary, DataDir} {
		if _, err := os.Stat(filepath.Join(c.BinDir(), p)); err != nil {
			return nil, fmt.Errorf("autoscaler tools missing (run `make tools`): %w", err)
		}
	}
	if err := installCRDs(c, filepath.Join(data, "crds")); err != nil {
		return nil, err
	}
	if err := c.Client().Create(ctx, nodeClass()); err != nil {
		return nil, fmt.Errorf("create KWOKNodeClass: %w", err)
	}
	for _, p := range a.opts.NodePools {
		if err := a.ApplyNodePool(ctx, p); err != nil {
			return nil, err
		}
	}
	stages, err := a.writeStages(filepath.Join(data, "kwok-stages.yaml"))
	if err != nil {
		return nil, err
	}
	if err := a.startKWOK(ctx, stages); err != nil {
		return nil, err
	}
	return a, a.startKarpenter(ctx)
}

// startKWOK runs KWOK for the Nodes the kwok provider annotates, with the
// node (initialise, heartbeat with lease) and pod (ready, complete, delete)
// stages in stages, its health on a free port and its work directory in the
// cluster's, so that no ~/.kwok configuration applies.
func (a *Autoscaler) startKWOK(ctx context.Context, stages string) error {
	port, err := cluster.FreePort()
	if err != nil {
		return err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	return a.cluster.StartProcess(ctx, cluster.Process{
		Name: KWOKProcess,
		Path: KWOKBinary,
		Args: []string{
			"--kubeconfig=" + a.cluster.KubeconfigPath(),
			"--config=" + stages,
			"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
			"--node-lease-duration-seconds=40",
			"--server-address=" + addr,
		},
		Env:       []string{"KWOK_WORKDIR=" + filepath.Join(a.cluster.WorkDir(), "kwok")},
		HealthURL: "http://" + addr + "/healthz",
	})
}

// startKarpenter runs the kwok-provider Karpenter out of cluster: the admin
// kubeconfig through $KUBECONFIG (it has no flag), leader election off (no
// namespace to hold the lease), free ports for metrics and health (its
// defaults 8080 and 8081 clash), short batch windows, the feature gates, and
// this package's instance types. The default preference policy (Respect)
// is kept: it is what makes preferred node affinity shape provisioning.
func (a *Autoscaler) startKarpenter(ctx context.Context) error {
	metrics, err := cluster.FreePort()
	if err != nil {
		return err
	}
	health, err := cluster.FreePort()
	if err != nil {
		return err
	}
	types := filepath.Join(a.cluster.WorkDir(), "instance-types.json")
	if err := os.WriteFile(types, instanceTypes, 0o600); err != nil {
		return fmt.Errorf("instance types: %w", err)
	}
	return a.cluster.StartProcess(ctx, cluster.Process{
		Name: KarpenterProcess,
		Path: KarpenterBinary,
		Args: []string{
			"--disable-leader-election=true",
			"--metrics-port=" + strconv.Itoa(metrics),
			"--health-probe-port=" + strconv.Itoa(health),
			"--batch-idle-duration=" + a.opts.BatchIdle.String(),
			"--batch-max-duration=" + a.opts.BatchMax.String(),
			"--feature-gates=" + a.opts.FeatureGates,
			"--instance-types-file-path=" + types,
			"--log-level=debug",
		},
		Env:       []string{"KUBECONFIG=" + a.cluster.KubeconfigPath()},
		HealthURL: "http://127.0.0.1:" + strconv.Itoa(health) + "/readyz",
	})
}

// Healthy returns an error when Karpenter or KWOK has exited.
func (a *Autoscaler) Healthy() error {
	return errors.Join(a.cluster.Exited(KarpenterProcess), a.cluster.Exited(KWOKProcess))
}
