package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Cluster is a running control plane with fake Nodes. Create it with Start
// (or StartForTest) and always end it with Stop.
type Cluster struct {
	opts       Options
	binDir     string
	workDir    string
	ownWorkDir bool
	kubeconfig string

	env     *envtest.Environment
	cfg     *rest.Config
	cl      client.Client
	logs    []*os.File
	procsMu sync.Mutex
	procs   []*process // in start order, guarded by procsMu
	nodes   *nodeSet
	lock    *os.File // the machine-wide control-plane lock, held until Stop

	stopNodes context.CancelFunc
	nodesDone chan struct{}
	stopSig   func()
	stopOnce  sync.Once
	stopErr   error
}

// Start waits until no other harness control plane runs on the machine,
// then runs etcd, kube-apiserver (ServiceAccount admission on),
// kube-controller-manager and kube-scheduler on free loopback ports, creates
// the fake Nodes of opts.Pools and waits until the `default` ServiceAccount
// exists. On error everything started so far is stopped again and the work
// directory, with the component logs, is kept.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	opts = opts.withDefaults()
	binDir, err := resolveBinDir(opts.BinDir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, binDir: binDir, workDir: opts.WorkDir, nodes: newNodeSet(opts)}
	if c.lock, err = AcquireLock(ctx, c.logf); err != nil {
		return nil, err
	}
	if err := c.makeWorkDir(); err != nil {
		return nil, errors.Join(err, c.lock.Close())
	}
	if opts.StopOnSignal {
		c.stopSig = stopOnSignal(c)
	}
	if err := c.start(ctx); err != nil {
		c.opts.KeepWorkDir = true // its logs say why
		return nil, errors.Join(fmt.Errorf("start cluster (logs in %s): %w", c.workDir, err), c.Stop())
	}
	return c, nil
}

// start brings up each part in order.
func (c *Cluster) start(ctx context.Context) error {
	began := time.Now()
	c.logf("starting etcd and kube-apiserver from %s", c.binDir)
	if err := c.startAPIServer(); err != nil {
		return err
	}
	if err := c.startComponents(ctx); err != nil {
		return err
	}
	c.logf("creating %d fake nodes", len(c.nodes.names("")))
	for _, name := range c.nodes.names("") {
		fn, _ := c.nodes.snapshot(name)
		if err := createNode(ctx, c.cl, fn); err != nil {
			return err
		}
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	c.stopNodes, c.nodesDone = cancel, make(chan struct{})
	go func() {
		defer close(c.nodesDone)
		keepNodes(loopCtx, c.cl, c.nodes, c.logf)
	}()
	if err := c.waitServiceAccount(ctx, "default"); err != nil {
		return err
	}
	c.logf("control plane ready in %s", time.Since(began).Round(time.Millisecond))
	return nil
}

// startAPIServer starts etcd and kube-apiserver through envtest and writes
// the admin kubeconfig and the API server's CA into the work directory.
func (c *Cluster) startAPIServer() error {
	env, logs, err := newEnvironment(c.binDir, c.workDir, c.opts)
	c.logs = append(c.logs, logs...)
	if err != nil {
		return err
	}
	c.env = env
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("etcd and kube-apiserver: %w", err)
	}
	c.cfg = cfg
	c.kubeconfig = filepath.Join(c.workDir, "kubeconfig")
	if err := os.WriteFile(c.kubeconfig, env.KubeConfig, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	if err := os.WriteFile(c.rootCAFile(), cfg.CAData, 0o600); err != nil {
		return fmt.Errorf("write API server CA: %w", err)
	}
	c.cl, err = client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	return nil
}

// startComponents starts kube-controller-manager, then kube-scheduler.
func (c *Cluster) startComponents(ctx context.Context) error {
	paths := componentPaths{
		binDir: c.binDir, workDir: c.workDir, kubeconfig: c.kubeconfig,
		rootCA: c.rootCAFile(), saKey: saKeyFile(c.env), nodeLifecycle: c.opts.NodeLifecycle,
	}
	for _, start := range []func(context.Context, componentPaths) (*process, error){startControllerManager, startScheduler} {
		startCtx, cancel := context.WithTimeout(ctx, c.opts.StartTimeout)
		p, err := start(startCtx, paths)
		cancel()
		if err != nil {
			return err
		}
		c.logf("%s healthy", p.name)
		c.addProc(p)
	}
	return nil
}

// rootCAFile is where the API server's serving CA is written.
func (c *Cluster) rootCAFile() string {
	return filepath.Join(c.workDir, "apiserver-ca.crt")
}

// logf writes one progress line to Options.Log.
func (c *Cluster) logf(format string, args ...any) {
	_, _ = fmt.Fprintf(c.opts.Log, "cluster: "+format+"\n", args...)
}
