package webhook

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

// certRetry is how often a missing or broken certificate is tried again
// before the server starts.
const certRetry = time.Second

// SecureCipherSuites are the TLS 1.2 suites allowed: ECDHE key exchange with
// an AEAD cipher only (TLS 1.3 suites are not configurable and all strong).
var SecureCipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// certificates serves the certificate from the cert dir, reloading it on
// file events and every poll interval.
type certificates struct {
	dir      string
	interval time.Duration
	log      logr.Logger
	watcher  *certwatcher.CertWatcher
	loaded   atomic.Bool
}

// wait blocks until the certificate and key load, retrying every second, so
// that a Secret mounted late delays readiness instead of crashing the pod.
func (c *certificates) wait(ctx context.Context) error {
	cert, key := filepath.Join(c.dir, "tls.crt"), filepath.Join(c.dir, "tls.key")
	for attempt := 0; ; attempt++ {
		w, err := certwatcher.New(cert, key)
		if err == nil {
			c.watcher = w.WithWatchInterval(c.interval)
			c.loaded.Store(true)
			return nil
		}
		if attempt%30 == 0 {
			c.log.Error(err, "serving certificate not loaded yet, retrying", "certDir", c.dir)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for serving certificate: %w", ctx.Err())
		case <-time.After(certRetry):
		}
	}
}

// tlsConfig is applied to the webhook and metrics servers: the watched
// certificate, TLS 1.2 at least, strong suites, and HTTP/1.1 only (HTTP/2 is
// off, as in controller-runtime's scaffolding, against stream-reset floods).
func (c *certificates) tlsConfig(cfg *tls.Config) {
	cfg.GetCertificate = c.watcher.GetCertificate
	cfg.MinVersion = tls.VersionTLS12
	cfg.CipherSuites = SecureCipherSuites
	cfg.NextProtos = []string{"http/1.1"}
}
