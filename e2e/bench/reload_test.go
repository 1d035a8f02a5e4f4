package bench

import (
	"testing"

	"github.com/go-logr/logr"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
	"github.com/poolpatch/poolpatch/policy"
	"github.com/poolpatch/poolpatch/webhook"
)

// ReloadPolicies is the size of the set BenchmarkReload loads.
const ReloadPolicies = 1000

// BenchmarkReload parses, validates and compiles 1,000 policies and swaps
// them into a webhook.Store, as the server does on a ConfigMap or file
// change (the store logs at a discarded logger).
func BenchmarkReload(b *testing.B) {
	data := []byte(fixture.Policies(ReloadPolicies))
	store := webhook.NewStore(logr.Discard())
	b.ReportAllocs()
	for b.Loop() {
		set, err := store.Update("bench", func() (*policy.Set, error) {
			return policy.Load(policy.Source{Name: "policies.yaml", Data: data})
		})
		if err != nil {
			b.Fatal(err)
		}
		if set.Len() != ReloadPolicies {
			b.Fatalf("%d policies loaded", set.Len())
		}
	}
}
