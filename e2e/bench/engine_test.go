package bench

import (
	"fmt"
	"testing"

	"github.com/poolpatch/poolpatch/internal/repo"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
	"github.com/poolpatch/poolpatch/policy"
)

// NonMatchingCounts are the set sizes of BenchmarkNonMatching: the cost of
// one policy that cannot match is the slope between them, so that the
// fixed cost of a pod (its copy, the result) cancels out.
var NonMatchingCounts = [2]int{1, 1001}

// BenchmarkNonMatching applies sets of 1 and 1,001 policies that all fail
// to match (a namespace selector on a label the namespace lacks, and a pod
// selector) to the Spark executor.
func BenchmarkNonMatching(b *testing.B) {
	pod := sparkExecutor(b)
	ns := policy.Namespace{Name: "web", Labels: map[string]string{"kubernetes.io/metadata.name": "web"}}
	for _, n := range NonMatchingCounts {
		set, err := policy.Load(policy.Source{Name: "bench.yaml", Data: []byte(fixture.NonMatching(n))})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("policies=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := policy.Apply(pod, set, ns, policy.Options{}); res.Changed {
					b.Fatal("a policy matched")
				}
			}
		})
	}
}

// sparkExecutor is the Spark executor of testdata, as written.
func sparkExecutor(b *testing.B) *corev1.Pod {
	b.Helper()
	root, err := repo.Root()
	if err != nil {
		b.Fatal(err)
	}
	pod, err := fixture.SparkExecutor(root)
	if err != nil {
		b.Fatal(err)
	}
	return pod
}
