package policy

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
)

// BenchmarkApply measures Apply per pod against sets of 1 to 5,000 policies,
// one in ten matching (fixture.Policies, shared with make bench). The cost
// of a policy that cannot match is e2e/bench's BenchmarkNonMatching. The
// options are the webhook's: the patch alone (Options.PatchOnly), no
// change records.
func BenchmarkApply(b *testing.B) {
	pod, err := fixture.SparkExecutor("..")
	if err != nil {
		b.Fatal(err)
	}
	ns := Namespace{Name: "analytics", Labels: map[string]string{"kubernetes.io/metadata.name": "analytics"}}
	for _, n := range []int{1, 50, 500, 5000} {
		set := mustLoad(b, fixture.Policies(n))
		b.Run(fmt.Sprintf("policies=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := Apply(pod, set, ns, Options{PatchOnly: true}); !res.Changed {
					b.Fatal("nothing matched")
				}
			}
		})
	}
}

// BenchmarkDecodePod measures DecodePod on the defaulted Spark executor as
// a webhook gets it (managedFields, the token volume), against encoding/json
// decoding the same view of it: the handler's second pass over the pod.
func BenchmarkDecodePod(b *testing.B) {
	executor, err := fixture.SparkExecutor("..")
	if err != nil {
		b.Fatal(err)
	}
	defaulted, err := fixture.Defaulted(executor)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(defaulted)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := DecodePod(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var v podView
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
