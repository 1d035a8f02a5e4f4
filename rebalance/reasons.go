package rebalance

// Reason says, in a word fit for a metric label, why a pod on a lesser
// pool was left where it is.
type Reason string

// The reasons a pod is not moved, in the order they are checked.
const (
	// ReasonBarePod: no controller owns the pod, so nothing would recreate it.
	ReasonBarePod Reason = "bare-pod"
	// ReasonOwnerKind: its controller is not an apps/v1 ReplicaSet or
	// StatefulSet (a Job, an operator's own kind).
	ReasonOwnerKind Reason = "owner-kind"
	// ReasonDoNotDisrupt: the pod carries karpenter.sh/do-not-disrupt.
	ReasonDoNotDisrupt Reason = "do-not-disrupt"
	// ReasonSafeToEvictFalse: the pod carries the cluster-autoscaler's
	// safe-to-evict "false".
	ReasonSafeToEvictFalse Reason = "safe-to-evict-false"
	// ReasonTooRecent: the pod has run on the lesser pool for less than the
	// policy's rebalance.after.
	ReasonTooRecent Reason = "too-recent"
	// ReasonBackoff: a replacement of the same owner landed on no better
	// pool, so the owner is left alone for the back-off interval.
	ReasonBackoff Reason = "backoff"
	// ReasonRateLimited: the policy made its maxPerMinute evictions.
	ReasonRateLimited Reason = "rate-limited"
	// ReasonOwnerMissing: the owner could not be read.
	ReasonOwnerMissing Reason = "owner-missing"
	// ReasonUnverifiable: the pod the owner would create has pod
	// (anti-)affinity, DoNotSchedule topology spread, host ports or
	// volumes that may be zonal: filters poolpatch cannot run decide it.
	ReasonUnverifiable Reason = "unverifiable"
	// ReasonNoRoom: no node of a better pool has room for it now.
	ReasonNoRoom Reason = "no-room"
	// ReasonPDB: the Eviction API refused (429): a PodDisruptionBudget
	// allows no disruption now.
	ReasonPDB Reason = "pdb"
)
