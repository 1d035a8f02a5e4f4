package policy

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	corev1 "k8s.io/api/core/v1"
)

// benchPolicies writes n policies of which one in ten matches a Spark
// executor in namespace analytics; the others select another namespace.
func benchPolicies(n int) string {
	var b strings.Builder
	for i := range n {
		ns := "elsewhere"
		if i%10 == 0 {
			ns = "analytics"
		}
		fmt.Fprintf(&b, `---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: p%d}
spec:
  match: {namespaces: [%s], podSelector: {matchLabels: {spark-role: executor}}}
  pools: [{name: spot%d, weight: 100, tolerations: [{key: preemptive, operator: Equal, value: "true", effect: NoSchedule}]}, {name: fallback01, weight: 10}]
  zones: {allowed: [zone-a, zone-b], sameZoneBy: spark-app-selector, sameZoneWeight: 50}
  emptyDir: {sizeLimit: 50Gi}
  eviction: local-volumes
  tolerations: [{key: team, operator: Equal, value: t%d, effect: NoSchedule}]
  annotations: {policy-%d: "yes"}
`, i, ns, i, i, i)
	}
	return b.String()
}

func benchPod(b *testing.B) *corev1.Pod {
	b.Helper()
	data, err := os.ReadFile("../testdata/pods/spark-executor.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var pod corev1.Pod
	if err := yaml.Unmarshal(data, &pod); err != nil {
		b.Fatal(err)
	}
	return &pod
}

// BenchmarkApply measures Apply per pod against sets of 1 to 5,000 policies,
// one in ten matching.
func BenchmarkApply(b *testing.B) {
	pod := benchPod(b)
	ns := Namespace{Name: "analytics", Labels: map[string]string{"kubernetes.io/metadata.name": "analytics"}}
	for _, n := range []int{1, 50, 500, 5000} {
		set := mustLoad(b, benchPolicies(n))
		b.Run(fmt.Sprintf("policies=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := Apply(pod, set, ns); !res.Changed {
					b.Fatal("nothing matched")
				}
			}
		})
	}
}

// BenchmarkNonMatchingPolicy measures what one policy that does not match
// costs a pod: the difference between 101 and 1 non-matching policies,
// divided by 100, is the per-policy figure `make bench` reports.
func BenchmarkNonMatchingPolicy(b *testing.B) {
	pod := benchPod(b)
	ns := Namespace{Name: "web"}
	for _, n := range []int{1, 101} {
		set := mustLoad(b, nonMatching(n))
		b.Run(fmt.Sprintf("policies=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Apply(pod, set, ns)
			}
		})
	}
}

func nonMatching(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: n%d}\nspec:\n  match: {namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {spark-role: executor}}}\n  pools: [{name: x, weight: 1}]\n", i)
	}
	return b.String()
}
