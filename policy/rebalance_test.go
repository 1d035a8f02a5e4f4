package policy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRebalanceErrors(t *testing.T) {
	head := "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  pools: [{name: a, weight: 100}, {name: b, weight: 10}]\n"
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"valid", head + "  rebalance: {after: 10m, maxPerMinute: 5}\n", nil},
		{"after missing", head + "  rebalance: {maxPerMinute: 5}\n", []string{"6:14: policy p: spec.rebalance.after: required"}},
		{"after not a duration", head + "  rebalance: {after: ten minutes, maxPerMinute: 5}\n",
			[]string{`6:22: policy p: spec.rebalance.after: not a duration: "ten minutes"`}},
		{"after too short", head + "  rebalance: {after: 1s, maxPerMinute: 5}\n", []string{"6:22: policy p: spec.rebalance.after: must be at least 10s, got 1s"}},
		{"after a number", head + "  rebalance: {after: 600, maxPerMinute: 5}\n", []string{`6:22: spec.rebalance.after: expected a string, got int "600"`}},
		{"rate zero and over the cap", head + "  rebalance: {after: 1m, maxPerMinute: 0}\n---\n" + strings.Replace(head, "name: p", "name: q", 1) +
			"  rebalance: {after: 1m, maxPerMinute: 601}\n", []string{
			"6:40: policy p: spec.rebalance.maxPerMinute: must be from 1 to 600, got 0",
			"13:40: policy q: spec.rebalance.maxPerMinute: must be from 1 to 600, got 601"}},
		{"rate fractional", head + "  rebalance: {after: 1m, maxPerMinute: 1.5}\n", []string{`6:40: spec.rebalance.maxPerMinute: expected an integer, got float "1.5"`}},
		{"unknown field", head + "  rebalance: {after: 1m, maxPerMinute: 1, every: 5m}\n", []string{`6:43: spec.rebalance: unknown field "every"`}},
		{"no pools", "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  zones: {allowed: [z]}\n  rebalance: {after: 1m, maxPerMinute: 1}\n",
			[]string{"6:14: policy p: spec.rebalance: needs pools"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantLoadErrors(t, tt.yaml, tt.want) })
	}
}

func TestRebalancing(t *testing.T) {
	set := mustLoad(t, `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: audited}
spec:
  mode: Audit
  pools: [{name: x, weight: 100}]
  rebalance: {after: 1m, maxPerMinute: 1}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: executors}
spec:
  match: {podSelector: {matchLabels: {role: executor}}}
  poolKey: example.com/pool
  pools: [{name: special01, weight: 100}, {name: fallback01, weight: 10}]
  rebalance: {after: 90s, maxPerMinute: 5}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: others}
spec:
  pools: [{name: general, weight: 100}]
`)
	if !slices.Contains(set.Warnings, "policy audited: rebalance is ignored in Audit mode: Audit policies evict nothing") {
		t.Errorf("set warnings %q lack the Audit rebalance warning", set.Warnings)
	}
	if !set.HasRebalance() {
		t.Error("HasRebalance() = false, want true")
	}
	pod := func(labels map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: labels},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}
	}
	tests := []struct {
		name   string
		pod    *corev1.Pod
		want   Rebalancing
		wantOK bool
	}{
		{"the pools' policy rebalances", pod(map[string]string{"role": "executor"}),
			Rebalancing{Policy: "executors", PoolKey: "example.com/pool", After: 90 * time.Second, MaxPerMinute: 5,
				Pools: []Pool{{Name: "special01", Weight: 100}, {Name: "fallback01", Weight: 10}}}, true},
		{"the pools' policy does not", pod(nil), Rebalancing{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Apply(tt.pod, set, Namespace{Name: "ns"}, Options{})
			got, ok := set.Rebalancing(res)
			if ok != tt.wantOK {
				t.Errorf("Rebalancing() ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Rebalancing() (-want +got):\n%s", diff)
			}
		})
	}
	if (*Set)(nil).HasRebalance() {
		t.Error("nil set: HasRebalance() = true")
	}
	r, _ := set.Rebalancing(Apply(pod(map[string]string{"role": "executor"}), set, Namespace{Name: "ns"}, Options{}))
	for pool, want := range map[string]int32{"special01": 100, "fallback01": 10, "elsewhere": 0} {
		if got := r.Weight(pool); got != want {
			t.Errorf("Weight(%s) = %d, want %d", pool, got, want)
		}
	}
	if got := r.BestWeight(); got != 100 {
		t.Errorf("BestWeight() = %d, want 100", got)
	}
}
