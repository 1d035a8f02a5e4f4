package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// certRotationDeadline is how soon a rotated certificate must be served.
const certRotationDeadline = 10 * time.Second

// testCA issues serving certificates for 127.0.0.1, as cert-manager renews
// them: the same CA, a new key and serial each time.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "poolpatch soak CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// pool returns a pool trusting the CA.
func (ca *testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// issue writes a new key and a certificate with serial into dir, each file
// replaced by an atomic rename (key first: until the certificate follows,
// the pair does not match and the watcher keeps the old one).
func (ca *testCA) issue(t testing.TB, dir string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "poolpatch"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	replaceFile(t, filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	replaceFile(t, filepath.Join(dir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// servedSerial makes a fresh TLS handshake with addr and returns the serial
// of the certificate the server presents.
func servedSerial(addr string, pool *x509.CertPool) (int64, error) {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64(), nil
}

// TestCertRotationUnderLoad replaces the serving certificate several times
// while pods are admitted at a steady rate, every request on a new TLS
// connection: no request fails, and each new certificate (told by its
// serial) is served within 10 seconds.
func TestCertRotationUnderLoad(t *testing.T) {
	soak := soakFor(t, 0)
	rotations := max(3, int(soak/(5*time.Second)))
	every := max(time.Second, soak/time.Duration(rotations)) // rotations spread over the soak
	ca := newTestCA(t)
	dir := t.TempDir()
	ca.issue(t, dir, 100)
	srv := startServer(t, Options{PolicyFile: examplePolicies, CertDir: dir}, ca.pem...)
	addr := strings.TrimPrefix(srv.webhook, "https://")
	pool := ca.pool()

	load := newLoadGenerator(t, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		srv.webhook+MutatePodsPath, soakPods(t), 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *loadRun, 1)
	go func() { done <- load.run(ctx) }()

	var slowest time.Duration
	for i := 1; i <= rotations; i++ {
		time.Sleep(every) // requests under the current certificate
		serial := int64(100 + i)
		ca.issue(t, dir, serial)
		written := time.Now()
		for {
			got, err := servedSerial(addr, pool)
			if err != nil {
				t.Fatalf("rotation %d: handshake: %v", i, err)
			}
			if got == serial {
				break
			}
			if time.Since(written) > certRotationDeadline {
				t.Fatalf("rotation %d: serial %d still served %s after serial %d was written", i, got, certRotationDeadline, serial)
			}
			time.Sleep(20 * time.Millisecond)
		}
		slowest = max(slowest, time.Since(written))
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	run := <-done
	run.report(t, "certificate rotation under load")
	t.Logf("certificate rotation under load: %d rotations, slowest served after %s (deadline %s)",
		rotations, slowest.Round(time.Millisecond), certRotationDeadline)
	run.requireNoFailures(t)
}
