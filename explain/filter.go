package explain

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
	schedcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"

	"github.com/poolpatch/poolpatch/policy"
)

// The reasons the scheduler's filter plugins give, as its "0/N nodes are
// available" message counts them (kube-scheduler 1.37).
const (
	ReasonUnschedulable = "node(s) were unschedulable"
	ReasonTaint         = "node(s) had untolerated taint(s)"
	ReasonAffinity      = "node(s) didn't match Pod's node affinity/selector"
	ReasonTooManyPods   = "Too many pods"
)

// usage is what the pods bound to one Node take from it.
type usage struct {
	pods int
	// requested sums resourcehelper.PodRequests, as the fit filter does;
	// nonZero counts 100m CPU and 200Mi memory for containers that request
	// none, as the scheduler's resource scores do.
	requested, nonZero corev1.ResourceList
}

// The requests the scheduler assumes for containers without any, when it
// scores (k8s.io/kubernetes pkg/scheduler/util DefaultMilliCPURequest and
// DefaultMemoryRequest).
var nonZeroDefaults = corev1.ResourceList{
	corev1.ResourceCPU:    resource.MustParse("100m"),
	corev1.ResourceMemory: resource.MustParse("200Mi"),
}

func podRequests(pod *corev1.Pod) corev1.ResourceList {
	return resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
}

func podNonZeroRequests(pod *corev1.Pod) corev1.ResourceList {
	return resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{NonMissingContainerRequests: nonZeroDefaults})
}

// usageByNode adds up the pods bound to each Node, skipping finished pods
// (the scheduler's cache holds none) and the explained pod itself.
func usageByNode(pods []corev1.Pod, self *corev1.Pod) map[string]*usage {
	bound := make([]*corev1.Pod, 0, len(pods))
	for i := range pods {
		if !samePod(&pods[i], self) {
			bound = append(bound, &pods[i])
		}
	}
	return BoundUsage(bound).byNode
}

func samePod(a, b *corev1.Pod) bool {
	if a.UID != "" && b.UID != "" {
		return a.UID == b.UID
	}
	return a.Name != "" && a.Name == b.Name && a.Namespace == b.Namespace
}

func addTo(sum, add corev1.ResourceList) {
	for name, q := range add {
		v := sum[name]
		v.Add(q)
		sum[name] = v
	}
}

// filterResult is the outcome of the scheduler's filters on one Node.
type filterResult struct {
	reason           string
	schedulerReasons []string
	onlyResources    bool
}

// filterNode runs the filters that decide placement in poolpatch's world,
// in the scheduler's order, and stops at the first that fails, as the
// scheduler does: NodeUnschedulable, TaintToleration, NodeAffinity,
// NodeResourcesFit.
func filterNode(pod *corev1.Pod, node *corev1.Node, u *usage, requests corev1.ResourceList, zoneKey string) filterResult {
	logger := klog.Background()
	if node.Spec.Unschedulable && !schedcorev1.TolerationsTolerateTaint(logger, pod.Spec.Tolerations,
		&corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}, false) {
		return filterResult{reason: "node is cordoned (unschedulable)", schedulerReasons: []string{ReasonUnschedulable}}
	}
	if taint, found := schedcorev1.FindMatchingUntoleratedTaint(logger, node.Spec.Taints, pod.Spec.Tolerations,
		doNotSchedule, false); found {
		return filterResult{reason: "untolerated taint " + describeTaint(taint), schedulerReasons: []string{ReasonTaint}}
	}
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); !ok {
		reason := unmetAffinity(pod, node, zoneKey)
		if err != nil {
			reason = fmt.Sprintf("required node affinity invalid: %v", err)
		}
		return filterResult{reason: reason, schedulerReasons: []string{ReasonAffinity}}
	}
	if short := insufficient(node, u, requests); len(short) > 0 {
		res := filterResult{reason: "does not fit: " + short[0].detail, onlyResources: true}
		for _, s := range short {
			res.schedulerReasons = append(res.schedulerReasons, s.reason)
		}
		return res
	}
	return filterResult{}
}

// doNotSchedule selects the taints the scheduler's filter looks at.
func doNotSchedule(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

func describeTaint(t corev1.Taint) string {
	if t.Value == "" {
		return fmt.Sprintf("%s:%s", t.Key, t.Effect)
	}
	return fmt.Sprintf("%s=%s:%s", t.Key, t.Value, t.Effect)
}

// unmetAffinity names what of the pod's nodeSelector or required terms the
// Node fails, testing each expression alone with the scheduler's matcher.
func unmetAffinity(pod *corev1.Pod, node *corev1.Node, zoneKey string) string {
	for _, k := range sortedKeys(pod.Spec.NodeSelector) {
		if node.Labels[k] != pod.Spec.NodeSelector[k] {
			return fmt.Sprintf("nodeSelector %s=%s unmet (node has %s)", k, pod.Spec.NodeSelector[k], labelValue(node, k))
		}
	}
	terms := policy.RequiredTerms(pod)
	var unmet []string
	for _, term := range terms {
		for _, expr := range term.MatchExpressions {
			one := &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{expr}}}}
			if ok, _ := nodeaffinity.NewLazyErrorNodeSelector(one).Match(node); !ok {
				unmet = append(unmet, describeUnmet(expr, node, zoneKey))
				break
			}
		}
	}
	switch {
	case len(unmet) == 0:
		return "required node affinity unmet"
	case len(terms) == 1:
		return unmet[0]
	default:
		return fmt.Sprintf("none of the %d required terms met: %s", len(terms), strings.Join(unmet, "; "))
	}
}

func describeUnmet(expr corev1.NodeSelectorRequirement, node *corev1.Node, zoneKey string) string {
	what := fmt.Sprintf("%s %s [%s]", expr.Key, expr.Operator, strings.Join(expr.Values, ","))
	if expr.Key == zoneKey && expr.Operator == corev1.NodeSelectorOpIn {
		return fmt.Sprintf("zone not allowed: %s (required %s)", labelValue(node, expr.Key), what)
	}
	return fmt.Sprintf("required %s unmet (node has %s)", what, labelValue(node, expr.Key))
}

func labelValue(node *corev1.Node, key string) string {
	if v, ok := node.Labels[key]; ok {
		return key + "=" + v
	}
	return "no " + key
}
