package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const zonePolicy = `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: zones}
spec:
  zones:
`

func TestZones(t *testing.T) {
	zoneKey := DefaultZoneKey
	tests := []struct {
		name     string
		zones    string
		pod      string
		wantReq  [][]corev1.NodeSelectorRequirement
		wantPref []corev1.PreferredSchedulingTerm
		wantPod  []corev1.WeightedPodAffinityTerm
		warns    int
	}{
		{
			name:     "allowed and preferred",
			zones:    "    allowed: [zone-a, zone-b]\n    preferred: [{name: zone-b, weight: 30}]\n",
			pod:      barePod,
			wantReq:  [][]corev1.NodeSelectorRequirement{{inExpression(zoneKey, "zone-a", "zone-b")}},
			wantPref: []corev1.PreferredSchedulingTerm{preferredTerm(30, inExpression(zoneKey, "zone-b"))},
		},
		{
			name:  "sameZoneBy picks the zone by FNV-1a of the label value",
			zones: "    allowed: [zone-a, zone-b, zone-c]\n    sameZoneBy: app\n    sameZoneWeight: 40\n",
			pod:   "metadata: {name: p, labels: {app: job-7}}\nspec: {containers: [{name: m, image: i}]}\n",
			// fnv32a("job-7") % 3 picks the zone; pinned so a change of hash is caught.
			wantReq:  [][]corev1.NodeSelectorRequirement{{inExpression(zoneKey, "zone-a", "zone-b", "zone-c")}},
			wantPref: []corev1.PreferredSchedulingTerm{preferredTerm(40, inExpression(zoneKey, []string{"zone-a", "zone-b", "zone-c"}[sameZoneIndex("job-7", 3)]))},
		},
		{
			// A zone preference and the job's hashed zone are two sources: an
			// equal term from one does not stand for the other's.
			name:    "sameZoneBy keeps its term beside an equal zone preference",
			zones:   "    preferred: [{name: zone-a, weight: 50}]\n    sameZoneBy: app\n    sameZoneWeight: 50\n",
			pod:     "metadata: {name: p, labels: {app: job-1}}\nspec: {containers: [{name: m, image: i}]}\n",
			wantReq: nil,
			// fnv32a("job-1") % 1 is zone-a, the only zone in the list.
			wantPref: []corev1.PreferredSchedulingTerm{
				preferredTerm(50, inExpression(zoneKey, "zone-a")),
				preferredTerm(50, inExpression(zoneKey, "zone-a")),
			},
		},
		{
			name:     "sameZoneBy without the label does nothing",
			zones:    "    preferred: [{name: zone-a, weight: 10}]\n    sameZoneBy: app\n",
			pod:      barePod,
			wantPref: []corev1.PreferredSchedulingTerm{preferredTerm(10, inExpression(zoneKey, "zone-a"))},
		},
		{
			name:  "sameZoneBy without a zone list uses pod affinity",
			zones: "    sameZoneBy: app\n",
			pod:   "metadata: {name: p, labels: {app: job-7}}\nspec: {containers: [{name: m, image: i}]}\n",
			wantPod: []corev1.WeightedPodAffinityTerm{{Weight: 100, PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "job-7"}}, TopologyKey: zoneKey,
			}}},
		},
		{
			name:  "a pod that picks its zone keeps it, with a warning",
			zones: "    allowed: [zone-a, zone-b]\n",
			pod:   "metadata: {name: p}\nspec: {containers: [{name: m, image: i}], nodeSelector: {topology.kubernetes.io/zone: zone-c}}\n",
			warns: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyChecked(t, mustPod(t, tt.pod), mustLoad(t, zonePolicy+tt.zones), Namespace{Name: "default"})
			checkNodeAffinity(t, res.Pod, tt.wantReq, tt.wantPref)
			var podPref []corev1.WeightedPodAffinityTerm
			if a := res.Pod.Spec.Affinity; a != nil && a.PodAffinity != nil {
				podPref = a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution
			}
			if diff := cmp.Diff(tt.wantPod, podPref); diff != "" {
				t.Errorf("pod affinity (-want +got):\n%s", diff)
			}
			if len(res.Warnings) != tt.warns {
				t.Errorf("warnings = %q, want %d", res.Warnings, tt.warns)
			}
		})
	}
}

// TestSameZoneIndexPinned pins the FNV-1a choice: the webhook, the CLI and
// every replica must pick the same zone for the same job.
func TestSameZoneIndexPinned(t *testing.T) {
	tests := []struct {
		value string
		n     int
		want  int
	}{
		{"", 2, 1},  // FNV-1a offset basis 2166136261 is odd
		{"a", 2, 0}, // 0xe40c292c
		{"spark-1", 1, 0},
	}
	for _, tt := range tests {
		if got := sameZoneIndex(tt.value, tt.n); got != tt.want {
			t.Errorf("sameZoneIndex(%q, %d) = %d, want %d", tt.value, tt.n, got, tt.want)
		}
	}
}

func TestZoneWeightWarning(t *testing.T) {
	base := poolPolicy + "  zones:\n    allowed: [zone-a, zone-b]\n    sameZoneBy: app\n"
	tests := []struct {
		name   string
		policy string
		warn   bool
	}{
		{"zone weight 100 beats the pool gap of 90", base + "    sameZoneWeight: 100\n", true},
		{"default zone weight is 100", base, true},
		{"zone weight 50 stays below the gap", base + "    sameZoneWeight: 50\n", false},
		{"no pools, no warning", zonePolicy + "    allowed: [zone-a, zone-b]\n    sameZoneBy: app\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustLoad(t, tt.policy)
			if got := len(set.Warnings) > 0; got != tt.warn {
				t.Errorf("warnings = %q, want a warning: %v", set.Warnings, tt.warn)
			}
		})
	}
}
