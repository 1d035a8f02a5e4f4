package webhook

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestHostilePolicyConfigMaps posts every hostile policy file of the corpus,
// as the policies.yaml key of a ConfigMap, to /validate-policies: each is
// denied (422) with the loader's positioned errors within the webhook
// timeout, and the server keeps serving.
func TestHostilePolicyConfigMaps(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	paths, err := filepath.Glob("../testdata/hostile/policies/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no hostile policies: %v", err)
	}
	var slowest time.Duration
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
				Data: map[string]string{"policies.yaml": string(data)}})
			if err != nil {
				t.Fatal(err)
			}
			req := &admissionv1.AdmissionRequest{Kind: metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"},
				Namespace: "ns", Name: "p", Operation: admissionv1.Update, Object: runtimeRaw(raw)}
			start := time.Now()
			resp := srv.post(t, ValidatePoliciesPath, review(t, req))
			took := time.Since(start)
			slowest = max(slowest, took)
			if resp.Allowed || resp.Result == nil || resp.Result.Code != http.StatusUnprocessableEntity || resp.Result.Message == "" {
				t.Errorf("answer %+v, want a 422 denial with the errors", resp.Result)
			}
			if took > hostileMaxTime {
				t.Errorf("answered after %s, over %s", took, hostileMaxTime)
			}
		})
	}
	if code := srv.probe("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz %d after the hostile policies", code)
	}
	t.Logf("hostile policies: %d ConfigMaps denied, slowest in %s", len(paths), slowest.Round(time.Millisecond))
}
