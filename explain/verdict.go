package explain

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// maxNamed bounds the Nodes a verdict names.
const maxNamed = 4

// verdict sums the report up: the best Nodes and whether other scores may
// choose another, or why nothing fits and what would have to grow.
func verdict(pod *corev1.Pod, in Input, r Report) Verdict {
	v := Verdict{NotEvaluated: notEvaluated(pod)}
	var best []NodeLine
	for _, l := range r.Nodes {
		if l.Best {
			best = append(best, l)
			v.Best = append(v.Best, l.Node)
		}
	}
	if len(best) == 0 {
		v.Unschedulable = unschedulableMessage(r.Nodes)
		v.Grow = grow(r)
		v.Text = "nothing fits: " + v.Unschedulable
		if v.Grow != "" {
			v.Text += " " + v.Grow
		}
		return withCaveats(v)
	}
	v.Fits = true
	nodes := make([]*corev1.Node, len(in.Nodes))
	for i := range in.Nodes {
		nodes[i] = &in.Nodes[i]
	}
	swing, names := otherScores(pod, in.Services, nodes)
	v.OtherScores = mayOutweigh(r.Nodes, swing, names)
	v.Text = fmt.Sprintf("schedule on %s (%s; NodeAffinity %d, raw %d)", nameList(v.Best), poolsZones(best), best[0].Score, best[0].Raw)
	if r.BoundTo != "" {
		v.Text += "; " + boundCheck(r)
	}
	if v.OtherScores != "" {
		v.Text += "; other scores may decide: " + v.OtherScores
	}
	return withCaveats(v)
}

func withCaveats(v Verdict) Verdict {
	if len(v.NotEvaluated) > 0 {
		v.Text += "; not evaluated: " + strings.Join(v.NotEvaluated, ", ")
	}
	return v
}

// notEvaluated lists the filters the pod is subject to that explain does
// not run: they can only remove Nodes from the feasible ones.
func notEvaluated(pod *corev1.Pod) []string {
	var out []string
	if a := pod.Spec.Affinity; a != nil && (a.PodAffinity != nil && len(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution) > 0 ||
		a.PodAntiAffinity != nil && len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) > 0) {
		out = append(out, "required pod affinity")
	}
	for _, c := range pod.Spec.TopologySpreadConstraints {
		if c.WhenUnsatisfiable == corev1.DoNotSchedule {
			out = append(out, "topology spread constraints")
			break
		}
	}
	for _, c := range pod.Spec.Containers {
		if slicesContainsHostPort(c.Ports) {
			out = append(out, "host ports")
			break
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil || v.Ephemeral != nil {
			out = append(out, "volumes")
			break
		}
	}
	return out
}

func slicesContainsHostPort(ports []corev1.ContainerPort) bool {
	for _, p := range ports {
		if p.HostPort != 0 {
			return true
		}
	}
	return false
}

func nameList(names []string) string {
	if len(names) <= maxNamed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNamed], ", "), len(names)-maxNamed)
}

// poolsZones names the pools and zones of lines: "pool special01, zones
// zone-a, zone-b".
func poolsZones(lines []NodeLine) string {
	var pools, zones []string
	for _, l := range lines {
		pools, zones = appendNew(pools, l.Pool), appendNew(zones, l.Zone)
	}
	return plural("pool", pools) + ", " + plural("zone", zones)
}

func plural(word string, values []string) string {
	if len(values) == 1 {
		return word + " " + values[0]
	}
	return word + "s " + strings.Join(values, ", ")
}

// boundCheck compares the Node a bound pod runs on with the report.
func boundCheck(r Report) string {
	for _, l := range r.Nodes {
		if l.Node != r.BoundTo {
			continue
		}
		switch {
		case l.Best:
			return "bound to " + l.Node + ": feasible, among the best"
		case l.Feasible:
			return fmt.Sprintf("bound to %s: feasible, NodeAffinity %d (not the best)", l.Node, l.Score)
		}
		return "bound to " + l.Node + ": not feasible now (" + l.Reason + ")"
	}
	return "bound to " + r.BoundTo + ": not among the Nodes"
}

// grow says what would have to grow for the pod: the NodePool Karpenter
// would try first, else the pool whose Nodes lack only resources, the one
// the pod prefers most.
func grow(r Report) string {
	for _, np := range r.NodePools {
		if np.Order == 1 {
			return "NodePool " + np.NodePool + " would provision a Node for it."
		}
	}
	var pick *NodeLine
	for i := range r.Nodes {
		l := &r.Nodes[i]
		if l.OnlyResources && (pick == nil || l.Raw > pick.Raw) {
			pick = l
		}
	}
	if pick == nil {
		if len(r.NodePools) > 0 {
			return "No NodePool can provision for it, and every Node fails on more than resources."
		}
		return "Every Node fails on more than resources: no pool growing would help."
	}
	return fmt.Sprintf("Pool %s (%s=%s) would have to grow: its Nodes lack only resources (%s).",
		pick.Pool, r.PoolKey, pick.Pool, strings.Join(pick.SchedulerReasons, ", "))
}
