package bench

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
	"github.com/poolpatch/poolpatch/internal/manifest"
	"github.com/poolpatch/poolpatch/policy"
)

// previewPods is the stream length of BenchmarkPreview.
const previewPods = 500

// BenchmarkPreview runs the pipeline of `poolpatch mutate -o yaml` in
// process on a stream of 500 Spark executors with the example policies:
// read, mutate (patch computed and applied to each document as written),
// write. It reports ns per pod; `make bench` profiles it to explain the
// CLI's per-pod cost.
func BenchmarkPreview(b *testing.B) {
	root, err := fixture.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	policies, err := os.ReadFile(filepath.Join(root, fixture.ExamplePoliciesPath))
	if err != nil {
		b.Fatal(err)
	}
	set, err := policy.Load(policy.Source{Name: fixture.ExamplePoliciesPath, Data: policies})
	if err != nil {
		b.Fatal(err)
	}
	stream, err := fixture.PodStream(root, previewPods)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		docs, err := manifest.Read("pods.yaml", stream)
		if err != nil {
			b.Fatal(err)
		}
		out, err := manifest.MutateDocuments(docs, manifest.Options{Set: set, DefaultNamespace: "default"})
		if err != nil {
			b.Fatal(err)
		}
		if err := manifest.WriteObjects(io.Discard, manifest.FormatYAML, out.Documents); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/previewPods, "ns/pod")
}
