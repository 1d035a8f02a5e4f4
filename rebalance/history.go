package rebalance

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// guardWindow is how long after an eviction the owner's new pods count as
// its replacement, for the loop guard.
const guardWindow = 10 * time.Minute

// History is what the rebalancer remembers between passes: each policy's
// recent evictions (its rate) and each owner's last eviction and back-off
// (the loop guard). It lives in the leader's memory: a new leader starts
// afresh, which at worst moves one more pod per owner before the guard
// learns again. Not safe for concurrent use.
type History struct {
	evictions map[string][]time.Time
	guards    map[types.UID]guard
	backoff   map[types.UID]time.Time
}

// guard is an owner's latest eviction: when, and the weight of the pool
// its pod left.
type guard struct {
	policy     string
	at         time.Time
	fromWeight int32
}

// NewHistory returns an empty History.
func NewHistory() *History {
	return &History{evictions: map[string][]time.Time{}, guards: map[types.UID]guard{}, backoff: map[types.UID]time.Time{}}
}

// Allowed reports whether the policy may evict once more at now, given its
// maxPerMinute: a sliding window over the last minute.
func (h *History) Allowed(policyName string, maxPerMinute int, now time.Time) bool {
	recent := h.evictions[policyName][:0]
	for _, t := range h.evictions[policyName] {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	h.evictions[policyName] = recent
	return len(recent) < maxPerMinute
}

// Record remembers an eviction of the policy's pod, owned by owner, from a
// pool of weight fromWeight.
func (h *History) Record(policyName string, owner types.UID, fromWeight int32, now time.Time) {
	h.evictions[policyName] = append(h.evictions[policyName], now)
	g, ok := h.guards[owner]
	if ok && now.Sub(g.at) < guardWindow {
		fromWeight = max(fromWeight, g.fromWeight)
	}
	h.guards[owner] = guard{policy: policyName, at: now, fromWeight: fromWeight}
}

// BackedOff reports whether the owner is left alone at now.
func (h *History) BackedOff(owner types.UID, now time.Time) bool {
	until, ok := h.backoff[owner]
	if ok && !now.Before(until) {
		delete(h.backoff, owner)
		return false
	}
	return ok
}

// WeightOf returns the weight, in the owner's policy, of the pool of the
// Node a pod is bound to, and whether the pod counts (its policy found).
type WeightOf func(pod *corev1.Pod) (int32, bool)

// BackedOff is an owner the loop guard backed off: Pod, its replacement,
// landed on no better pool than its predecessor left.
type BackedOff struct {
	Owner  types.UID
	Policy string
	Pod    *corev1.Pod
}

// Guard checks the replacements of every owner evicted lately: the owner's
// pods created after its eviction and bound since. When one landed on a
// pool no better than the one its predecessor left (the scheduler's other
// scores can still prefer the fallback), the owner is backed off until
// now+backoff and returned with its policy, to be counted. pods maps an owner's UID to its
// pods (creation times have whole seconds). A guard ends when its window
// passes.
func (h *History) Guard(pods map[types.UID][]*corev1.Pod, weightOf WeightOf, now time.Time, backoff time.Duration) []BackedOff {
	var backedOff []BackedOff
	for owner, g := range h.guards {
		if now.Sub(g.at) >= guardWindow {
			delete(h.guards, owner)
			continue
		}
		for _, p := range pods[owner] {
			if p.Spec.NodeName == "" || p.CreationTimestamp.Time.Before(g.at.Truncate(time.Second)) {
				continue
			}
			if w, ok := weightOf(p); ok && w <= g.fromWeight {
				h.backoff[owner] = now.Add(backoff)
				delete(h.guards, owner)
				backedOff = append(backedOff, BackedOff{Owner: owner, Policy: g.policy, Pod: p})
				break
			}
		}
	}
	return backedOff
}
