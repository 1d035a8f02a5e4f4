package explain

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	schedcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"

	"github.com/poolpatch/poolpatch/policy"
)

// explainNodePools says, per NodePool, whether Karpenter could provision a
// Node for the pod (template taints tolerated, requirements compatible with
// the pod's required terms, limits left), and in which order it would try
// them: Karpenter makes the heaviest preferred term a requirement and
// relaxes heaviest first, and tries NodePools by weight within each step.
// own is the Node a bound pod runs on (nil if none): see withoutOwnNode.
func explainNodePools(pod *corev1.Pod, pools []NodePool, requests corev1.ResourceList, own *corev1.Node) []NodePoolLine {
	steps := relaxationSteps(pod)
	lines := make([]NodePoolLine, 0, len(pools))
	stepOf := make([]int, 0, len(pools))
	for _, np := range pools {
		np, ownNode := withoutOwnNode(np, own)
		line := NodePoolLine{NodePool: np.Name, Weight: np.Weight, OwnNode: ownNode}
		step := -1
		if taint, found := schedcorev1.FindMatchingUntoleratedTaint(klog.Background(), np.Taints, pod.Spec.Tolerations, doNotSchedule, false); found {
			line.Reason = "untolerated taint " + describeTaint(taint)
		} else if reason := limitsLeft(np, requests); reason != "" {
			line.Reason = reason
		} else if step = firstCompatibleStep(np, pod, steps); step < 0 {
			line.Reason = "requirements incompatible with the pod's required node affinity"
		} else {
			line.Possible = true
			line.Preference = steps[step].name
		}
		lines = append(lines, line)
		stepOf = append(stepOf, step)
	}
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		la, lb := lines[idx[a]], lines[idx[b]]
		if la.Possible != lb.Possible {
			return la.Possible
		}
		if sa, sb := stepOf[idx[a]], stepOf[idx[b]]; sa != sb {
			return sa < sb
		}
		if la.Weight != lb.Weight {
			return la.Weight > lb.Weight
		}
		return la.NodePool < lb.NodePool
	})
	out := make([]NodePoolLine, len(lines))
	for rank, i := range idx {
		out[rank] = lines[i]
		if out[rank].Possible {
			out[rank].Order = rank + 1
		}
	}
	return out
}

// step is one round of Karpenter's scheduling: the pod with one preferred
// term made a requirement (affinity nil when every preference is relaxed).
type step struct {
	name     string
	affinity nodeaffinity.RequiredNodeAffinity
}

// relaxationSteps lists the rounds: each preferred term as a requirement,
// heaviest first (stable for equal weights), then none.
func relaxationSteps(pod *corev1.Pod) []step {
	terms := append([]corev1.PreferredSchedulingTerm(nil), policy.PreferredTerms(pod)...)
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].Weight > terms[j].Weight })
	var out []step
	for _, t := range terms {
		out = append(out, step{name: describeTerm(t), affinity: withRequired(pod, t.Preference)})
	}
	return append(out, step{affinity: nodeaffinity.GetRequiredNodeAffinity(pod)})
}

// withRequired is the pod's required node affinity with the term's
// expressions added to every required term (terms are ORed), or as the one
// term when there is none.
func withRequired(pod *corev1.Pod, extra corev1.NodeSelectorTerm) nodeaffinity.RequiredNodeAffinity {
	var affinity corev1.Affinity
	if pod.Spec.Affinity != nil {
		affinity = *pod.Spec.Affinity.DeepCopy()
	}
	if affinity.NodeAffinity == nil {
		affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	na := affinity.NodeAffinity
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil || len(na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms) == 0 {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{}}}
	}
	terms := na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	for i := range terms {
		terms[i].MatchExpressions = append(terms[i].MatchExpressions, extra.MatchExpressions...)
		terms[i].MatchFields = append(terms[i].MatchFields, extra.MatchFields...)
	}
	return nodeaffinity.NewRequiredNodeAffinity(pod.Spec.NodeSelector, &affinity)
}

// firstCompatibleStep is the first round in which some Node the NodePool
// could make matches the pod's (strengthened) required affinity, by the
// scheduler's own matcher; -1 when none does.
func firstCompatibleStep(np NodePool, pod *corev1.Pod, steps []step) int {
	candidates := candidateNodes(np, pod)
	for i, s := range steps {
		for _, node := range candidates {
			if ok, _ := s.affinity.Match(node); ok {
				return i
			}
		}
	}
	return -1
}

// limitsLeft says which limit a new Node for the pod would break: a Node
// needs at least the pod's requests, and one more pod (a lower bound, since
// the instance type Karpenter picks is at least that big).
func limitsLeft(np NodePool, requests corev1.ResourceList) string {
	for _, name := range resourceNames(np.Limits) {
		limit := np.Limits[name]
		need := np.Used[name].DeepCopy()
		need.Add(requests[name])
		used := np.Used[name]
		if used.Cmp(limit) >= 0 || need.Cmp(limit) > 0 {
			return fmt.Sprintf("limits: %s %s used of %s, the pod requests %s", name, qty(used), qty(limit), qty(requests[name]))
		}
	}
	return ""
}

// nodesResource is the resource Karpenter counts a NodePool's Nodes under,
// in spec.limits and status.resources.
const nodesResource corev1.ResourceName = "nodes"

// withoutOwnNode takes node, the Node a bound pod runs on, out of what np
// uses (one Node and its capacity) when np made it (its NodePool label), and
// returns node's name with it; otherwise np unchanged and "". That Node did
// not exist when Karpenter chose a NodePool for the pod, so it must not
// count against np's limits, as the pod's own requests do not count on its
// Node: without this, a pod whose Node took its NodePool to the limit would
// be told the NodePool cannot provision for it.
func withoutOwnNode(np NodePool, node *corev1.Node) (NodePool, string) {
	if node == nil || node.Labels[NodePoolLabel] != np.Name || len(np.Used) == 0 {
		return np, ""
	}
	used := make(corev1.ResourceList, len(np.Used))
	for name, q := range np.Used {
		q = q.DeepCopy()
		switch c, ok := node.Status.Capacity[name]; {
		case name == nodesResource:
			q.Sub(*resource.NewQuantity(1, resource.DecimalSI))
		case ok:
			q.Sub(c)
		}
		if q.Sign() < 0 {
			q = *resource.NewQuantity(0, q.Format)
		}
		used[name] = q
	}
	np.Used = used
	return np, node.Name
}
