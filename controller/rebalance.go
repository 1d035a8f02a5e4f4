package controller

import (
	"context"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/poolpatch/poolpatch/rebalance"
)

// EnabledNamespaceLabel opts a namespace in, as the chart's webhook selects
// it: the rebalancer acts in the same namespaces the webhook mutates.
const EnabledNamespaceLabel = "poolpatch.io/enabled"

// Rebalancer timings.
const (
	DefaultRebalanceInterval = 10 * time.Second
	DefaultRebalanceBackoff  = time.Hour
)

// Rebalancer moves pods that fell back to a lesser pool back to a better
// one, as rebalance decides, through the Eviction API. It reads pods, Nodes
// and namespaces from informers it starts while this replica leads, so
// that a replica that does not lead holds no pod cache.
type Rebalancer struct {
	Client   kubernetes.Interface
	Policies PolicySource
	Events   record.EventRecorder
	Log      logr.Logger
	// Namespace is poolpatch's own, never acted in.
	Namespace string
	// Interval is how often a pass runs; Backoff how long an owner is left
	// alone after a replacement landed on no better pool. Zero means the
	// Default* values.
	Interval, Backoff time.Duration
	// PrepullImage is the engine's prepull helper image, for replacements
	// mutated as the webhook mutates them.
	PrepullImage string

	history    *rebalance.History
	pods       corelisters.PodLister
	nodes      corelisters.NodeLister
	namespaces corelisters.NamespaceLister
}

// Name implements Writer.
func (r *Rebalancer) Name() string { return "rebalance" }

// Run starts the caches and runs a pass every Interval until ctx ends. The
// history (rates, loop guard) is this leadership's: a new leader starts
// afresh.
func (r *Rebalancer) Run(ctx context.Context) {
	factory := informers.NewSharedInformerFactory(r.Client, 0)
	pods := factory.Core().V1().Pods()
	if err := pods.Informer().SetTransform(stripPod); err != nil {
		r.Log.Error(err, "pod cache transform not set")
	}
	r.pods, r.nodes, r.namespaces = pods.Lister(), factory.Core().V1().Nodes().Lister(), factory.Core().V1().Namespaces().Lister()
	synced := []cache.InformerSynced{pods.Informer().HasSynced, factory.Core().V1().Nodes().Informer().HasSynced,
		factory.Core().V1().Namespaces().Informer().HasSynced}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return
	}
	r.history = rebalance.NewHistory()
	tick := time.NewTicker(orDuration(r.Interval, DefaultRebalanceInterval))
	defer tick.Stop()
	for {
		r.pass(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// stripPod drops what the rebalancer never reads from the cached pods.
func stripPod(obj any) (any, error) {
	if pod, ok := obj.(*corev1.Pod); ok {
		pod.ManagedFields = nil
	}
	return obj, nil
}

// optedIn reports whether the rebalancer acts in the namespace.
func (r *Rebalancer) optedIn(ns *corev1.Namespace) bool {
	return ns.Name != r.Namespace && ns.Labels[EnabledNamespaceLabel] == "true"
}

// listed returns the cache's pods and Nodes.
func (r *Rebalancer) listed() ([]*corev1.Pod, map[string]*corev1.Node, []*corev1.Node, error) {
	pods, err := r.pods.List(labels.Everything())
	if err != nil {
		return nil, nil, nil, err
	}
	nodes, err := r.nodes.List(labels.Everything())
	if err != nil {
		return nil, nil, nil, err
	}
	byName := make(map[string]*corev1.Node, len(nodes))
	for _, n := range nodes {
		byName[n.Name] = n
	}
	return pods, byName, nodes, nil
}
