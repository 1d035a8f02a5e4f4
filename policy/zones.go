package policy

import (
	"fmt"
	"hash/fnv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// mutateZones confines the pod to the allowed zones, adds the weighted zone
// preferences, and gathers the pods that share the sameZoneBy label in one
// zone; when the same policy wrote the pod's pool terms as a ladder, those
// carry the zone preferences instead (ladder.go). A pod that names the zone
// key itself keeps its zones.
func mutateZones(m *mutation) bool {
	z := m.policy.spec.Zones
	if z == nil || !m.claim() {
		return false
	}
	key := m.policy.zoneKey
	allowed := allowedZoneExpression(m.policy)
	if chosen, _, _ := selfSelected(m.pod, key, allowed); chosen {
		m.skip(SkipPodChoseZone, "pod selects its own "+key)
		return false
	}
	changed := false
	if allowed != nil && m.addRequiredExpression(*allowed) {
		m.changed(fmt.Sprintf("required %s In [%s]", key, strings.Join(z.Allowed, ",")))
		changed = true
	}
	if len(ladderZones(m)) > 0 {
		return changed // the pool terms carry the zone preferences (ladder.go)
	}
	var wanted zoneTerms
	for _, pref := range z.Preferred {
		if wanted.add(m, preferredTerm(pref.Weight, inExpression(key, pref.Name))) {
			m.changed(fmt.Sprintf("preferred %s=%s weight %d", key, pref.Name, pref.Weight))
			changed = true
		}
	}
	return gatherInOneZone(m, &wanted) || changed
}

// zoneTerms are the preferred terms the zones setting wants, in order. A
// term from one source (a zone preference) does not stand for an equal term
// from another (the job's hashed zone): each is present only when the pod
// has as many equal terms as the setting wants.
type zoneTerms []corev1.PreferredSchedulingTerm

func (z *zoneTerms) add(m *mutation, term corev1.PreferredSchedulingTerm) bool {
	nth := 1
	for _, t := range *z {
		if equality.Semantic.DeepEqual(t, term) {
			nth++
		}
	}
	*z = append(*z, term)
	return m.addPreferredTerm(term, nth)
}

// gatherInOneZone prefers one zone for every pod sharing the sameZoneBy
// label's value: the value's FNV-1a hash picks it from the zone list, so each
// pod decides alone, yet all of a job's pods decide alike. Without a zone
// list, a pod-affinity preference does the same, at a higher price for the
// scheduler.
func gatherInOneZone(m *mutation, wanted *zoneTerms) bool {
	z := m.policy.spec.Zones
	value, ok := m.pod.Labels[z.SameZoneBy]
	if z.SameZoneBy == "" || !ok {
		return false
	}
	key, weight := m.policy.zoneKey, m.policy.sameZoneWeight
	if zones := zoneList(z); len(zones) > 0 {
		zone := zones[sameZoneIndex(value, len(zones))]
		if wanted.add(m, preferredTerm(weight, inExpression(key, zone))) {
			m.changed(fmt.Sprintf("same zone for %s=%s: preferred %s=%s weight %d", z.SameZoneBy, value, key, zone, weight))
			return true
		}
		return false
	}
	term := corev1.WeightedPodAffinityTerm{
		Weight: weight,
		PodAffinityTerm: corev1.PodAffinityTerm{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{z.SameZoneBy: value}},
			TopologyKey:   key,
		},
	}
	if m.addPreferredPodAffinity(term) {
		m.changed(fmt.Sprintf("same zone for %s=%s: pod affinity on %s weight %d", z.SameZoneBy, value, key, weight))
		return true
	}
	return false
}

// zoneList is the list sameZoneBy picks from: allowed as written, else the
// preferred names as written.
func zoneList(z *Zones) []string {
	if len(z.Allowed) > 0 {
		return z.Allowed
	}
	names := make([]string, len(z.Preferred))
	for i, p := range z.Preferred {
		names[i] = p.Name
	}
	return names
}

func sameZoneIndex(value string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(value))
	return int(h.Sum32() % uint32(n))
}
