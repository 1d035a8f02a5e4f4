package cluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultScheduleTimeout bounds WaitScheduled when ctx has no deadline.
const DefaultScheduleTimeout = 30 * time.Second

// WaitScheduled waits until the scheduler has bound the pod to a Node and
// returns the stored pod. It fails fast with the scheduler's reason when the
// pod is reported Unschedulable for longer than the timeout allows.
func (c *Cluster) WaitScheduled(ctx context.Context, key client.ObjectKey) (*corev1.Pod, error) {
	pod := &corev1.Pod{}
	err := wait.PollUntilContextTimeout(ctx, pollEvery, DefaultScheduleTimeout, true, func(ctx context.Context) (bool, error) {
		if err := c.cl.Get(ctx, key, pod); err != nil {
			return false, fmt.Errorf("get pod %s: %w", key, err)
		}
		return pod.Spec.NodeName != "", nil
	})
	if err != nil {
		return pod, fmt.Errorf("pod %s not scheduled (%s): %w", key, unschedulableReason(pod), err)
	}
	return pod, nil
}

// WaitUnschedulable waits until the scheduler reports the pod Unschedulable
// and returns its message.
func (c *Cluster) WaitUnschedulable(ctx context.Context, key client.ObjectKey) (string, error) {
	pod := &corev1.Pod{}
	err := wait.PollUntilContextTimeout(ctx, pollEvery, DefaultScheduleTimeout, true, func(ctx context.Context) (bool, error) {
		if err := c.cl.Get(ctx, key, pod); err != nil {
			return false, fmt.Errorf("get pod %s: %w", key, err)
		}
		if pod.Spec.NodeName != "" {
			return false, fmt.Errorf("pod %s was scheduled to %s", key, pod.Spec.NodeName)
		}
		return unschedulableReason(pod) != "", nil
	})
	if err != nil {
		return "", fmt.Errorf("pod %s not reported unschedulable: %w", key, err)
	}
	return unschedulableReason(pod), nil
}

// unschedulableReason is the message of the pod's PodScheduled=False
// condition, or "".
func unschedulableReason(pod *corev1.Pod) string {
	for _, cond := range pod.Status.Conditions {
		if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse {
			return cond.Message
		}
	}
	return ""
}

// NodeOf returns the Node the pod is bound to.
func (c *Cluster) NodeOf(ctx context.Context, pod *corev1.Pod) (*corev1.Node, error) {
	if pod.Spec.NodeName == "" {
		return nil, fmt.Errorf("pod %s/%s is not scheduled", pod.Namespace, pod.Name)
	}
	node := &corev1.Node{}
	if err := c.cl.Get(ctx, client.ObjectKey{Name: pod.Spec.NodeName}, node); err != nil {
		return nil, fmt.Errorf("node of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return node, nil
}

// PoolOf is the harness pool of a Node ("" for a Node the harness did not
// create).
func PoolOf(node *corev1.Node) string {
	return node.Labels[PoolLabel]
}

// ZoneOf is the zone of a Node.
func ZoneOf(node *corev1.Node) string {
	return node.Labels[ZoneLabel]
}
