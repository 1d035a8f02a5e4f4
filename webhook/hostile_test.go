package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
)

// Bounds every hostile input must stay within.
const (
	// hostileMaxTime is the API server's timeout for the webhook
	// (timeoutSeconds: 5): an answer later than that is no answer.
	hostileMaxTime = 5 * time.Second
	// hostileMaxRetained is how much the heap may keep after one request.
	hostileMaxRetained = 8 << 20
)

// hostileMaxAlloc bounds what one request may allocate, counted over the
// whole process (client, server, handler): a small multiple of the body.
func hostileMaxAlloc(body []byte) uint64 { return 64<<20 + 40*uint64(len(body)) }

// hostileDir holds the hostile AdmissionReviews shared with FuzzHandle.
const hostileDir = "../testdata/hostile/reviews"

// hostileInput is one malformed or extreme request body and the answer it
// must get: "deny 400", "deny 413", "allow" (no patch) or "patch" (allowed
// with a patch that applies to the pod).
type hostileInput struct {
	name string
	body []byte
	want string
}

// hostileFiles are the corpus files with the answer each must get.
var hostileFiles = map[string]string{
	"array.json":                    "deny 400",
	"bad-quantity.json":             "allow",
	"binary.bin":                    "deny 400",
	"duplicate-keys.json":           "patch",
	"empty-required-terms.json":     "patch",
	"forged-annotation.json":        "patch",
	"invalid-utf8.json":             "patch",
	"missing-uid.json":              "deny 400",
	"null-object.json":              "allow",
	"null-request.json":             "deny 400",
	"truncated.json":                "deny 400",
	"unknown-kind-deployment.json":  "allow",
	"unknown-kind-foreign-pod.json": "allow",
	"unknown-operation.json":        "allow",
	"unknown-review-kind.json":      "patch",
	"v1beta1.json":                  "patch",
	"wrong-type-object.json":        "allow",
	"wrong-type-pod-fields.json":    "allow",
	"wrong-type-uid.json":           "deny 400",
}

// hostileCorpus reads the corpus files and adds the inputs too big to keep
// in the repository.
func hostileCorpus(t testing.TB) []hostileInput {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(hostileDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []hostileInput
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := hostileFiles[filepath.Base(p)]
		if !ok {
			t.Fatalf("%s: no expected answer in hostileFiles", p)
		}
		inputs = append(inputs, hostileInput{filepath.Base(p), data, want})
	}
	if len(inputs) != len(hostileFiles) {
		t.Fatalf("%d corpus files, %d expected answers", len(inputs), len(hostileFiles))
	}
	return append(inputs, generatedHostile(t)...)
}

// hostileSeeds are the corpus inputs of 8 KiB at most, as seeds of
// FuzzHandle (larger ones only slow the fuzzer's minimization down).
func hostileSeeds(t testing.TB) [][]byte {
	t.Helper()
	var seeds [][]byte
	for _, in := range hostileCorpus(t) {
		if len(in.body) <= 8<<10 {
			seeds = append(seeds, in.body)
		}
	}
	return seeds
}

// generatedHostile builds the large inputs.
func generatedHostile(t testing.TB) []hostileInput {
	t.Helper()
	many := func(n int, edit func(pod *corev1.Pod, i int)) []byte {
		pod := sparkExecutor(t)
		for i := range n {
			edit(pod, i)
		}
		return podReview(t, pod, admissionv1.Create)
	}
	containers := many(5000, func(p *corev1.Pod, i int) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: fmt.Sprintf("c%d", i), Image: fmt.Sprintf("img/%d:v1", i)})
	})
	volumes := many(5000, func(p *corev1.Pod, i int) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: fmt.Sprintf("v%d", i),
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	})
	tolerations := many(5000, func(p *corev1.Pod, i int) {
		p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Key: fmt.Sprintf("k%d", i), Operator: corev1.TolerationOpExists})
	})
	terms := many(2000, func(p *corev1.Pod, i int) {
		if p.Spec.Affinity == nil {
			p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{}}}
		}
		req := p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		req.NodeSelectorTerms = append(req.NodeSelectorTerms, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{
			{Key: fmt.Sprintf("k%d", i), Operator: corev1.NodeSelectorOpExists}}})
	})
	annotation := many(1, func(p *corev1.Pod, _ int) {
		p.Annotations = map[string]string{"big": strings.Repeat("x", 5<<20)}
	})
	return []hostileInput{
		{"10MiB-body", tenMiBReview(t), "deny 413"},
		{"nested-1e6-in-object", nestedReview(1_000_000), "deny 400"},
		{"nested-1e4-in-label", nestedLabelReview(10_000), "deny 400"},
		{"nested-5e3-in-label", nestedLabelReview(5_000), "allow"},
		{"5000-containers", containers, "patch"},
		{"5000-volumes", volumes, "patch"},
		{"5000-tolerations", tolerations, "patch"},
		{"2000-required-terms", terms, "patch"},
		{"5MiB-annotation", annotation, "patch"},
	}
}

// tenMiBReview is a well-formed review of a Pod padded past 10 MiB.
func tenMiBReview(t testing.TB) []byte {
	pod := sparkExecutor(t)
	pod.Annotations = map[string]string{"pad": strings.Repeat("y", 10<<20)}
	return podReview(t, pod, admissionv1.Create)
}

// nestedReview puts depth nested arrays where the pod object belongs.
func nestedReview(depth int) []byte {
	return []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",` +
		`"kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"default","object":` +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}}`)
}

// nestedLabelReview puts depth nested objects where a label value belongs.
func nestedLabelReview(depth int) []byte {
	return []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",` +
		`"kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"default","object":` +
		`{"metadata":{"name":"p","labels":{"a":` + strings.Repeat(`{"a":`, depth) + `1` + strings.Repeat("}", depth) +
		`}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}`)
}

// hostileAnswer posts body and names the answer: "deny CODE", "allow" or
// "patch" (checked to apply to the request's pod).
func hostileAnswer(t *testing.T, srv *testServer, body []byte) string {
	t.Helper()
	resp, err := srv.client.Post(srv.webhook+MutatePodsPath, "application/json", bytes.NewReader(body))
	if err != nil && len(body) > maxReviewBytes && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
		// Over the limit the server answers 413 and closes the connection
		// with megabytes unread, so a client still writing the body may see
		// the reset before it reads the 413: either way the body was refused.
		return "deny 413"
	}
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(raw, &review); err != nil || review.Response == nil {
		t.Fatalf("HTTP %d, answer is no AdmissionReview: %v: %.200s", resp.StatusCode, err, raw)
	}
	r := review.Response
	switch {
	case !r.Allowed:
		if r.Result == nil || r.Result.Message == "" {
			t.Errorf("denied without a message: %+v", r.Result)
			return "deny"
		}
		return fmt.Sprintf("deny %d", r.Result.Code)
	case len(r.Patch) > 0:
		checkPatchApplies(t, body, r.Patch)
		return "patch"
	}
	return "allow"
}

// TestHostileInput posts every corpus input to the running server: each
// gets its expected answer (a 400/413 with a message, an unpatched allow,
// or a patch that applies) within the webhook timeout and bounded memory,
// the heap keeps nothing, and the server goes on serving.
func TestHostileInput(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	var slowest time.Duration
	var mostAlloc uint64
	var mostName string
	inputs := hostileCorpus(t)
	sort.Slice(inputs, func(i, j int) bool { return inputs[i].name < inputs[j].name })
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			var before, after runtime.MemStats
			settleHeap()
			runtime.ReadMemStats(&before)
			start := time.Now()
			got := hostileAnswer(t, srv, in.body)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			settleHeap()
			runtime.ReadMemStats(&after)
			retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			t.Logf("%-30s %8d bytes -> %-9s in %8s, %6.1f MiB allocated, %+6.1f MiB retained",
				in.name, len(in.body), got, took.Round(time.Millisecond), float64(alloc)/(1<<20), float64(retained)/(1<<20))
			if got != in.want {
				t.Errorf("answer %q, want %q", got, in.want)
			}
			if took > hostileMaxTime {
				t.Errorf("answered after %s, over the webhook timeout %s", took, hostileMaxTime)
			}
			if alloc > hostileMaxAlloc(in.body) {
				t.Errorf("allocated %d bytes, over %d", alloc, hostileMaxAlloc(in.body))
			}
			if retained > hostileMaxRetained {
				t.Errorf("heap grew by %d bytes after the request", retained)
			}
			if code := srv.probe("/healthz"); code != http.StatusOK {
				t.Fatalf("server not alive after %s: /healthz %d", in.name, code)
			}
			if resp := srv.post(t, MutatePodsPath, podReview(t, sparkExecutor(t), admissionv1.Create)); len(resp.Patch) == 0 {
				t.Fatalf("server no longer patches after %s", in.name)
			}
			if took > slowest {
				slowest = took
			}
			if alloc > mostAlloc {
				mostAlloc, mostName = alloc, in.name
			}
		})
	}
	t.Logf("hostile input: %d inputs, slowest answer %s, most allocated %.1f MiB (%s)",
		len(inputs), slowest.Round(time.Millisecond), float64(mostAlloc)/(1<<20), mostName)
}

// settleHeap collects twice: sync.Pool keeps objects through one collection.
func settleHeap() {
	runtime.GC()
	runtime.GC()
}
