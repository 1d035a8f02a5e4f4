package servingcert

import (
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"testing"
)

// TestWrite checks that the serving certificate verifies for
// 127.0.0.1 and localhost against the returned CA, and for nothing else.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	caPEM, err := Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM does not parse")
	}
	for _, tc := range []struct {
		host string
		ok   bool
	}{{"127.0.0.1", true}, {"localhost", true}, {"10.0.0.1", false}} {
		t.Run(tc.host, func(t *testing.T) {
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: tc.host, Roots: roots})
			if (err == nil) != tc.ok {
				t.Errorf("verify for %s: %v, want ok=%v", tc.host, err, tc.ok)
			}
		})
	}
}
