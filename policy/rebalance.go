package policy

import (
	"slices"
	"time"
)

// Bounds of a policy's rebalance.
const (
	MinRebalanceAfter     = 10 * time.Second
	MaxRebalancePerMinute = 600
)

// Rebalancing is a policy's rebalance, compiled.
type Rebalancing struct {
	// Policy names the policy.
	Policy string
	// PoolKey is the Node label that names the policy's pools.
	PoolKey string
	// After is how long a pod must have run on a lesser pool first.
	After time.Duration
	// MaxPerMinute caps the policy's evictions in any minute.
	MaxPerMinute int
	// Pools are the policy's pools, in the policy's order.
	Pools []Pool
}

// Weight returns the weight of the pool named name, 0 for a Node outside
// the policy's pools.
func (r Rebalancing) Weight(name string) int32 {
	for _, p := range r.Pools {
		if p.Name == name {
			return p.Weight
		}
	}
	return 0
}

// BestWeight is the weight of the pool the policy prefers most.
func (r Rebalancing) BestWeight() int32 {
	var best int32
	for _, p := range r.Pools {
		best = max(best, p.Weight)
	}
	return best
}

// Rebalancing returns the rebalance of the policy that decided the pools of
// res.Pod: the first Enforce policy with pools that matched it, as the pools
// mutator's claim goes. ok is false when that policy has no rebalance, or
// when no policy decided the pod's pools.
func (s *Set) Rebalancing(res *Result) (r Rebalancing, ok bool) {
	if s == nil || res == nil {
		return Rebalancing{}, false
	}
	for _, c := range s.policies {
		if c.mode != ModeEnforce || len(c.spec.Pools) == 0 || !slices.Contains(res.Enforced, c.name) {
			continue
		}
		if c.spec.Rebalance == nil {
			return Rebalancing{}, false
		}
		return Rebalancing{Policy: c.name, PoolKey: c.poolKey, After: c.rebalanceAfter,
			MaxPerMinute: int(c.spec.Rebalance.MaxPerMinute), Pools: c.spec.Pools}, true
	}
	return Rebalancing{}, false
}

// HasRebalance reports whether any Enforce policy of the set rebalances, so
// that the controller can stay idle otherwise.
func (s *Set) HasRebalance() bool {
	if s == nil {
		return false
	}
	for _, c := range s.policies {
		if c.mode == ModeEnforce && c.spec.Rebalance != nil {
			return true
		}
	}
	return false
}

// validateRebalance checks a policy's rebalance: a duration of at least
// MinRebalanceAfter, so that a pod that just fell back is not evicted at
// once, a positive rate under the cap, and pools to move pods to.
func validateRebalance(d document, errs *ErrorList) {
	s := d.policy.Spec
	r := s.Rebalance
	if r == nil {
		return
	}
	if r.After == "" {
		d.errorf(errs, "spec.rebalance.after", "required: how long a pod runs on a lesser pool before it may be moved, such as 10m")
	} else if after, err := time.ParseDuration(r.After); err != nil {
		d.errorf(errs, "spec.rebalance.after", "not a duration: %s (want a Go duration such as 10m or 90s)", quote(r.After))
	} else if after < MinRebalanceAfter {
		d.errorf(errs, "spec.rebalance.after", "must be at least %s, got %s", MinRebalanceAfter, r.After)
	}
	if r.MaxPerMinute < 1 || r.MaxPerMinute > MaxRebalancePerMinute {
		d.errorf(errs, "spec.rebalance.maxPerMinute", "must be from 1 to %d, got %d", MaxRebalancePerMinute, r.MaxPerMinute)
	}
	if len(s.Pools) == 0 {
		d.errorf(errs, "spec.rebalance", "needs pools: it moves pods back to the pools they prefer")
	}
}

// rebalanceWarnings says when a policy's rebalance has no effect.
func rebalanceWarnings(c *compiled) []string {
	if c.spec.Rebalance == nil || c.mode != ModeAudit {
		return nil
	}
	return []string{"policy " + c.name + ": rebalance is ignored in Audit mode: Audit policies evict nothing"}
}
