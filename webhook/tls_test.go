package webhook

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// TestTLSConfig: TLS 1.2 is the minimum and weak TLS 1.2 suites are refused.
func TestTLSConfig(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	base := srv.client.Transport.(*http.Transport).TLSClientConfig
	tests := []struct {
		name string
		cfg  func(*tls.Config)
		ok   bool
	}{
		{"TLS 1.3", func(c *tls.Config) {}, true},
		{"TLS 1.2 AEAD", func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 }, true},
		{"TLS 1.1", func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS11, tls.VersionTLS11 }, false},
		{"TLS 1.2 CBC", func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base.Clone()
			tt.cfg(cfg)
			resp, err := clientFor(cfg).Get(srv.webhook + MutatePodsPath)
			if err == nil {
				resp.Body.Close()
			}
			if (err == nil) != tt.ok {
				t.Errorf("handshake error = %v, want success %v", err, tt.ok)
			}
		})
	}
}

// TestCertificateRotation: a new certificate written into the cert dir is
// served without a restart.
func TestCertificateRotation(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	pool := writeCerts(t, srv.certDir) // a new CA and serving certificate
	rotated := clientFor(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	eventually(t, "rotated certificate served", func() error {
		resp, err := rotated.Get(srv.webhook + MutatePodsPath)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
}

// TestReadiness: /healthz answers at once; /readyz waits for a certificate
// (and the first policy load), then the server serves.
func TestReadiness(t *testing.T) {
	srv := launch(t, Options{PolicyFile: examplePolicies, CertDir: t.TempDir()})
	eventually(t, "liveness", func() error {
		if code := srv.probe("/healthz"); code != http.StatusOK {
			return fmt.Errorf("%w: /healthz %d", errNotYet, code)
		}
		return nil
	})
	time.Sleep(300 * time.Millisecond)
	if code := srv.probe("/readyz"); code != http.StatusInternalServerError {
		t.Errorf("/readyz without a certificate = %d, want 500", code)
	}
	if code := srv.probe("/readyz/policies"); code != http.StatusOK {
		t.Errorf("/readyz/policies = %d, want 200", code)
	}
	srv.client = clientFor(&tls.Config{RootCAs: writeCerts(t, srv.certDir), MinVersion: tls.VersionTLS12})
	srv.waitReady(t)
	if resp := srv.post(t, MutatePodsPath, podReview(t, sparkExecutor(t), admissionv1.Create)); len(resp.Patch) == 0 {
		t.Error("no patch once ready")
	}
}

// slowNamespaces delays every lookup, to keep a request in flight.
type slowNamespaces struct {
	delay   time.Duration
	entered chan struct{}
}

func (s slowNamespaces) Lookup(ctx context.Context, name string) (policy.Namespace, error) {
	s.entered <- struct{}{}
	time.Sleep(s.delay)
	return noClusterNamespaces{}.Lookup(ctx, name)
}

// TestGracefulShutdown: a request in flight when the server is told to stop
// still gets its full answer, and Run returns nil.
func TestGracefulShutdown(t *testing.T) {
	entered := make(chan struct{}, 1)
	srv := startServer(t, Options{PolicyFile: examplePolicies,
		namespaces: slowNamespaces{delay: time.Second, entered: entered}})
	answer := make(chan *admissionv1.AdmissionResponse, 1)
	go func() { answer <- srv.post(t, MutatePodsPath, podReview(t, sparkExecutor(t), admissionv1.Create)) }()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	resp := <-answer
	if !resp.Allowed || len(resp.Patch) == 0 {
		t.Errorf("in-flight request: allowed=%v patch=%d bytes, want the full answer", resp.Allowed, len(resp.Patch))
	}
	if err := <-stopped; err != nil {
		t.Errorf("Run = %v, want nil after a shutdown", err)
	}
	if _, err := srv.client.Get(srv.webhook + MutatePodsPath); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}
