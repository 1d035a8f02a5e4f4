// Package explain answers "where can this pod run, and why": given a pod,
// the engine's result for it (policy.Apply), the policies' match verdicts,
// the cluster's Nodes and the pods bound to them, and optionally Karpenter
// NodePools, it reports which policies matched and why, what each setting
// added or skipped, per Node whether the pod is feasible (with the first
// reason the scheduler's filters give) and its NodeAffinity score, per
// NodePool whether Karpenter could provision for it and in which order, and
// one verdict.
//
// The package is pure: it reads no files, calls no API server and imports no
// client-go or admission types; `poolpatch explain` (offline or live) fetches
// the objects and calls Explain. Every matching decision uses the
// scheduler's own helpers (k8s.io/component-helpers/scheduling/corev1 and
// its nodeaffinity package) and requests come from the API's request
// arithmetic (k8s.io/component-helpers/resource.PodRequests: init
// containers, sidecars and overhead counted as the scheduler counts them).
// The one piece of scheduler arithmetic written here is the per-pod 0-100
// rescaling of scores (NormalizeScores), tested against the rule the
// scheduler documents for its NodeAffinity and TaintToleration plugins.
package explain
