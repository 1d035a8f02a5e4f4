package explain

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// Input is everything Explain looks at. Nothing in it is modified.
type Input struct {
	// Pod is the pod as given: a manifest's pod (offline) or the stored pod
	// (live, already mutated, perhaps bound: Pod.Spec.NodeName).
	Pod *corev1.Pod
	// Result is the engine's result for the pod; the scheduler sees
	// Result.Pod, unless Stored. Nil means the pod is explained as it is.
	Result *policy.Result
	// Stored says Pod is the stored pod (live): the scheduler sees it as it
	// is, whatever the policies would add now (the namespace may not be
	// opted in, the pod may have been created before the policies).
	Stored bool
	// Policies are the set's match verdicts for the pod (policy.Set.Explain).
	Policies []policy.PolicyMatch
	// Nodes are the cluster's Nodes.
	Nodes []corev1.Node
	// Pods are the pods bound to Nodes (any namespace); they use resources.
	// The explained pod itself is ignored among them.
	Pods []corev1.Pod
	// Services in the pod's namespace: one selecting the pod makes the
	// scheduler's default topology spreading apply to it.
	Services []corev1.Service
	// NodePools are Karpenter's NodePools, if any.
	NodePools []NodePool
	// PoolKey and ZoneKey are the Node labels that group Nodes in the report
	// (default: the deciding policy's keys, else dedicated and
	// topology.kubernetes.io/zone).
	PoolKey, ZoneKey string
	// Pools orders pools in the report; default the deciding policy's pools.
	Pools []string
}

// Report is Explain's answer, in the order the CLI prints it.
type Report struct {
	Pod       string               `json:"pod"`
	BoundTo   string               `json:"boundTo,omitempty"`
	Excluded  string               `json:"excluded,omitempty"`
	Policies  []policy.PolicyMatch `json:"policies"`
	Settings  []SettingLine        `json:"settings"`
	PoolKey   string               `json:"poolKey"`
	ZoneKey   string               `json:"zoneKey"`
	Nodes     []NodeLine           `json:"nodes"`
	NodePools []NodePoolLine       `json:"nodePools,omitempty"`
	Verdict   Verdict              `json:"verdict"`
	Requests  corev1.ResourceList  `json:"requests,omitempty"`
	// SchedulerSaid is the message of the pod's PodScheduled=False
	// condition, what the scheduler's FailedScheduling event said.
	SchedulerSaid string `json:"schedulerSaid,omitempty"`
}

// SettingLine is one thing a policy added, would add (Audit), or skipped,
// or a warning of the engine.
type SettingLine struct {
	Policy  string `json:"policy,omitempty"`
	Setting string `json:"setting,omitempty"`
	// Kind is "added", "audit", "skipped" or "warning".
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// NodeLine is one Node: feasible or the first reason it is not, and for a
// feasible Node its NodeAffinity score.
type NodeLine struct {
	Node     string `json:"node"`
	Pool     string `json:"pool"`
	Zone     string `json:"zone"`
	Feasible bool   `json:"feasible"`
	// Reason is the first failing filter, in the scheduler's order, with
	// its detail (taint, unmet expression, resource short).
	Reason string `json:"reason,omitempty"`
	// SchedulerReasons are the reasons the scheduler itself counts for this
	// Node in its "0/N nodes are available" message.
	SchedulerReasons []string `json:"schedulerReasons,omitempty"`
	// OnlyResources says the Node fails on resources alone: a Node like it
	// with room would take the pod.
	OnlyResources bool `json:"onlyResources,omitempty"`
	// Raw is the sum of the weights of the preferred terms the Node
	// matches; Score is Raw rescaled to 0-100 over the feasible Nodes.
	Raw   int64 `json:"raw"`
	Score int64 `json:"score"`
	// LeastAllocated is the NodeResourcesFit score after placing the pod.
	LeastAllocated int64 `json:"leastAllocated"`
	// Best marks the feasible Nodes with the highest NodeAffinity score.
	Best bool `json:"best,omitempty"`
	// taint is the TaintToleration score (reversed, rescaled), which only
	// the verdict weighs.
	taint int64
}

// NodePoolLine is one NodePool: could Karpenter provision for the pod, and
// its place in the order Karpenter would try.
type NodePoolLine struct {
	NodePool string `json:"nodePool"`
	Weight   int32  `json:"weight"`
	Possible bool   `json:"possible"`
	Reason   string `json:"reason,omitempty"`
	// Order is 1 for the NodePool Karpenter tries first; 0 when impossible.
	Order int `json:"order,omitempty"`
	// Preference is the preferred term Karpenter keeps as a requirement
	// when it picks this NodePool ("" once every preference is relaxed).
	Preference string `json:"preference,omitempty"`
	// OwnNode is the Node a bound pod runs on when this NodePool made it:
	// left out of the NodePool's usage, since it did not exist when
	// Karpenter chose a NodePool for the pod.
	OwnNode string `json:"ownNode,omitempty"`
}

// Verdict is the one-line answer.
type Verdict struct {
	// Fits is whether some Node is feasible now.
	Fits bool `json:"fits"`
	// Best lists the feasible Nodes with the highest NodeAffinity score.
	Best []string `json:"best,omitempty"`
	// OtherScores says why scores other than NodeAffinity may choose
	// another feasible Node ("" when NodeAffinity decides).
	OtherScores string `json:"otherScores,omitempty"`
	// Unschedulable is the scheduler's message for a pod nothing fits:
	// "0/N nodes are available: ...".
	Unschedulable string `json:"unschedulable,omitempty"`
	// Grow names what would have to grow: a NodePool, or a pool whose
	// Nodes fail on resources alone.
	Grow string `json:"grow,omitempty"`
	// NotEvaluated names the scheduler filters this pod is subject to that
	// explain does not run (required pod affinity, DoNotSchedule topology
	// spreading, host ports, volumes), so the verdict is an upper bound.
	NotEvaluated []string `json:"notEvaluated,omitempty"`
	// Text is the verdict line.
	Text string `json:"text"`
}
