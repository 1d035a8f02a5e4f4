package webhook

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/poolpatch/poolpatch/policy"
)

func limitRange(ns, name string, items ...corev1.LimitRangeItem) *corev1.LimitRange {
	return &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.LimitRangeSpec{Limits: items}}
}

func minimum(typ corev1.LimitType, cpu, memory string) corev1.LimitRangeItem {
	item := corev1.LimitRangeItem{Type: typ, Min: corev1.ResourceList{}}
	if cpu != "" {
		item.Min[corev1.ResourceCPU] = resource.MustParse(cpu)
	}
	if memory != "" {
		item.Min[corev1.ResourceMemory] = resource.MustParse(memory)
	}
	return item
}

// TestClusterNamespaces reads cached namespaces from the lister and falls
// back to a live GET for one the cache has not seen yet.
func TestClusterNamespaces(t *testing.T) {
	nsIndex := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	lrIndex := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	_ = nsIndex.Add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "cached", Labels: map[string]string{"team": "a", corev1.LabelMetadataName: "cached"}}})
	_ = lrIndex.Add(limitRange("cached", "l", minimum(corev1.LimitTypeContainer, "10m", "")))
	live := map[string]*corev1.Namespace{"fresh": {ObjectMeta: metav1.ObjectMeta{Name: "fresh", Labels: map[string]string{"team": "b", corev1.LabelMetadataName: "fresh"}}}}
	gets := 0
	lookup := &clusterNamespaces{
		namespaces:  corelisters.NewNamespaceLister(nsIndex),
		limitRanges: corelisters.NewLimitRangeLister(lrIndex),
		get: func(_ context.Context, name string) (*corev1.Namespace, error) {
			gets++
			if ns, ok := live[name]; ok {
				return ns, nil
			}
			return nil, apierrors.NewNotFound(corev1.Resource("namespaces"), name)
		},
	}
	tests := []struct {
		name     string
		ns       string
		want     policy.Namespace
		wantGets int
		wantErr  error
	}{
		{"cached", "cached", policy.Namespace{Name: "cached", Labels: map[string]string{"team": "a", corev1.LabelMetadataName: "cached"},
			ContainerMinimum: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m")}}, 0, nil},
		{"not cached yet", "fresh", policy.Namespace{Name: "fresh", Labels: map[string]string{"team": "b", corev1.LabelMetadataName: "fresh"}}, 1, nil},
		{"missing", "gone", policy.Namespace{}, 1, ErrNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gets = 0
			got, err := lookup.Lookup(t.Context(), tt.ns)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if gets != tt.wantGets {
				t.Errorf("live GETs = %d, want %d", gets, tt.wantGets)
			}
		})
	}
}
