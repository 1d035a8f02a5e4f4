package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	uberzap "go.uber.org/zap"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/poolpatch/poolpatch/policy"
)

// TestRequestLogger: the decision line of a request carries the request's
// namespace, name (generateName for a pod that has no name yet), uid,
// operation and kind, handed to zap only when the line is logged, and the
// caller zap names is poolpatch's handler, not the lazy sink.
func TestRequestLogger(t *testing.T) {
	var out bytes.Buffer
	log := zap.New(zap.WriteTo(&out), zap.JSONEncoder(), zap.Level(zapLevel(-1)),
		zap.RawZapOpts(uberzap.AddCaller()))
	set := loadFile(t, examplePolicies)
	store := NewStore(testLogger())
	if _, err := store.Update("examples", func() (*policy.Set, error) { return set, nil }); err != nil {
		t.Fatal(err)
	}
	h := newReviewHandler(&PodMutator{Policies: store, Namespaces: noClusterNamespaces{}}, log.WithName("mutate-pods"))
	named := sparkExecutor(t)
	generated := named.DeepCopy()
	generated.Name, generated.GenerateName = "", "exec-"
	want := []map[string]any{
		{"namespace": named.Namespace, "name": named.Name, "generateName": nil, "operation": "CREATE", "kind": "Pod"},
		{"namespace": named.Namespace, "name": nil, "generateName": "exec-", "operation": "CREATE", "kind": "Pod"},
	}
	for i, pod := range []*corev1.Pod{named, generated} {
		out.Reset()
		req := httptest.NewRequest(http.MethodPost, MutatePodsPath, bytes.NewReader(podReview(t, pod, admissionv1.Create)))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), req)
		var line map[string]any
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if strings.Contains(l, `"pod admitted"`) {
				if err := json.Unmarshal([]byte(l), &line); err != nil {
					t.Fatal(err)
				}
			}
		}
		if line == nil {
			t.Fatalf("no decision line in:\n%s", out.String())
		}
		got := map[string]any{}
		for k := range want[i] {
			got[k] = line[k]
		}
		if uid, _ := line["uid"].(string); !strings.HasPrefix(uid, "uid-") {
			t.Errorf("pod %d: uid %q", i, uid)
		}
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("pod %d: request values (-want +got):\n%s\n%s", i, diff, out.String())
		}
		if caller, _ := line["caller"].(string); !strings.HasPrefix(caller, "webhook/handler.go:") {
			t.Errorf("pod %d: caller %q, want the handler", i, caller)
		}
		if line["logger"] != "mutate-pods" {
			t.Errorf("pod %d: logger %v, want mutate-pods", i, line["logger"])
		}
	}
}
