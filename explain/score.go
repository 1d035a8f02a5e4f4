package explain

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	schedcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

// MaxNodeScore is the highest score a scheduler plugin gives a Node.
const MaxNodeScore = 100

// The default weights of the scheduler's score plugins (kube-scheduler 1.37
// default profile) that can rank poolpatch's feasible Nodes differently.
const (
	weightNodeAffinity    = 2
	weightTaintToleration = 3
	weightSpreading       = 2
	weightInterPod        = 2
	// balancedSwing is how far the NodeResourcesBalancedAllocation score
	// (weight 1) can differ between two Nodes: it ranges over 50-100.
	balancedSwing = MaxNodeScore / 2
)

// NormalizeScores rescales raw scores to 0-MaxNodeScore per pod, as the
// scheduler does for NodeAffinity (and, reversed, TaintToleration): each
// score becomes MaxNodeScore*score/max in integer arithmetic, max being the
// highest raw score among the feasible Nodes; when every score is 0 they
// stay 0 (or all become MaxNodeScore when reversed).
func NormalizeScores(raw []int64, reverse bool) []int64 {
	out := make([]int64, len(raw))
	var highest int64
	for _, s := range raw {
		highest = max(highest, s)
	}
	for i, s := range raw {
		switch {
		case highest == 0 && reverse:
			out[i] = MaxNodeScore
		case highest == 0:
			out[i] = 0
		case reverse:
			out[i] = MaxNodeScore - MaxNodeScore*s/highest
		default:
			out[i] = MaxNodeScore * s / highest
		}
	}
	return out
}

// preferNoScheduleCount is the TaintToleration score's raw input: the
// PreferNoSchedule taints of the Node the pod does not tolerate.
func preferNoScheduleCount(pod *corev1.Pod, node *corev1.Node) int64 {
	var n int64
	for i := range node.Spec.Taints {
		t := &node.Spec.Taints[i]
		if t.Effect == corev1.TaintEffectPreferNoSchedule &&
			!schedcorev1.TolerationsTolerateTaint(klog.Background(), pod.Spec.Tolerations, t, false) {
			n++
		}
	}
	return n
}

// otherScores names the score plugins that can outweigh NodeAffinity for
// this pod whatever the Nodes' load: default topology spreading, inter-pod
// affinity, image locality. It returns their total weighted swing too.
func otherScores(pod *corev1.Pod, services []corev1.Service, nodes []*corev1.Node) (int64, []string) {
	var swing int64
	var names []string
	if why := spreadingApplies(pod, services); why != "" {
		swing += weightSpreading * MaxNodeScore
		names = append(names, "default topology spreading ("+why+")")
	}
	if a := pod.Spec.Affinity; a != nil && (a.PodAffinity != nil && len(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0 ||
		a.PodAntiAffinity != nil && len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0) {
		swing += weightInterPod * MaxNodeScore
		names = append(names, "preferred pod affinity")
	}
	for _, sc := range pod.Spec.TopologySpreadConstraints {
		if sc.WhenUnsatisfiable == corev1.ScheduleAnyway {
			swing += weightSpreading * MaxNodeScore
			names = append(names, "the pod's topology spread constraints")
			break
		}
	}
	if imagesCached(pod, nodes) {
		swing += MaxNodeScore
		names = append(names, "image locality")
	}
	return swing, names
}

// spreadingApplies says why the scheduler's default topology spreading
// scores this pod: it applies to pods a ReplicaSet, StatefulSet,
// ReplicationController or Service selects, and not to bare or Job pods.
func spreadingApplies(pod *corev1.Pod, services []corev1.Service) string {
	if len(pod.Spec.TopologySpreadConstraints) > 0 {
		return "" // the pod's own constraints replace the defaults
	}
	for _, ref := range pod.OwnerReferences {
		switch ref.Kind {
		case "ReplicaSet", "StatefulSet", "ReplicationController":
			return ref.Kind + " pod"
		}
	}
	for i := range services {
		s := &services[i]
		if s.Namespace == pod.Namespace && len(s.Spec.Selector) > 0 &&
			labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(pod.Labels)) {
			return "selected by Service " + s.Name
		}
	}
	return ""
}

func imagesCached(pod *corev1.Pod, nodes []*corev1.Node) bool {
	want := map[string]bool{}
	for _, c := range pod.Spec.Containers {
		want[c.Image] = true
	}
	for _, n := range nodes {
		for _, img := range n.Status.Images {
			for _, name := range img.Names {
				if want[name] {
					return true
				}
			}
		}
	}
	return false
}

// mayOutweigh says whether some feasible Node outside the best by
// NodeAffinity could still win on the scheduler's total: its weighted
// NodeAffinity deficit is at most what the other scores can make up (least
// allocated and TaintToleration as computed, balanced allocation's range,
// and the swing of the load-independent plugins). It names the first such
// Node, or returns "".
func mayOutweigh(lines []NodeLine, swing int64, swingNames []string) string {
	other := func(l NodeLine) int64 { return l.LeastAllocated + weightTaintToleration*l.taint }
	var strongest *NodeLine
	for i := range lines {
		if lines[i].Best && (strongest == nil || other(lines[i]) > other(*strongest)) {
			strongest = &lines[i]
		}
	}
	if strongest == nil {
		return ""
	}
	for _, l := range lines {
		if !l.Feasible || l.Best {
			continue
		}
		deficit := weightNodeAffinity * (strongest.Score - l.Score)
		if other(l)-other(*strongest)+balancedSwing+swing < deficit {
			continue
		}
		parts := []string{fmt.Sprintf("least allocated %+d", l.LeastAllocated-strongest.LeastAllocated),
			fmt.Sprintf("balanced allocation up to %d", balancedSwing)}
		if l.taint != strongest.taint {
			parts = append(parts, fmt.Sprintf("taint toleration %+d", weightTaintToleration*(l.taint-strongest.taint)))
		}
		parts = append(parts, swingNames...)
		return fmt.Sprintf("%s (NodeAffinity %d) trails by %d weighted points, which %s can make up",
			l.Node, l.Score, deficit, strings.Join(parts, ", "))
	}
	return ""
}
