package webhook

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
)

// TestPlaintextRefused: plain HTTP to the webhook port never reaches a
// handler: Go's TLS server answers 400 without an AdmissionReview.
func TestPlaintextRefused(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	before := counterValue(t, admissionsTotal.WithLabelValues(resultPatched))
	plain := strings.Replace(srv.webhook, "https://", "http://", 1) + MutatePodsPath
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post(plain, "application/json",
		strings.NewReader(string(podReview(t, sparkExecutor(t), admissionv1.Create))))
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(body), "AdmissionReview") {
			t.Errorf("plaintext request: HTTP %d %q, want 400 without an AdmissionReview", resp.StatusCode, body)
		}
	}
	if after := counterValue(t, admissionsTotal.WithLabelValues(resultPatched)); after != before {
		t.Errorf("a plaintext request was admitted (%v patched before, %v after)", before, after)
	}
}

// TestMetricsLocalhostOnly: without a cluster, --metrics-bind-address ":PORT"
// binds 127.0.0.1 only: another loopback address of this machine (127.0.0.2)
// is refused, and so is any other interface.
func TestMetricsLocalhostOnly(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	if v := srv.metric(t, "poolpatch_policies", ""); v == 0 {
		t.Fatalf("metrics on 127.0.0.1: poolpatch_policies = %v", v)
	}
	_, port, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(srv.metrics, "/metrics"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.2", port), 2*time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("metrics port %s accepts connections on 127.0.0.2: not bound to localhost only", port)
	}
	t.Logf("127.0.0.2:%s: %v", port, err)
}
