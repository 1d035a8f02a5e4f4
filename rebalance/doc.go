// Package rebalance decides which running pods to move back to the pool
// their policy prefers: a pod that fell back to a lesser pool is evicted
// only when its owner will recreate it, nothing on the pod forbids it, it
// has run there for the policy's rebalance.after, a node of a better pool
// has room now for the pod its owner would create (the scheduler's own
// filters, through explain), and the policy's rate allows it.
//
// The package is pure: it takes pods, nodes and the policy set as
// arguments and says what to do. The controller package carries the
// decision out through the Eviction API, which enforces PodDisruptionBudgets.
package rebalance
