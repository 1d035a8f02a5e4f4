package rebalance

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/explain"
)

// Decision is the verdict on one pod of a lesser pool.
type Decision struct {
	// Evict is true when the pod is to be moved; Reason says why not.
	Evict  bool
	Reason Reason
	// Detail is for the log line and the Event: the node that has room, or
	// what stood in the way.
	Detail string
	// Target is the Node of a better pool that has room for the pod's
	// replacement (only when Evict).
	Target *corev1.Node
	// TargetPool names Target's pool.
	TargetPool string
}

func skip(r Reason, format string, args ...any) Decision {
	return Decision{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// Planner decides one pass. Nodes and Usage describe the cluster at the
// start of the pass; Usage takes the reservations of the pass's own
// evictions, so that two pods are never promised the same room.
type Planner struct {
	Now     time.Time
	Nodes   []*corev1.Node
	Usage   explain.Usage
	History *History
}

// Screen checks what needs no API call, in order: the owner's kind, the
// pod's own annotations and labels, its time on the lesser pool, the
// owner's back-off and the policy's rate. It returns false with the skip,
// or true when the owner's template is worth reading (Place).
func (p *Planner) Screen(pod *corev1.Pod, at Placement) (Decision, bool) {
	owner, reason := Owner(pod)
	if reason != "" {
		return skip(reason, "owner: %s", ownerText(pod)), false
	}
	if reason := forbidden(pod); reason != "" {
		return skip(reason, "the pod forbids eviction (%s)", reason), false
	}
	if since := Since(pod); p.Now.Sub(since) < at.Rebalance.After {
		return skip(ReasonTooRecent, "on pool %q for %s of the %s the policy asks", at.Pool,
			p.Now.Sub(since).Round(time.Second), at.Rebalance.After), false
	}
	if p.History.BackedOff(owner.UID, p.Now) {
		return skip(ReasonBackoff, "a replacement of %s %s landed on no better pool", owner.Kind, owner.Name), false
	}
	if !p.History.Allowed(at.Rebalance.Policy, at.Rebalance.MaxPerMinute, p.Now) {
		return skip(ReasonRateLimited, "policy %s made its %d evictions this minute", at.Rebalance.Policy, at.Rebalance.MaxPerMinute), false
	}
	return Decision{}, true
}

// Place looks for room for replacement, the pod the owner would create as
// the current policy set mutates it, on a Node of a pool the policy
// prefers to the pod's. stored is the running pod, whose volumes
// (a StatefulSet's claims) the template lacks. The best pool is tried
// first, then Nodes by name. A Node found is reserved for the pass, and
// stays reserved if the eviction is then refused: a pass errs on the side
// of moving less.
func (p *Planner) Place(stored, replacement *corev1.Pod, at Placement) Decision {
	if unverifiable(replacement) || unverifiable(stored) {
		return skip(ReasonUnverifiable, "placement depends on pod affinity, hard topology spread, host ports or volumes")
	}
	var better []*corev1.Node
	for _, n := range p.Nodes {
		if n.DeletionTimestamp == nil && at.Rebalance.Weight(n.Labels[at.Rebalance.PoolKey]) > at.Weight {
			better = append(better, n)
		}
	}
	slices.SortStableFunc(better, func(a, b *corev1.Node) int {
		return cmp.Or(cmp.Compare(at.Rebalance.Weight(b.Labels[at.Rebalance.PoolKey]), at.Rebalance.Weight(a.Labels[at.Rebalance.PoolKey])), cmp.Compare(a.Name, b.Name))
	})
	first := ""
	for _, n := range better {
		why := p.Usage.Unfit(replacement, n)
		if why == "" {
			p.Usage.Reserve(replacement, n.Name)
			pool := n.Labels[at.Rebalance.PoolKey]
			return Decision{Evict: true, Target: n, TargetPool: pool,
				Detail: fmt.Sprintf("moved from pool %q to %q: node %s has room (policy %s)", at.Pool, pool, n.Name, at.Rebalance.Policy)}
		}
		if first == "" {
			first = n.Name + ": " + why
		}
	}
	if first == "" {
		return skip(ReasonNoRoom, "no node of a better pool than %q", at.Pool)
	}
	return skip(ReasonNoRoom, "no node of a better pool than %q has room (%s)", at.Pool, first)
}

// Evicted records a successful eviction of pod, so that the rate and the
// loop guard count it.
func (p *Planner) Evicted(pod *corev1.Pod, at Placement) {
	if owner, _ := Owner(pod); owner != nil {
		p.History.Record(at.Rebalance.Policy, owner.UID, at.Weight, p.Now)
	}
}

func ownerText(pod *corev1.Pod) string {
	for _, ref := range pod.OwnerReferences {
		if ref.Controller != nil && *ref.Controller {
			return ref.Kind + " " + ref.Name
		}
	}
	return "none"
}
