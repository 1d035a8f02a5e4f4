package cluster

import (
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Pool names of the default node layout.
const (
	PoolSpecial  = "special01"
	PoolFallback = "fallback01"
	PoolGeneral  = "general"
)

// Label keys the harness puts on its fake Nodes.
const (
	// PoolLabel names the harness pool a Node belongs to.
	PoolLabel = "e2e.poolpatch.io/pool"
	// DedicatedLabel is the label (and taint key) that marks a dedicated pool.
	DedicatedLabel = "dedicated"
	// ZoneLabel is the well-known zone label.
	ZoneLabel = corev1.LabelTopologyZone
)

// Default zones of the fake nodes.
var DefaultZones = []string{"zone-a", "zone-b"}

// Pool describes one group of identical fake Nodes, NodesPerZone of them in
// every zone.
type Pool struct {
	// Name is the pool's name: the value of PoolLabel and the Node name prefix.
	Name string
	// Labels are added to every Node of the pool.
	Labels map[string]string
	// Taints are set on every Node of the pool, and only these.
	Taints []corev1.Taint
	// NodesPerZone is the number of Nodes in each zone (default 1).
	NodesPerZone int
	// Allocatable overrides Options.Allocatable for this pool.
	Allocatable corev1.ResourceList
}

// Options configures Start. The zero value gives the default layout.
type Options struct {
	// BinDir holds etcd, kube-apiserver, kube-controller-manager and
	// kube-scheduler. Default: $KUBEBUILDER_ASSETS, else <repo>/bin.
	BinDir string
	// WorkDir receives certificates, kubeconfigs and component logs. Default:
	// a new temporary directory, removed by Stop unless KeepWorkDir is set.
	WorkDir string
	// KeepWorkDir keeps WorkDir (and its logs) after Stop.
	KeepWorkDir bool
	// Zones are the zones every pool spreads over (default DefaultZones).
	Zones []string
	// Pools is the node layout (default DefaultPools(); an empty, non-nil
	// slice means no fake Nodes, for an autoscaler to create them).
	Pools []Pool
	// Allocatable is each Node's capacity and allocatable (default
	// DefaultAllocatable()).
	Allocatable corev1.ResourceList
	// AdmissionPlugins are enabled in kube-apiserver besides its defaults
	// and ServiceAccount, e.g. AlwaysPullImages.
	AdmissionPlugins []string
	// NodeLifecycle runs kube-controller-manager's node lifecycle
	// controller, which lifts the not-ready taint from Nodes that report
	// Ready and watches their heartbeats: for Nodes a kubelet stand-in
	// (KWOK) keeps alive. Leave it off with the harness's own fake Nodes.
	NodeLifecycle bool
	// StartTimeout bounds the start of each component (default 60s).
	StartTimeout time.Duration
	// StopOnSignal stops the cluster on SIGINT or SIGTERM, then exits the
	// process with status 130 (143 for SIGTERM).
	StopOnSignal bool
	// Log receives the harness's progress lines (default: discarded).
	Log io.Writer
}

// DefaultAllocatable is room for a whole test job on one Node: 32 CPUs,
// 128 GiB of memory and 110 pods.
func DefaultAllocatable() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("128Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
}

// DefaultPools is the layout poolpatch's tests expect: special01 and
// fallback01, each labelled and tainted dedicated=<name>:NoSchedule, and an
// untainted general pool; one Node of each per zone.
func DefaultPools() []Pool {
	return []Pool{dedicatedPool(PoolSpecial), dedicatedPool(PoolFallback), {Name: PoolGeneral}}
}

// dedicatedPool is a pool labelled and tainted dedicated=name.
func dedicatedPool(name string) Pool {
	return Pool{
		Name:   name,
		Labels: map[string]string{DedicatedLabel: name},
		Taints: []corev1.Taint{{Key: DedicatedLabel, Value: name, Effect: corev1.TaintEffectNoSchedule}},
	}
}

// withDefaults returns o with every unset field defaulted.
func (o Options) withDefaults() Options {
	if len(o.Zones) == 0 {
		o.Zones = DefaultZones
	}
	if o.Pools == nil {
		o.Pools = DefaultPools()
	}
	if o.Allocatable == nil {
		o.Allocatable = DefaultAllocatable()
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}
