package policy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// mutateZones confines the pod to the allowed zones, adds the weighted zone
// preferences, and gathers the pods that share the sameZoneBy label in one
// zone; when the same policy wrote the pod's pool terms as a ladder, those
// carry the zone preferences instead (ladder.go). A pod that names the zone
// key itself keeps its zones.
func mutateZones(m *mutation) bool {
	c := m.policy
	if c.spec.Zones == nil || !m.claim() {
		return false
	}
	allowed := c.affinity().allowed
	if chosen, _, _ := selfSelected(m.pod, c.zoneKey, allowed.expression()); chosen {
		m.skip(SkipPodChoseZone, "pod selects its own "+c.zoneKey)
		return false
	}
	changed := false
	if allowed != nil && m.addRequiredExpression(allowed) {
		m.changed(allowed.detail)
		changed = true
	}
	if ladderTerms(m) != nil {
		return changed // the pool terms carry the zone preferences (ladder.go)
	}
	var wanted zoneTerms
	for i := range c.affinity().zoneTerms {
		if t := &c.affinity().zoneTerms[i]; wanted.add(m, t) {
			m.changed(t.detail)
			changed = true
		}
	}
	return gatherInOneZone(m, &wanted) || changed
}

// zoneTerms are the preferred terms the zones setting wants, in order. A
// term from one source (a zone preference) does not stand for an equal term
// from another (the job's hashed zone): each is present only when the pod
// has as many equal terms as the setting wants.
type zoneTerms []*weightedTerm

func (z *zoneTerms) add(m *mutation, t *weightedTerm) bool {
	nth := 1
	for _, have := range *z {
		if preferredTermEqual(&have.term, &t.term) {
			nth++
		}
	}
	*z = append(*z, t)
	return m.addPreferredTerm(t, nth)
}

// gatherInOneZone prefers one zone for every pod sharing the sameZoneBy
// label's value: the value's FNV-1a hash picks it from the zone list, so each
// pod decides alone, yet all of a job's pods decide alike. Without a zone
// list, a pod-affinity preference does the same, at a higher price for the
// scheduler.
func gatherInOneZone(m *mutation, wanted *zoneTerms) bool {
	c := m.policy
	z := c.spec.Zones
	value, ok := m.pod.Labels[z.SameZoneBy]
	if z.SameZoneBy == "" || !ok {
		return false
	}
	if i, _ := sameZonePick(c, m.pod); i >= 0 {
		if wanted.add(m, &c.affinity().sameZone[i]) {
			if m.record {
				m.changed(sameZoneDetail(c, value, i))
			}
			return true
		}
		return false
	}
	key, weight := c.zoneKey, c.sameZoneWeight
	term := corev1.WeightedPodAffinityTerm{
		Weight: weight,
		PodAffinityTerm: corev1.PodAffinityTerm{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{z.SameZoneBy: value}},
			TopologyKey:   key,
		},
	}
	if m.addPreferredPodAffinity(term) {
		if m.record {
			m.changed(fmt.Sprintf("same zone for %s=%s: pod affinity on %s weight %d", z.SameZoneBy, value, key, weight))
		}
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

// sameZoneIndex picks one of n zones by the FNV-1a hash (32 bits) of value,
// computed inline rather than with hash/fnv, which allocates per pod.
func sameZoneIndex(value string, n int) int {
	const offset32, prime32 = 2166136261, 16777619
	h := uint32(offset32)
	for i := 0; i < len(value); i++ {
		h ^= uint32(value[i])
		h *= prime32
	}
	return int(h % uint32(n))
}
