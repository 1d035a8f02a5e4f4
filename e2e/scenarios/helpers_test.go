package scenarios_test

import (
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// TestWriteServingCert checks that the serving certificate verifies for
// 127.0.0.1 and localhost against the returned CA, and for nothing else.
func TestWriteServingCert(t *testing.T) {
	dir := t.TempDir()
	caPEM, err := scenarios.WriteServingCert(dir)
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

// TestWriteTable checks the placement table's columns and empty cells.
func TestWriteTable(t *testing.T) {
	var b strings.Builder
	err := scenarios.WriteTable(&b, []scenarios.Placement{
		{Namespace: "demo", Pod: "web-1", Node: "special01-zone-a-0", Pool: "special01", Zone: "zone-a", Policies: "web"},
		{Namespace: "demo", Pod: "pending"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "NAMESPACE  POD      NODE                POOL       ZONE    POLICIES\n" +
		"demo       web-1    special01-zone-a-0  special01  zone-a  web\n" +
		"demo       pending  -                   -          -       -\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

// TestPolicyData checks that the probe policy comes after the policies under
// test, so that it never decides a setting for them.
func TestPolicyData(t *testing.T) {
	data := scenarios.PolicyData("x", "n1")
	if data[scenarios.PolicyKey] != "x" || !strings.Contains(data[scenarios.ProbeKey], `"n1"`) {
		t.Errorf("policy data %v", data)
	}
	if scenarios.PolicyKey >= scenarios.ProbeKey {
		t.Errorf("%s sorts after %s: the probe policy would come first", scenarios.PolicyKey, scenarios.ProbeKey)
	}
}
