package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/poolpatch/poolpatch/internal/repo"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
	"github.com/poolpatch/poolpatch/policy"
)

// BenchmarkHandler measures the /mutate-pods handler as the server mounts it
// (reviewHandler: the review decoded in one pass, controller-runtime's
// admission.Webhook.Handle around PodMutator, an info-level JSON logger,
// namespaces from informer listers) on the AdmissionReview of a defaulted
// Spark executor and the example policies: decode, match, mutate and
// encode. The floor is what the no-op webhook of the HTTPS benchmark runs:
// controller-runtime's admission.Webhook whose handler answers allowed
// without a patch, the review decoded and answered its way. `make bench`
// reports poolpatch ns/op over floor ns/op as handler_over_floor.
func BenchmarkHandler(b *testing.B) {
	body := sparkReviewBody(b)
	log := zap.New(zap.WriteTo(io.Discard), zap.JSONEncoder())
	allow := admission.HandlerFunc(func(context.Context, admission.Request) admission.Response {
		return admission.Allowed("")
	})
	cases := []struct {
		name    string
		handler http.Handler
		patched bool
	}{
		{"floor", &admission.Webhook{Handler: requireRequest(allow), LogConstructor: requestLogger(log)}, false},
		{"poolpatch", newReviewHandler(benchMutator(b), log), true},
	}
	for _, c := range cases {
		checkBenchResponse(b, c.handler, body, c.patched)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			w := &discardWriter{header: http.Header{}}
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, MutatePodsPath, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				clear(w.header)
				c.handler.ServeHTTP(w, req)
			}
		})
	}
}

// sparkReviewBody is the AdmissionReview of the defaulted Spark executor.
func sparkReviewBody(b *testing.B) []byte {
	b.Helper()
	root, err := repo.Root()
	if err != nil {
		b.Fatal(err)
	}
	body, err := fixture.SparkReview(root)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// benchMutator is the PodMutator of a server holding the example policies,
// with the namespace analytics and no LimitRange in its informer caches.
func benchMutator(b *testing.B) *PodMutator {
	b.Helper()
	root, err := repo.Root()
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, fixture.ExamplePoliciesPath))
	if err != nil {
		b.Fatal(err)
	}
	store := NewStore(logr.Discard())
	if _, err := store.Update("bench", func() (*policy.Set, error) {
		return policy.Load(policy.Source{Name: fixture.ExamplePoliciesPath, Data: data})
	}); err != nil {
		b.Fatal(err)
	}
	nsIndex := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	lrIndex := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "analytics", Labels: map[string]string{
		corev1.LabelMetadataName: "analytics", "poolpatch.io/enabled": "true", "team": "data",
	}}}
	if err := nsIndex.Add(ns); err != nil {
		b.Fatal(err)
	}
	namespaces := &clusterNamespaces{
		namespaces:  corelisters.NewNamespaceLister(nsIndex),
		limitRanges: corelisters.NewLimitRangeLister(lrIndex),
	}
	return &PodMutator{Policies: store, Namespaces: namespaces}
}

// checkBenchResponse fails b unless wh allows the review, with a patch
// exactly when patched is set.
func checkBenchResponse(b *testing.B, wh http.Handler, body []byte, patched bool) {
	b.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, MutatePodsPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	wh.ServeHTTP(rec, req)
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(rec.Body.Bytes(), &review); err != nil || review.Response == nil {
		b.Fatalf("response %d %q: %v", rec.Code, rec.Body.String(), err)
	}
	if !review.Response.Allowed || (len(review.Response.Patch) > 0) != patched {
		b.Fatalf("allowed %v, patch %q, want a patch: %v", review.Response.Allowed, review.Response.Patch, patched)
	}
}

// discardWriter is an http.ResponseWriter that drops the body, as a network
// connection's buffer would take it.
type discardWriter struct {
	header http.Header
	n      int
}

// Header returns the response header map.
func (w *discardWriter) Header() http.Header { return w.header }

// Write counts and drops p.
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// WriteHeader drops the status code.
func (w *discardWriter) WriteHeader(int) {}
