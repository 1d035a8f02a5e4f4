package explain

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/poolpatch/poolpatch/policy"
)

// Explain answers where in.Pod can run and why. It never modifies its input.
func Explain(in Input) Report {
	pod := in.Pod
	if in.Result != nil && in.Result.Pod != nil && !in.Stored {
		pod = in.Result.Pod
	}
	r := Report{Pod: in.Pod.Namespace + "/" + podName(in.Pod), BoundTo: in.Pod.Spec.NodeName, Policies: in.Policies}
	if r.Policies == nil {
		r.Policies = []policy.PolicyMatch{}
	}
	r.Settings = settingLines(in.Result)
	if in.Result != nil {
		r.Excluded = in.Result.Excluded
	}
	r.PoolKey, r.ZoneKey, in.Pools = groupKeys(in)
	r.Requests = podRequests(pod)
	r.Nodes = nodeLines(pod, in, r.ZoneKey, r.PoolKey)
	if len(in.NodePools) > 0 {
		r.NodePools = explainNodePools(pod, in.NodePools, r.Requests, boundNode(in))
	}
	r.Verdict = verdict(pod, in, r)
	r.SchedulerSaid = schedulerMessage(in.Pod)
	return r
}

// boundNode is the Node in.Pod is bound to, nil if none or not among
// in.Nodes.
func boundNode(in Input) *corev1.Node {
	if in.Pod.Spec.NodeName == "" {
		return nil
	}
	for i := range in.Nodes {
		if in.Nodes[i].Name == in.Pod.Spec.NodeName {
			return &in.Nodes[i]
		}
	}
	return nil
}

func podName(pod *corev1.Pod) string {
	if pod.Name == "" && pod.GenerateName != "" {
		return pod.GenerateName + "*"
	}
	return pod.Name
}

// groupKeys picks the labels that group Nodes: the input's, else those of
// the first matched Enforce policy with pools, else the defaults.
func groupKeys(in Input) (poolKey, zoneKey string, pools []string) {
	poolKey, zoneKey, pools = in.PoolKey, in.ZoneKey, in.Pools
	for _, m := range in.Policies {
		if m.Matched && m.Mode != policy.ModeAudit && len(m.Pools) > 0 {
			if poolKey == "" {
				poolKey, zoneKey = m.PoolKey, orDefault(zoneKey, m.ZoneKey)
			}
			if pools == nil {
				pools = m.Pools
			}
			break
		}
	}
	return orDefault(poolKey, policy.DefaultPoolKey), orDefault(zoneKey, policy.DefaultZoneKey), pools
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// settingLines lists what the engine added, would add in Audit mode,
// skipped, and warned about.
func settingLines(res *policy.Result) []SettingLine {
	out := []SettingLine{}
	if res == nil {
		return out
	}
	for _, c := range res.Changes {
		out = append(out, SettingLine{Policy: c.Policy, Setting: string(c.Setting), Kind: "added", Detail: c.Detail})
	}
	for _, c := range res.AuditChanges {
		out = append(out, SettingLine{Policy: c.Policy, Setting: string(c.Setting), Kind: "audit", Detail: c.Detail})
	}
	for _, s := range res.Skips {
		out = append(out, SettingLine{Policy: s.Policy, Setting: string(s.Setting), Kind: "skipped", Detail: string(s.Reason)})
	}
	for _, w := range res.Warnings {
		out = append(out, SettingLine{Kind: "warning", Detail: w})
	}
	return out
}

// nodeLines filters and scores every Node, best first: the feasible ones by
// NodeAffinity score, then the others, each by pool order, zone and name.
func nodeLines(pod *corev1.Pod, in Input, zoneKey, poolKey string) []NodeLine {
	used := usageByNode(in.Pods, in.Pod)
	requests, nonZero := podRequests(pod), podNonZeroRequests(pod)
	preferred, prefErr := nodeaffinity.NewPreferredSchedulingTerms(policy.PreferredTerms(pod))
	lines := make([]NodeLine, len(in.Nodes))
	var feasible []int
	var raw, prefer []int64
	for i := range in.Nodes {
		node := &in.Nodes[i]
		l := NodeLine{Node: node.Name, Pool: labelOr(node, poolKey), Zone: labelOr(node, zoneKey)}
		f := filterNode(pod, node, used[node.Name], requests, zoneKey)
		l.Reason, l.SchedulerReasons, l.OnlyResources = f.reason, f.schedulerReasons, f.onlyResources
		if prefErr == nil && (f.reason == "" || f.onlyResources) {
			l.Raw = preferred.Score(node)
		}
		if f.reason == "" {
			l.Feasible = true
			l.LeastAllocated = leastAllocated(node, used[node.Name], nonZero)
			feasible = append(feasible, i)
			raw = append(raw, l.Raw)
			prefer = append(prefer, preferNoScheduleCount(pod, node))
		}
		lines[i] = l
	}
	scores, taints := NormalizeScores(raw, false), NormalizeScores(prefer, true)
	var top int64 = -1
	for k, i := range feasible {
		lines[i].Score, lines[i].taint = scores[k], taints[k]
		top = max(top, scores[k])
	}
	for _, i := range feasible {
		lines[i].Best = lines[i].Score == top
	}
	sortLines(lines, in.Pools)
	return lines
}

func labelOr(node *corev1.Node, key string) string {
	if v, ok := node.Labels[key]; ok {
		return v
	}
	return "-"
}

func sortLines(lines []NodeLine, pools []string) {
	rank := func(pool string) int {
		for i, p := range pools {
			if p == pool {
				return i
			}
		}
		if pool == "-" {
			return len(pools) + 1
		}
		return len(pools)
	}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		switch {
		case a.Feasible != b.Feasible:
			return a.Feasible
		case a.Score != b.Score:
			return a.Score > b.Score
		case rank(a.Pool) != rank(b.Pool):
			return rank(a.Pool) < rank(b.Pool)
		case a.Pool != b.Pool:
			return a.Pool < b.Pool
		case a.Zone != b.Zone:
			return a.Zone < b.Zone
		}
		return a.Node < b.Node
	})
}

// unschedulableMessage is the scheduler's "0/N nodes are available" message
// for the Nodes' reasons: each reason counted, sorted, comma-separated.
func unschedulableMessage(lines []NodeLine) string {
	counts := map[string]int{}
	for _, l := range lines {
		for _, r := range l.SchedulerReasons {
			counts[r]++
		}
	}
	var parts []string
	for reason, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(parts)
	msg := fmt.Sprintf("0/%d nodes are available", len(lines))
	if len(parts) > 0 {
		msg += ": " + joinComma(parts) + "."
	}
	return msg
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}

// schedulerMessage is the message of the pod's PodScheduled=False
// condition, or "".
func schedulerMessage(pod *corev1.Pod) string {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			return c.Message
		}
	}
	return ""
}
