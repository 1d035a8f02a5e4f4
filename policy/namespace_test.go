package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestNamespaceOf(t *testing.T) {
	item := func(typ corev1.LimitType, min corev1.ResourceList) corev1.LimitRangeItem {
		return corev1.LimitRangeItem{Type: typ, Min: min}
	}
	ranges := func(items ...[]corev1.LimitRangeItem) []*corev1.LimitRange {
		var out []*corev1.LimitRange
		for _, it := range items {
			out = append(out, &corev1.LimitRange{Spec: corev1.LimitRangeSpec{Limits: it}})
		}
		return out
	}
	q := resource.MustParse
	tests := []struct {
		name       string
		labels     map[string]string
		ranges     []*corev1.LimitRange
		wantLabels map[string]string
		wantMin    corev1.ResourceList
	}{
		{name: "no labels, no ranges", wantLabels: map[string]string{corev1.LabelMetadataName: "ns"}},
		{
			name:       "labels kept, name label added",
			labels:     map[string]string{"team": "data"},
			wantLabels: map[string]string{"team": "data", corev1.LabelMetadataName: "ns"},
		},
		{
			name:       "pod limits ignored",
			ranges:     ranges([]corev1.LimitRangeItem{item(corev1.LimitTypePod, corev1.ResourceList{corev1.ResourceCPU: q("1")})}),
			wantLabels: map[string]string{corev1.LabelMetadataName: "ns"},
		},
		{
			name: "largest container minimum per resource",
			ranges: ranges(
				[]corev1.LimitRangeItem{item(corev1.LimitTypeContainer, corev1.ResourceList{corev1.ResourceCPU: q("50m"), corev1.ResourceMemory: q("8Mi")})},
				[]corev1.LimitRangeItem{
					item(corev1.LimitTypeContainer, corev1.ResourceList{corev1.ResourceCPU: q("20m"), corev1.ResourceMemory: q("32Mi")}),
					item(corev1.LimitTypeContainer, corev1.ResourceList{corev1.ResourceMemory: q("64Mi")}),
				}),
			wantLabels: map[string]string{corev1.LabelMetadataName: "ns"},
			wantMin:    corev1.ResourceList{corev1.ResourceCPU: q("50m"), corev1.ResourceMemory: q("64Mi")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := map[string]string{}
			for k, v := range tt.labels {
				before[k] = v
			}
			got := NamespaceOf("ns", tt.labels, tt.ranges)
			if diff := cmp.Diff(tt.wantLabels, got.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantMin, got.ContainerMinimum, quantities); diff != "" {
				t.Errorf("container minimum (-want +got):\n%s", diff)
			}
			if tt.labels != nil && !cmp.Equal(before, tt.labels) {
				t.Errorf("NamespaceOf modified the labels given: %v", tt.labels)
			}
		})
	}
}
