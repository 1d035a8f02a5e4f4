package rebalance

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// Placement is where a running pod is, measured by its policy's pools.
type Placement struct {
	// Rebalance is the rebalance of the policy that decided the pod's pools.
	Rebalance policy.Rebalancing
	// Pool is the pool label of the pod's Node ("" outside every pool) and
	// Weight that pool's weight in the policy (0 outside its pools).
	Pool   string
	Weight int32
}

// Lesser reports whether the pod runs on a pool of lower weight than the
// best pool of its policy.
func (p Placement) Lesser() bool { return p.Weight < p.Rebalance.BestWeight() }

// Locate returns the placement of pod, bound to node, when the policy that
// decides its pools has a rebalance. The engine is asked as the webhook
// asked it when the pod was created: the pod unbound, in its namespace. It
// is idempotent on the stored pod, so this finds the same policy.
func Locate(set *policy.Set, pod *corev1.Pod, node *corev1.Node, ns policy.Namespace) (Placement, bool) {
	unbound := *pod
	unbound.Spec.NodeName = ""
	r, ok := set.Rebalancing(policy.Apply(&unbound, set, ns, policy.Options{}))
	if !ok {
		return Placement{}, false
	}
	pool := node.Labels[r.PoolKey]
	return Placement{Rebalance: r, Pool: pool, Weight: r.Weight(pool)}, true
}

// Since is when the pod was bound to its Node: when its PodScheduled
// condition last turned true, else when it started, else when it was created.
func Since(pod *corev1.Pod) time.Time {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionTrue && !c.LastTransitionTime.IsZero() {
			return c.LastTransitionTime.Time
		}
	}
	if pod.Status.StartTime != nil {
		return pod.Status.StartTime.Time
	}
	return pod.CreationTimestamp.Time
}
