package webhook

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"

	"github.com/go-logr/logr"
	"golang.org/x/sync/errgroup"
	"k8s.io/klog/v2"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	ctrlwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/poolpatch/poolpatch/policy"
)

// Paths of the admission handlers on the webhook server.
const (
	MutatePodsPath       = "/mutate-pods"
	ValidatePoliciesPath = "/validate-policies"
)

// Run serves the webhook until ctx ends, then shuts down gracefully: the
// servers stop accepting connections and let in-flight requests finish. It
// returns nil after a shutdown asked for by ctx, or the first error of a
// component, which stops all others.
func Run(ctx context.Context, opts Options) error {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return err
	}
	log := opts.logger()
	c, err := connect(opts, log)
	if err != nil {
		return err
	}
	if c != nil {
		defer c.stop()
	}
	log.Info("poolpatch webhook starting", "port", opts.Port, "certDir", opts.CertDir,
		"policyConfigMap", opts.PolicyConfigMap, "policyFile", opts.PolicyFile,
		"failClosed", opts.FailClosed, "cluster", c != nil)
	store := NewStore(log.WithName("policies"))
	certs := &certificates{dir: opts.CertDir, interval: opts.CertPollInterval, log: log.WithName("certs")}
	// controller-runtime's server holds the instrumented handlers; tlsServer
	// serves its mux (see there why not its Start).
	srv := ctrlwebhook.NewServer(ctrlwebhook.Options{Host: opts.Host, Port: opts.Port, CertDir: opts.CertDir})
	registerHandlers(srv, opts, store, c, log)
	https := &tlsServer{addr: net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port)),
		handler: srv.WebhookMux(), tlsOpts: []func(*tls.Config){certs.tlsConfig}}
	probes := newProbes(store, certs, c)
	probes.ready["webhook"] = https.StartedChecker()

	g, ctx := errgroup.WithContext(ctx)
	if err := startWriters(ctx, g.Go, opts, store, c, log); err != nil {
		return err
	}
	if err := startProbes(ctx, g, opts.HealthProbeBindAddress, probes); err != nil {
		return err
	}
	if err := startPprof(ctx, g, opts.PprofBindAddress); err != nil {
		return err
	}
	if err := startPolicySource(ctx, g, opts, store, c, log); err != nil {
		return err
	}
	if c != nil {
		g.Go(func() error { return c.start(ctx) })
	}
	g.Go(func() error { return serve(ctx, g, opts, https, certs, c, log) })
	if err := g.Wait(); err != nil {
		return err
	}
	log.Info("poolpatch webhook stopped")
	return nil
}

// logger returns Options.Logger, or a zap logger (JSON unless --zap-devel)
// that also becomes controller-runtime's and klog's logger.
func (o Options) logger() logr.Logger {
	if o.Logger.GetSink() != nil {
		return o.Logger
	}
	log := zap.New(zap.UseFlagOptions(&o.Zap))
	logf.SetLogger(log)
	klog.SetLogger(log)
	return log
}

// registerHandlers mounts the admission handlers on the webhook server.
func registerHandlers(srv ctrlwebhook.Server, opts Options, store *Store, c *cluster, log logr.Logger) {
	var namespaces NamespaceLookup = noClusterNamespaces{}
	if c != nil {
		namespaces = c.namespaces
	}
	if opts.namespaces != nil {
		namespaces = opts.namespaces
	}
	mutator := &PodMutator{Policies: store, Namespaces: namespaces, FailClosed: opts.FailClosed,
		Engine: policy.Options{PrepullHelperImage: opts.PrepullHelperImage}}
	srv.Register(MutatePodsPath, newReviewHandler(mutator, log.WithName("mutate-pods")))
	validator := &PolicyValidator{}
	if opts.PolicyConfigMap != "" {
		validator.Namespace, validator.Name, _ = splitConfigMap(opts.PolicyConfigMap)
	}
	srv.Register(ValidatePoliciesPath, newReviewHandler(validator, log.WithName("validate-policies")))
}

// serve waits for the certificate, then runs the webhook and metrics
// servers and the certificate watcher.
func serve(ctx context.Context, g *errgroup.Group, opts Options, srv *tlsServer,
	certs *certificates, c *cluster, log logr.Logger) error {
	if err := certs.wait(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // shut down before a certificate arrived
		}
		return err
	}
	metrics, err := newMetricsServer(opts, certs, c, log)
	if err != nil {
		return err
	}
	g.Go(func() error { return certs.watcher.Start(ctx) })
	if metrics != nil {
		g.Go(func() error { return metrics.Start(ctx) })
	}
	return srv.Start(ctx)
}

// newMetricsServer serves controller-runtime's metrics registry: over HTTPS
// through the authn/authz filter (TokenReview, SubjectAccessReview) with a
// cluster, over plain HTTP on 127.0.0.1 only without one. It returns nil when
// metrics are disabled.
func newMetricsServer(opts Options, certs *certificates, c *cluster, log logr.Logger) (metricsserver.Server, error) {
	addr := opts.MetricsBindAddress
	if addr == "" || addr == "0" {
		return nil, nil
	}
	mo := metricsserver.Options{BindAddress: addr}
	if c == nil {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("%w: --metrics-bind-address %q: %w", ErrInvalidOptions, addr, err)
		}
		mo.BindAddress = net.JoinHostPort("127.0.0.1", port)
		log.Info("no cluster: metrics served on localhost only, without authentication", "address", mo.BindAddress)
		return metricsserver.NewServer(mo, nil, nil)
	}
	mo.SecureServing = true
	mo.FilterProvider = filters.WithAuthenticationAndAuthorization
	mo.TLSOpts = []func(*tls.Config){certs.tlsConfig}
	return metricsserver.NewServer(mo, c.config, c.httpClient)
}

// startProbes binds the probe address now, so that a port in use fails Run
// at once, and serves the probes until ctx ends.
func startProbes(ctx context.Context, g *errgroup.Group, addr string, p *probes) error {
	if addr == "" || addr == "0" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("health probes: %w", err)
	}
	g.Go(func() error { return serveHTTP(ctx, ln, p.handler()) })
	return nil
}

// startPolicySource loads the policies from the file (at once) or the
// ConfigMap (once its informer cache is filled) and keeps watching them.
func startPolicySource(ctx context.Context, g *errgroup.Group, opts Options, store *Store, c *cluster, log logr.Logger) error {
	if opts.PolicyFile != "" {
		src := newFileSource(opts.PolicyFile, store, log.WithName("policies"))
		if err := src.load(); err != nil && !store.Loaded() {
			return err // the file cannot be read at all: a typo in the path
		}
		g.Go(func() error { return src.Start(ctx) })
		return nil
	}
	namespace, name, _ := splitConfigMap(opts.PolicyConfigMap)
	src, err := newConfigMapSource(namespace, name, store, c, log.WithName("policies"))
	if err != nil {
		return err
	}
	g.Go(func() error { return src.Start(ctx) })
	return nil
}
