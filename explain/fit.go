package explain

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// shortage is one resource the Node lacks for the pod.
type shortage struct {
	reason string // as the scheduler words it: "Insufficient cpu"
	detail string // with the numbers: "cpu short 500m (requests 2, free 1500m of 32)"
}

// insufficient is the NodeResourcesFit filter: the pod count, then every
// resource the pod requests, against the Node's allocatable less what the
// bound pods request.
func insufficient(node *corev1.Node, u *usage, requests corev1.ResourceList) []shortage {
	if u == nil {
		u = &usage{requested: corev1.ResourceList{}}
	}
	var out []shortage
	alloc := node.Status.Allocatable
	if allowed := alloc.Pods().Value(); int64(u.pods)+1 > allowed {
		out = append(out, shortage{reason: ReasonTooManyPods,
			detail: fmt.Sprintf("too many pods (%d bound, %d allowed)", u.pods, allowed)})
	}
	for _, name := range resourceNames(requests) {
		want := requests[name]
		if name == corev1.ResourcePods || want.IsZero() {
			continue
		}
		free := alloc[name].DeepCopy()
		free.Sub(u.requested[name])
		if want.Cmp(free) <= 0 {
			continue
		}
		short := want.DeepCopy()
		short.Sub(free)
		total := alloc[name]
		out = append(out, shortage{reason: "Insufficient " + string(name),
			detail: fmt.Sprintf("%s short %s (requests %s, free %s of %s)", name, qty(short), qty(want), qty(free), qty(total))})
	}
	return out
}

// resourceNames orders a request as the scheduler checks it: cpu, memory,
// ephemeral-storage, then the rest by name.
func resourceNames(list corev1.ResourceList) []corev1.ResourceName {
	rank := map[corev1.ResourceName]int{corev1.ResourceCPU: 0, corev1.ResourceMemory: 1, corev1.ResourceEphemeralStorage: 2}
	names := make([]corev1.ResourceName, 0, len(list))
	for name := range list {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, iok := rank[names[i]]
		rj, jok := rank[names[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return names[i] < names[j]
	})
	return names
}

func qty(q resource.Quantity) string {
	if q.Sign() < 0 {
		return "0"
	}
	return q.String()
}

// leastAllocated is the NodeResourcesFit score (LeastAllocated, CPU and
// memory weighted 1 each) after placing the pod, from the requests the
// scheduler scores with (non-zero defaults for containers without any).
func leastAllocated(node *corev1.Node, u *usage, podNonZero corev1.ResourceList) int64 {
	var sum, weights int64
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		capacity := node.Status.Allocatable[name]
		if capacity.IsZero() {
			continue
		}
		requested := podNonZero[name].DeepCopy()
		if u != nil {
			requested.Add(u.nonZero[name])
		}
		c, r := capacity.MilliValue(), requested.MilliValue()
		if name == corev1.ResourceMemory {
			c, r = capacity.Value(), requested.Value()
		}
		score := int64(0)
		if r <= c {
			score = (c - r) * 100 / c
		}
		sum += score
		weights++
	}
	if weights == 0 {
		return 0
	}
	return sum / weights
}
