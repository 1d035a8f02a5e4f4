package scenarios_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
)

// wantPods is how many pods the controllers make here for a workload: its
// replicas; a Job's parallelism (at most its completions); for an
// OrderedReady StatefulSet only the first, since the next waits for it to be
// Ready and no kubelet runs it; for a DaemonSet one per Node it tolerates.
func wantPods(ctx context.Context, u *unstructured.Unstructured) (int, error) {
	switch u.GetKind() {
	case "Deployment", "ReplicaSet":
		return field(u.Object, 1, "spec", "replicas"), nil
	case "StatefulSet":
		if policy, _, _ := unstructured.NestedString(u.Object, "spec", "podManagementPolicy"); policy != "Parallel" {
			return 1, nil
		}
		return field(u.Object, 1, "spec", "replicas"), nil
	case "Job":
		return jobSpecPods(u.Object, "spec"), nil
	case "CronJob":
		return jobSpecPods(u.Object, "spec", "jobTemplate", "spec"), nil
	case "DaemonSet":
		return toleratedNodes(ctx, u)
	}
	return 1, nil
}

// field is the integer at path, or def when unset.
func field(obj map[string]any, def int, path ...string) int {
	v, found, err := unstructured.NestedInt64(obj, path...)
	if !found || err != nil {
		return def
	}
	return int(v)
}

// jobSpecPods is a Job spec's parallelism, at most its completions.
func jobSpecPods(obj map[string]any, spec ...string) int {
	n := field(obj, 1, append(spec, "parallelism")...)
	return min(n, field(obj, n, append(spec, "completions")...))
}

// toleratedNodes counts the Nodes whose NoSchedule and NoExecute taints the
// DaemonSet's template tolerates (the fake Nodes match any OS selector).
func toleratedNodes(ctx context.Context, u *unstructured.Unstructured) (int, error) {
	tmpl := map[string]any{}
	if t, ok, _ := unstructured.NestedMap(u.Object, "spec", "template"); ok {
		tmpl = t
	}
	var pod corev1.PodTemplateSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(tmpl, &pod); err != nil {
		return 0, fmt.Errorf("daemonset template: %w", err)
	}
	var nodes corev1.NodeList
	if err := env.Cluster.Client().List(ctx, &nodes); err != nil {
		return 0, fmt.Errorf("list nodes: %w", err)
	}
	n := 0
	for _, node := range nodes.Items {
		if toleratesAll(pod.Spec.Tolerations, node.Spec.Taints) {
			n++
		}
	}
	return n, nil
}

// toleratesAll reports whether tolerations tolerate every NoSchedule and
// NoExecute taint.
func toleratesAll(tolerations []corev1.Toleration, taints []corev1.Taint) bool {
	for i := range taints {
		if taints[i].Effect == corev1.TaintEffectPreferNoSchedule {
			continue
		}
		tolerated := false
		for _, t := range tolerations {
			if t.ToleratesTaint(klog.Background(), &taints[i], false) {
				tolerated = true
				break
			}
		}
		if !tolerated {
			return false
		}
	}
	return true
}
