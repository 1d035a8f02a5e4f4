package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/webhook"
)

// Names the suite and the demo share.
const (
	// SystemNamespace is the webhook's own namespace: it holds the policy
	// ConfigMap and is excluded from mutation, as the chart does.
	SystemNamespace = "poolpatch-system"
	// PolicyConfigMapName is the policy ConfigMap, as the chart names it.
	PolicyConfigMapName = "poolpatch-policies"
	// EnabledLabel opts a namespace in.
	EnabledLabel = "poolpatch.io/enabled"
	// OptOutLabel with value "false" opts a pod out.
	OptOutLabel = "poolpatch.io/mutate"
	// PoliciesAnnotation lists the Enforce policies that matched a pod.
	PoliciesAnnotation = "poolpatch.io/policies"
)

// Options configures Start.
type Options struct {
	// Log receives progress lines of the control plane (default: discarded).
	Log io.Writer
	// StopOnSignal stops the control plane on SIGINT or SIGTERM and exits.
	StopOnSignal bool
	// WorkDir receives the control plane's files and logs and the webhook's
	// log; the caller removes it. Default: a temporary directory that Stop
	// removes.
	WorkDir string
	// Autoscaling starts the control plane without fake Nodes, with the
	// node lifecycle controller, and Karpenter and KWOK (package
	// e2e/autoscaler) with these options: pools scale from zero.
	Autoscaling *autoscaler.Options
	// Writers run in the webhook server, as serve runs them with --headroom
	// or --rebalance (default: none).
	Writers webhook.WritersFunc
}

// Env is a running control plane with the poolpatch webhook registered.
type Env struct {
	// Cluster is the control plane with its fake Nodes.
	Cluster *cluster.Cluster
	// Server is the webhook server, running in this process.
	Server *Server
	// Autoscaler is Karpenter and KWOK, with Options.Autoscaling only.
	Autoscaler *autoscaler.Autoscaler

	helmHome  string
	serverLog *os.File
	writers   webhook.WritersFunc
}

// Start brings up the control plane, the webhook's namespace and the probe
// namespace, the webhook server (policy ConfigMap SystemNamespace/
// PolicyConfigMapName, no policies yet) and registers both webhooks. On
// error everything started is stopped again.
func Start(ctx context.Context, opts Options) (*Env, error) {
	copts := cluster.Options{Log: opts.Log, StopOnSignal: opts.StopOnSignal, WorkDir: opts.WorkDir}
	if opts.Autoscaling != nil {
		copts.Pools, copts.NodeLifecycle = []cluster.Pool{}, true
	}
	c, err := cluster.Start(ctx, copts)
	if err != nil {
		return nil, err
	}
	e := &Env{Cluster: c, helmHome: filepath.Join(c.WorkDir(), "helm"), writers: opts.Writers}
	if err := e.start(ctx); err != nil {
		return nil, errors.Join(err, e.Stop())
	}
	if opts.Autoscaling != nil {
		if e.Autoscaler, err = autoscaler.Start(ctx, c, *opts.Autoscaling); err != nil {
			return nil, errors.Join(err, e.Stop())
		}
	}
	return e, nil
}

// start does Start's work after the control plane is up.
func (e *Env) start(ctx context.Context) error {
	for ns, labels := range map[string]map[string]string{
		SystemNamespace: nil,
		ProbeNamespace:  {EnabledLabel: "true"},
	} {
		if _, err := e.Cluster.CreateNamespace(ctx, ns, labels); err != nil {
			return err
		}
	}
	certDir := filepath.Join(e.Cluster.WorkDir(), "webhook-certs")
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return fmt.Errorf("webhook certificate directory: %w", err)
	}
	var err error
	if e.serverLog, err = os.Create(e.ServerLogPath()); err != nil {
		return fmt.Errorf("webhook log: %w", err)
	}
	ref := SystemNamespace + "/" + PolicyConfigMapName
	if e.Server, err = StartServer(ctx, e.Cluster.RESTConfig(), ref, certDir, e.serverLog, e.writers); err != nil {
		return err
	}
	if err := e.RegisterMutating(ctx); err != nil {
		return err
	}
	return e.RegisterValidating(ctx)
}

// ServerLogPath is the webhook server's JSON log (in the cluster's work
// directory, kept when a test fails).
func (e *Env) ServerLogPath() string {
	return filepath.Join(e.Cluster.WorkDir(), "poolpatch.log")
}

// RegisterMutating registers the pod webhook with the chart's settings,
// failurePolicy Fail (so that a broken webhook fails the tests) and the
// webhook's own namespace excluded.
func (e *Env) RegisterMutating(ctx context.Context) error {
	return e.Cluster.RegisterMutatingWebhook(ctx, e.Server.URL+webhook.MutatePodsPath, e.Server.CAPEM,
		cluster.WithExcludedNamespaces(SystemNamespace))
}

// RegisterValidating registers the policy ConfigMap webhook.
func (e *Env) RegisterValidating(ctx context.Context) error {
	return e.Cluster.RegisterValidatingWebhook(ctx, e.Server.URL+webhook.ValidatePoliciesPath, e.Server.CAPEM, SystemNamespace)
}

// Stop stops the webhook server, then the control plane.
func (e *Env) Stop() error {
	var errs []error
	if e.Server != nil {
		errs = append(errs, e.Server.Stop())
	}
	if e.serverLog != nil {
		errs = append(errs, e.serverLog.Close())
	}
	return errors.Join(append(errs, e.Cluster.Stop())...)
}
