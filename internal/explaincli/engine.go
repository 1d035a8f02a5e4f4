package explaincli

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/policy"
)

// applyPolicies is the one call of the engine in explain: what the policies
// make of the pod.
func applyPolicies(pod *corev1.Pod, set *policy.Set, ns policy.Namespace) *policy.Result {
	return policy.Apply(pod, set, ns, policy.Options{RecordChanges: true})
}

// Cluster is the state a pod is explained against.
type Cluster struct {
	Nodes     []corev1.Node
	Pods      []corev1.Pod
	Services  []corev1.Service
	NodePools []explain.NodePool
}

// Explain runs the engine on the pod and explains the result against the
// cluster. A stored pod (live) is scheduled as it is; the engine sees it
// unbound, since it never mutates bound pods and the question is what the
// policies make of it.
func Explain(pod *corev1.Pod, set *policy.Set, ns policy.Namespace, c Cluster, stored bool) explain.Report {
	engineView := pod
	if pod.Spec.NodeName != "" {
		engineView = pod.DeepCopy()
		engineView.Spec.NodeName = ""
	}
	res := applyPolicies(engineView, set, ns)
	return explain.Explain(explain.Input{
		Pod: pod, Result: res, Stored: stored, Policies: set.Explain(pod.Labels, ns),
		Nodes: c.Nodes, Pods: c.Pods, Services: c.Services, NodePools: c.NodePools,
	})
}

// Namespace is what the engine knows of a namespace from its labels, with
// kubernetes.io/metadata.name set as the API server sets it.
func Namespace(name string, labels map[string]string) policy.Namespace {
	return policy.NamespaceOf(name, labels, nil)
}
