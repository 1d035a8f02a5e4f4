package webhook

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"slices"
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

// TestCipherSuites offers the server every TLS 1.2 suite Go knows, one at a
// time: only the ECDHE AEAD suites of SecureCipherSuites are accepted.
func TestCipherSuites(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	base := srv.client.Transport.(*http.Transport).TLSClientConfig
	allowed := map[uint16]bool{}
	for _, id := range SecureCipherSuites {
		allowed[id] = true
	}
	accepted := 0
	for _, suite := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if !slices.Contains(suite.SupportedVersions, tls.VersionTLS12) {
			continue
		}
		t.Run(suite.Name, func(t *testing.T) {
			cfg := base.Clone()
			cfg.MinVersion, cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, tls.VersionTLS12, []uint16{suite.ID}
			conn, err := tls.Dial("tcp", strings.TrimPrefix(srv.webhook, "https://"), cfg)
			if err == nil {
				conn.Close()
				accepted++
				if !allowed[suite.ID] {
					t.Errorf("suite %s accepted", suite.Name)
				}
			}
		})
	}
	t.Logf("%d TLS 1.2 suites accepted", accepted)
	if accepted == 0 {
		t.Error("no TLS 1.2 suite accepted at all")
	}
}
