package scenarios_test

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/internal/manifest"
)

// ownedPodsWait bounds the wait for a workload's controller to make a pod.
const ownedPodsWait = 30 * time.Second

// createObject creates obj as written and returns the stored object.
func createObject(ctx context.Context, obj manifest.Object) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(obj)}
	if err := env.Cluster.Client().Create(ctx, u); err != nil {
		return nil, fmt.Errorf("create %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return u, nil
}

// asPod converts a stored Pod.
func asPod(u *unstructured.Unstructured) (*corev1.Pod, error) {
	pod := &corev1.Pod{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, pod); err != nil {
		return nil, fmt.Errorf("stored pod %s: %w", u.GetName(), err)
	}
	return pod, nil
}

// ownedPods waits until the controllers have made at least n pods for the
// workload with uid (through its ReplicaSets or Jobs) and returns them.
func ownedPods(ctx context.Context, namespace string, uid types.UID, n int) ([]corev1.Pod, error) {
	var pods []corev1.Pod
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, ownedPodsWait, true, func(ctx context.Context) (bool, error) {
		owners, err := ownerUIDs(ctx, namespace, uid)
		if err != nil {
			return false, err
		}
		var list corev1.PodList
		if err := env.Cluster.Client().List(ctx, &list, client.InNamespace(namespace)); err != nil {
			return false, fmt.Errorf("list pods: %w", err)
		}
		pods = pods[:0]
		for _, p := range list.Items {
			if ref := metav1ControllerOf(p.OwnerReferences); ref != "" && owners[ref] {
				pods = append(pods, p)
			}
		}
		return len(pods) >= n, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%d of %d pods made for %s in %s: %w", len(pods), n, uid, namespace, err)
	}
	return pods, nil
}

// ownerUIDs is uid plus the ReplicaSets and Jobs it controls.
func ownerUIDs(ctx context.Context, namespace string, uid types.UID) (map[types.UID]bool, error) {
	owners := map[types.UID]bool{uid: true}
	var sets appsv1.ReplicaSetList
	if err := env.Cluster.Client().List(ctx, &sets, client.InNamespace(namespace)); err != nil {
		return nil, fmt.Errorf("list replicasets: %w", err)
	}
	for _, s := range sets.Items {
		if owners[metav1ControllerOf(s.OwnerReferences)] {
			owners[s.UID] = true
		}
	}
	var jobs batchv1.JobList
	if err := env.Cluster.Client().List(ctx, &jobs, client.InNamespace(namespace)); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	for _, j := range jobs.Items {
		if owners[metav1ControllerOf(j.OwnerReferences)] {
			owners[j.UID] = true
		}
	}
	return owners, nil
}

// metav1ControllerOf is the UID of the controller among refs ("" if none).
func metav1ControllerOf(refs []metav1.OwnerReference) types.UID {
	for _, r := range refs {
		if r.Controller != nil && *r.Controller {
			return r.UID
		}
	}
	return ""
}

// podsOf returns the stored pods of a created object: the Pod itself, or
// the pods its controllers made (a CronJob's through a Job created from it
// as `kubectl create job --from=cronjob/NAME` does, since its schedule is
// hours away). daemonPods says whether the DaemonSet controller made them.
func podsOf(ctx context.Context, stored *unstructured.Unstructured) (pods []corev1.Pod, daemonPods bool, err error) {
	switch stored.GetKind() {
	case "Pod":
		pod, err := asPod(stored)
		if err != nil {
			return nil, false, err
		}
		return []corev1.Pod{*pod}, false, nil
	case "CronJob":
		_, err := env.Kubectl(ctx, nil, "create", "job", stored.GetName()+"-e2e",
			"--from=cronjob/"+stored.GetName(), "--namespace", stored.GetNamespace())
		if err != nil {
			return nil, false, err
		}
	}
	n, err := wantPods(ctx, stored)
	if err != nil {
		return nil, false, err
	}
	pods, err = ownedPods(ctx, stored.GetNamespace(), stored.GetUID(), n)
	return pods, stored.GetKind() == "DaemonSet", err
}
