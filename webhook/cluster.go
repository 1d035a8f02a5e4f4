package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
)

// ErrNoCluster is returned when a cluster is required (--policy-configmap)
// but no kubeconfig or in-cluster configuration is found.
var ErrNoCluster = errors.New("no cluster configuration found")

// cluster is what the server uses of the API server; nil without one.
type cluster struct {
	config      *rest.Config
	httpClient  *http.Client
	client      kubernetes.Interface
	factory     informers.SharedInformerFactory
	broadcaster record.EventBroadcaster
	recorder    record.EventRecorder
	namespaces  *clusterNamespaces
	synced      []cache.InformerSynced
}

// restConfig finds the cluster: Options.RestConfig, --kubeconfig, or the
// in-cluster configuration, $KUBECONFIG and ~/.kube/config. It returns nil,
// nil when none is found.
func restConfig(o Options) (*rest.Config, error) {
	if o.RestConfig != nil {
		return rest.CopyConfig(o.RestConfig), nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.Kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if clientcmd.IsEmptyConfig(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	return cfg, nil
}

// connect builds the clients and informers, or returns nil when there is no
// cluster and none is required.
func connect(o Options, log logr.Logger) (*cluster, error) {
	cfg, err := restConfig(o)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		if o.PolicyConfigMap != "" {
			return nil, fmt.Errorf("%w: --policy-configmap needs one (--kubeconfig)", ErrNoCluster)
		}
		log.Info("no cluster configuration found: running without a cluster")
		return nil, nil
	}
	cfg.UserAgent = "poolpatch"
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster HTTP client: %w", err)
	}
	client, err := kubernetes.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("cluster client: %w", err)
	}
	c := &cluster{config: cfg, httpClient: httpClient, client: client}
	c.watchNamespaces()
	c.startEvents()
	return c, nil
}

// watchNamespaces sets up the namespace and LimitRange informers.
func (c *cluster) watchNamespaces() {
	c.factory = informers.NewSharedInformerFactoryWithOptions(c.client, 0,
		informers.WithTransform(stripManagedFields))
	ns := c.factory.Core().V1().Namespaces()
	lr := c.factory.Core().V1().LimitRanges()
	c.synced = append(c.synced, ns.Informer().HasSynced, lr.Informer().HasSynced)
	c.namespaces = &clusterNamespaces{
		namespaces:  ns.Lister(),
		limitRanges: lr.Lister(),
		get:         getNamespace(c.client.CoreV1().Namespaces()),
	}
}

// startEvents sets up the recorder of the Events on the policy ConfigMap
// (core/v1 Events).
func (c *cluster) startEvents() {
	c.broadcaster = record.NewBroadcaster()
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	c.recorder = c.broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "poolpatch"})
}

// start runs the informers until ctx ends and waits for their caches; a
// shutdown before they sync is no error.
func (c *cluster) start(ctx context.Context) error {
	c.factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) && ctx.Err() == nil {
		return errors.New("namespace and LimitRange caches did not sync")
	}
	return nil // synced, or shut down before
}

// hasSynced reports whether the informer caches are filled.
func (c *cluster) hasSynced() bool {
	for _, s := range c.synced {
		if !s() {
			return false
		}
	}
	return true
}

// stop ends the informers and flushes the event broadcaster.
func (c *cluster) stop() {
	c.factory.Shutdown()
	c.broadcaster.Shutdown()
}

// stripManagedFields keeps managed fields out of the caches: they are most
// of a cached namespace's bytes and nothing reads them.
func stripManagedFields(obj any) (any, error) {
	if acc, ok := obj.(metav1.ObjectMetaAccessor); ok {
		acc.GetObjectMeta().SetManagedFields(nil)
	}
	return obj, nil
}
