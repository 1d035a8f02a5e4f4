package autoscaler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestHasOffering checks NodePool requirements against the instance types
// Karpenter is given: on-demand only, in test-zone-a to test-zone-d.
func TestHasOffering(t *testing.T) {
	offerings, err := Offerings()
	if err != nil {
		t.Fatal(err)
	}
	if len(offerings) != 4 {
		t.Fatalf("%d offerings, want 4 (one instance type, four zones): %v", len(offerings), offerings)
	}
	in := func(key string, values ...string) corev1.NodeSelectorRequirement {
		return corev1.NodeSelectorRequirement{Key: key, Operator: corev1.NodeSelectorOpIn, Values: values}
	}
	for _, tc := range []struct {
		name string
		reqs []corev1.NodeSelectorRequirement
		want bool
	}{
		{"no requirements", nil, true},
		{"a label the provider does not set", []corev1.NodeSelectorRequirement{in("dedicated", "special01")}, true},
		{"on-demand", []corev1.NodeSelectorRequirement{in(CapacityTypeLabel, "on-demand")}, true},
		{"spot only", []corev1.NodeSelectorRequirement{in(CapacityTypeLabel, "spot")}, false},
		{"a zone offered", []corev1.NodeSelectorRequirement{in(corev1.LabelTopologyZone, "test-zone-d")}, true},
		{"a zone not offered", []corev1.NodeSelectorRequirement{in(corev1.LabelTopologyZone, "test-zone-e")}, false},
		{"arm64", []corev1.NodeSelectorRequirement{in(corev1.LabelArchStable, "arm64")}, false},
		{"not spot", []corev1.NodeSelectorRequirement{{Key: CapacityTypeLabel, Operator: corev1.NodeSelectorOpNotIn, Values: []string{"spot"}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasOffering(offerings, tc.reqs); got != tc.want {
				t.Errorf("HasOffering(%v) = %v, want %v", tc.reqs, got, tc.want)
			}
		})
	}
}
