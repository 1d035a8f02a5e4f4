package scenarios_test

import (
	"context"
	"hash/fnv"
	"regexp"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// zones are the harness's zones, in the order the policies list them.
var zones = cluster.DefaultZones

// sameZone is the zone sameZoneBy picks for a label value: FNV-1a (32 bit)
// of the value modulo the length of the zone list.
func sameZone(value string, list []string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(value))
	return list[h.Sum32()%uint32(len(list))]
}

// checkPlacements records each pod's placement in r and a failure for each
// pod not in wantPool (and wantZone, unless empty). It returns the
// placements.
func checkPlacements(ctx context.Context, r *result, pods []corev1.Pod, wantPool, wantZone string) ([]scenarios.Placement, error) {
	placements, err := env.Placements(ctx, pods)
	if err != nil {
		return nil, err
	}
	for _, p := range placements {
		r.placed(p.Pool, p.Zone)
		if p.Pool != wantPool {
			r.errorf("pod %s/%s on node %s: pool %q, want %q", p.Namespace, p.Pod, p.Node, p.Pool, wantPool)
		}
		if wantZone != "" && p.Zone != wantZone {
			r.errorf("pod %s/%s on node %s: zone %q, want %q", p.Namespace, p.Pod, p.Node, p.Zone, wantZone)
		}
	}
	return placements, nil
}

// tolerates reports whether pod has the pool toleration dedicated=value.
func tolerates(pod *corev1.Pod, value string) bool {
	return slices.ContainsFunc(pod.Spec.Tolerations, func(t corev1.Toleration) bool {
		return t.Key == cluster.DedicatedLabel && t.Operator == corev1.TolerationOpEqual &&
			t.Value == value && t.Effect == corev1.TaintEffectNoSchedule
	})
}

// requiredValues are the values of `key In [...]` in the pod's required
// node affinity terms (nil without any).
func requiredValues(pod *corev1.Pod, key string) []string {
	na := nodeAffinity(pod)
	if na == nil || na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	var out []string
	for _, term := range na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			if e.Key == key && e.Operator == corev1.NodeSelectorOpIn {
				out = append(out, e.Values...)
			}
		}
	}
	return out
}

// preferredWeights maps each value of a single-value `key In [value]`
// preferred term to its weight.
func preferredWeights(pod *corev1.Pod, key string) map[string]int32 {
	out := map[string]int32{}
	na := nodeAffinity(pod)
	if na == nil {
		return out
	}
	for _, term := range na.PreferredDuringSchedulingIgnoredDuringExecution {
		for _, e := range term.Preference.MatchExpressions {
			if e.Key == key && e.Operator == corev1.NodeSelectorOpIn && len(e.Values) == 1 {
				out[e.Values[0]] = term.Weight
			}
		}
	}
	return out
}

// nodeAffinity is the pod's node affinity, or nil.
func nodeAffinity(pod *corev1.Pod) *corev1.NodeAffinity {
	if pod.Spec.Affinity == nil {
		return nil
	}
	return pod.Spec.Affinity.NodeAffinity
}

// sizeLimit is the sizeLimit of the pod's emptyDir volume name ("" if none).
func sizeLimit(pod *corev1.Pod, name string) string {
	for _, v := range pod.Spec.Volumes {
		if v.Name == name && v.EmptyDir != nil && v.EmptyDir.SizeLimit != nil {
			return v.EmptyDir.SizeLimit.String()
		}
	}
	return ""
}

// initContainerNames lists the pod's init containers by name.
func initContainerNames(pod *corev1.Pod) []string {
	var out []string
	for _, c := range pod.Spec.InitContainers {
		out = append(out, c.Name)
	}
	return out
}

// initImages lists the images of the pod's init containers.
func initImages(pod *corev1.Pod) []string {
	var out []string
	for _, c := range pod.Spec.InitContainers {
		out = append(out, c.Image)
	}
	return out
}

// untouched lists what poolpatch would have added to pod: nil for a pod
// the webhook never saw (or left alone).
func untouched(pod *corev1.Pod) []string {
	var found []string
	if v, ok := pod.Annotations[scenarios.PoliciesAnnotation]; ok {
		found = append(found, "annotation "+scenarios.PoliciesAnnotation+"="+v)
	}
	for _, pool := range []string{cluster.PoolSpecial, cluster.PoolFallback} {
		if tolerates(pod, pool) {
			found = append(found, "toleration for "+pool)
		}
	}
	if len(pod.Spec.InitContainers) > 0 {
		found = append(found, "init containers")
	}
	if l := sizeLimit(pod, scenarios.ScratchVolume); l != "" {
		found = append(found, "sizeLimit "+l)
	}
	if requiredValues(pod, cluster.DedicatedLabel) != nil {
		found = append(found, "required pool affinity")
	}
	return found
}

// placementFailure matches the failures checkPlacements records.
var placementFailure = regexp.MustCompile(`on node \S+: (pool|zone) "`)
