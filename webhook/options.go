package webhook

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/poolpatch/poolpatch/policy"
)

// Defaults of the serve flags.
const (
	DefaultPort                   = 9443
	DefaultMetricsBindAddress     = ":8443"
	DefaultHealthProbeBindAddress = ":8081"
	// DefaultCertPollInterval is how often the certificate files are re-read
	// besides their file events (controller-runtime's own default is 10 s).
	DefaultCertPollInterval = 2 * time.Second
)

// ErrInvalidOptions is wrapped by every error Validate returns.
var ErrInvalidOptions = errors.New("invalid serve options")

// Options configures Run. The exported fields with a flag are bound by
// RegisterFlags; the others are for programs that embed the server.
type Options struct {
	// Port is the HTTPS port of the webhook server (--port).
	Port int
	// CertDir holds tls.crt and tls.key, watched for rotation (--cert-dir).
	CertDir string
	// PolicyConfigMap is the policy ConfigMap as NAMESPACE/NAME
	// (--policy-configmap). Exactly one of it and PolicyFile is set.
	PolicyConfigMap string
	// PolicyFile is a PoolPolicy stream watched on disk (--policy-file).
	PolicyFile string
	// FailClosed answers internal errors with allowed: false and code 500
	// instead of admitting the pod unpatched (--fail-closed).
	FailClosed bool
	// PrepullHelperImage is the image the prepull install container runs
	// (--prepull-helper-image).
	PrepullHelperImage string
	// MetricsBindAddress serves /metrics; "0" or empty disables it
	// (--metrics-bind-address). Without a cluster it binds to 127.0.0.1.
	MetricsBindAddress string
	// HealthProbeBindAddress serves /healthz and /readyz; "0" or empty
	// disables them (--health-probe-bind-address).
	HealthProbeBindAddress string
	// PprofBindAddress serves net/http/pprof's /debug/pprof/ (plain HTTP,
	// no authentication); empty or "0", the default, disables it
	// (--pprof-bind-address).
	PprofBindAddress string
	// Kubeconfig is a kubeconfig path (--kubeconfig); empty means in-cluster
	// or the usual KUBECONFIG and ~/.kube/config lookup.
	Kubeconfig string
	// Zap configures the JSON logger (--zap-* flags) when Logger is unset.
	Zap zap.Options

	// Host is the address the webhook server binds to; empty means all.
	Host string
	// CertPollInterval is how often certificates are re-read besides file
	// events; zero means DefaultCertPollInterval.
	CertPollInterval time.Duration
	// RestConfig, when set, is the cluster to use instead of Kubeconfig.
	RestConfig *rest.Config
	// Logger, when set, is used instead of a zap logger built from Zap.
	Logger logr.Logger
	// Writers, when set, runs beside the webhook (poolpatch's leader-elected
	// writers); it needs a cluster, and nothing it does stops the server.
	Writers WritersFunc

	// namespaces replaces the namespace lookup (tests only).
	namespaces NamespaceLookup
}

// RegisterFlags binds the serve flags to o, with their defaults, on fs.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	fs.IntVar(&o.Port, "port", DefaultPort, "HTTPS port of the webhook server")
	fs.StringVar(&o.CertDir, "cert-dir", "",
		"directory holding tls.crt and tls.key, reloaded when they change (default <tmp>/k8s-webhook-server/serving-certs)")
	fs.StringVar(&o.PolicyConfigMap, "policy-configmap", "",
		"policy ConfigMap as NAMESPACE/NAME, watched through an informer limited to that object")
	fs.StringVar(&o.PolicyFile, "policy-file", "",
		"PoolPolicy file watched on disk (local use; runs without a cluster when no kubeconfig is found)")
	fs.BoolVar(&o.FailClosed, "fail-closed", false,
		"deny pods (code 500) on internal errors instead of admitting them unpatched")
	fs.StringVar(&o.PrepullHelperImage, "prepull-helper-image", policy.DefaultPrepullHelperImage,
		"image whose no-op binary the prepull init containers run")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", DefaultMetricsBindAddress,
		"address of the Prometheus metrics endpoint (HTTPS with authn/authz in a cluster, 127.0.0.1 without); \"0\" disables it")
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", DefaultHealthProbeBindAddress,
		"address of /healthz and /readyz")
	fs.StringVar(&o.PprofBindAddress, "pprof-bind-address", "",
		"address of Go's /debug/pprof/ profiles, plain HTTP without authentication (off by default; bind it to localhost)")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "",
		"kubeconfig file (default: in-cluster config, $KUBECONFIG or ~/.kube/config)")
	o.Zap.BindFlags(fs)
}

// Validate checks the options and returns an error wrapping
// ErrInvalidOptions for the first mistake.
func (o *Options) Validate() error {
	switch {
	case o.PolicyConfigMap == "" && o.PolicyFile == "":
		return fmt.Errorf("%w: one of --policy-configmap and --policy-file is required", ErrInvalidOptions)
	case o.PolicyConfigMap != "" && o.PolicyFile != "":
		return fmt.Errorf("%w: --policy-configmap and --policy-file exclude each other", ErrInvalidOptions)
	case o.Port <= 0 || o.Port > 65535:
		return fmt.Errorf("%w: --port %d is not a port", ErrInvalidOptions, o.Port)
	}
	if o.PolicyConfigMap != "" {
		if _, _, err := splitConfigMap(o.PolicyConfigMap); err != nil {
			return err
		}
	}
	return nil
}

// splitConfigMap parses NAMESPACE/NAME.
func splitConfigMap(ref string) (namespace, name string, err error) {
	namespace, name, ok := strings.Cut(ref, "/")
	if !ok || len(validation.IsDNS1123Label(namespace)) > 0 || len(validation.IsDNS1123Subdomain(name)) > 0 {
		return "", "", fmt.Errorf("%w: --policy-configmap %q is not NAMESPACE/NAME", ErrInvalidOptions, ref)
	}
	return namespace, name, nil
}

// withDefaults fills what the caller left zero.
func (o Options) withDefaults() Options {
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.CertDir == "" {
		o.CertDir = filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs")
	}
	if o.CertPollInterval <= 0 {
		o.CertPollInterval = DefaultCertPollInterval
	}
	return o
}
