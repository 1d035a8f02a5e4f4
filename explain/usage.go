package explain

import (
	corev1 "k8s.io/api/core/v1"
)

// Usage is what the pods bound to each Node request, as the scheduler's
// cache counts them. It lets a caller outside explain, the rebalancer,
// ask the same filters explain reports with, and reserve room on a Node
// for a pod it is about to move there.
type Usage struct {
	byNode map[string]*usage
}

// BoundUsage adds up the pods bound to Nodes, skipping finished pods.
func BoundUsage(pods []*corev1.Pod) Usage {
	u := Usage{byNode: map[string]*usage{}}
	for _, p := range pods {
		if p.Spec.NodeName != "" && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			u.Reserve(p, p.Spec.NodeName)
		}
	}
	return u
}

// Reserve counts pod as bound to the Node named node.
func (u Usage) Reserve(pod *corev1.Pod, node string) {
	n := u.byNode[node]
	if n == nil {
		n = &usage{requested: corev1.ResourceList{}, nonZero: corev1.ResourceList{}}
		u.byNode[node] = n
	}
	n.pods++
	addTo(n.requested, podRequests(pod))
	addTo(n.nonZero, podNonZeroRequests(pod))
}

// Unfit runs the scheduler's filters that explain reports (cordon, taints,
// required node affinity, resources) for pod on node, and returns the first
// that fails, worded as explain prints it, or "" when the pod fits.
func (u Usage) Unfit(pod *corev1.Pod, node *corev1.Node) string {
	return filterNode(pod, node, u.byNode[node.Name], podRequests(pod), "").reason
}
