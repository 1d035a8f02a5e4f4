package bench

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/poolpatch/poolpatch/internal/repo"

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
	root, err := repo.Root()
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
		r := manifest.NewReader("pods.yaml", bytes.NewReader(stream))
		w := manifest.NewWriter(io.Discard, manifest.FormatYAML)
		for {
			doc, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			mutated, outcomes, err := manifest.MutateDocument(doc, manifest.Options{Set: set, DefaultNamespace: "default"})
			if err != nil {
				b.Fatal(err)
			}
			if err := w.Write(mutated, outcomes); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/previewPods, "ns/pod")
}
