package policy

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// APIVersion and Kind identify a PoolPolicy document.
const (
	APIVersion = "poolpatch.io/v1alpha1"
	Kind       = "PoolPolicy"
)

// Well-known keys that poolpatch reads or writes.
const (
	// DefaultPoolKey is the node label (and taint key) that names a pool.
	DefaultPoolKey = "dedicated"
	// DefaultZoneKey is the node label that names a zone.
	DefaultZoneKey = "topology.kubernetes.io/zone"
	// PoliciesAnnotation records the Enforce policies that matched a pod.
	PoliciesAnnotation = "poolpatch.io/policies"
	// OptOutLabel set to "false" on a pod keeps poolpatch away from it.
	OptOutLabel = "poolpatch.io/mutate"
	// SafeToEvictAnnotation is the cluster-autoscaler's eviction switch.
	SafeToEvictAnnotation = "cluster-autoscaler.kubernetes.io/safe-to-evict"
	// SafeToEvictLocalVolumesAnnotation lists local volumes that do not block scale-down.
	SafeToEvictLocalVolumesAnnotation = "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes"
	// DoNotDisruptAnnotation is Karpenter's eviction switch.
	DoNotDisruptAnnotation = "karpenter.sh/do-not-disrupt"
	// MirrorPodAnnotation marks static pods that the kubelet mirrors.
	MirrorPodAnnotation = "kubernetes.io/config.mirror"
)

// Mode says whether a policy patches pods or only reports what it would do.
type Mode string

// The policy modes.
const (
	ModeEnforce Mode = "Enforce"
	ModeAudit   Mode = "Audit"
)

// Eviction selects the autoscaler annotations a policy adds.
type Eviction string

// The eviction settings.
const (
	EvictionNone         Eviction = ""
	EvictionSafe         Eviction = "safe"
	EvictionNever        Eviction = "never"
	EvictionLocalVolumes Eviction = "local-volumes"
)

// PoolPolicy is one policy document as written in the ConfigMap.
type PoolPolicy struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   Metadata `yaml:"metadata"`
	Spec       Spec     `yaml:"spec"`
}

// Metadata names a policy.
type Metadata struct {
	Name        string            `yaml:"name"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// Spec is what a policy matches and what it adds to the pods it matches.
type Spec struct {
	Mode          Mode                `yaml:"mode"`
	Match         Match               `yaml:"match"`
	PoolKey       string              `yaml:"poolKey"`
	TaintKey      string              `yaml:"taintKey"`
	Pools         []Pool              `yaml:"pools"`
	StrictPools   *bool               `yaml:"strictPools"`
	Zones         *Zones              `yaml:"zones"`
	Tolerations   []corev1.Toleration `yaml:"tolerations"`
	SchedulerName string              `yaml:"schedulerName"`
	EmptyDir      *EmptyDir           `yaml:"emptyDir"`
	Eviction      Eviction            `yaml:"eviction"`
	Annotations   map[string]string   `yaml:"annotations"`
	Prepull       *Prepull            `yaml:"prepull"`
	Headroom      *Headroom           `yaml:"headroom"`
	Rebalance     *Rebalance          `yaml:"rebalance"`
}

// Match selects pods; every criterion given must hold, and an empty Match
// selects every pod.
type Match struct {
	Namespaces        []string              `yaml:"namespaces"`
	NamespaceSelector *metav1.LabelSelector `yaml:"namespaceSelector"`
	PodSelector       *metav1.LabelSelector `yaml:"podSelector"`
}

// Pool is one node pool in preference order.
type Pool struct {
	Name        string              `yaml:"name"`
	Weight      int32               `yaml:"weight"`
	Tolerations []corev1.Toleration `yaml:"tolerations"`
}

// Zones pins pods to zones and gathers a job's pods in one zone.
type Zones struct {
	Key            string          `yaml:"key"`
	Allowed        []string        `yaml:"allowed"`
	Preferred      []PreferredZone `yaml:"preferred"`
	SameZoneBy     string          `yaml:"sameZoneBy"`
	SameZoneWeight int32           `yaml:"sameZoneWeight"`
}

// PreferredZone is a weighted zone preference.
type PreferredZone struct {
	Name   string `yaml:"name"`
	Weight int32  `yaml:"weight"`
}

// EmptyDir holds the size limits given to emptyDir volumes that set none.
type EmptyDir struct {
	SizeLimit       *resource.Quantity `yaml:"sizeLimit"`
	MemorySizeLimit *resource.Quantity `yaml:"memorySizeLimit"`
}

// Prepull lists images that init containers pull ahead of the pod's own.
type Prepull struct {
	Images         []string `yaml:"images"`
	FromContainers bool     `yaml:"fromContainers"`
}

// Headroom is warm capacity kept where the policy's pods would go: Replicas
// chunks, each the size of a pod requesting Requests.
type Headroom struct {
	Replicas int32               `yaml:"replicas"`
	Requests corev1.ResourceList `yaml:"requests"`
}

// Rebalance lets `poolpatch serve --rebalance` move the policy's pods that
// fell back to a pool they prefer less, once a pool they prefer more has room
// for them: it evicts them through the Eviction API, so that their owner
// recreates them and the scheduler places the new pods.
type Rebalance struct {
	// After is how long a pod must have run on the lesser pool first, a Go
	// duration such as 10m.
	After string `yaml:"after"`
	// MaxPerMinute caps the policy's evictions in any minute.
	MaxPerMinute int32 `yaml:"maxPerMinute"`
}
