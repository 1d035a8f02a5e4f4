package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	certutil "k8s.io/client-go/util/cert"
)

// servingCert is a self-signed loopback certificate for one component's
// secure port, which the harness also trusts for its health checks.
type servingCert struct {
	certFile, keyFile string
	pool              *x509.CertPool
}

// newServingCert writes <workDir>/<name>.crt and .key for 127.0.0.1.
func newServingCert(workDir, name string) (*servingCert, error) {
	certPEM, keyPEM, err := certutil.GenerateSelfSignedCertKey("127.0.0.1", []net.IP{net.ParseIP("127.0.0.1")}, []string{"localhost"})
	if err != nil {
		return nil, fmt.Errorf("%s serving certificate: %w", name, err)
	}
	sc := &servingCert{
		certFile: filepath.Join(workDir, name+".crt"),
		keyFile:  filepath.Join(workDir, name+".key"),
		pool:     x509.NewCertPool(),
	}
	if err := os.WriteFile(sc.certFile, certPEM, 0o600); err != nil {
		return nil, fmt.Errorf("%s serving certificate: %w", name, err)
	}
	if err := os.WriteFile(sc.keyFile, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("%s serving key: %w", name, err)
	}
	sc.pool.AppendCertsFromPEM(certPEM)
	return sc, nil
}

// servingArgs are the flags that make a component serve on port with sc.
func (sc *servingCert) servingArgs(port int) []string {
	return []string{
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + sc.certFile,
		"--tls-private-key-file=" + sc.keyFile,
	}
}

// FreePort asks the kernel for an unused loopback TCP port (for the
// processes started with StartProcess).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls https://127.0.0.1:port/healthz until it answers 200,
// the process exits, or ctx ends.
func waitHealthy(ctx context.Context, p *process, port int, sc *servingCert) error {
	hc := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sc.pool, MinVersion: tls.VersionTLS12}},
	}
	return pollHealthy(ctx, p, hc, "https://127.0.0.1:"+strconv.Itoa(port)+"/healthz")
}

// pollHealthy polls url with hc until it answers 200, the process exits, or
// ctx ends.
func pollHealthy(ctx context.Context, p *process, hc *http.Client, url string) error {
	for {
		if done, err := p.exited(); done {
			return err
		}
		if resp, err := hc.Get(url); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy at %s (log: %s): %w", p.name, url, p.log.Name(), ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
