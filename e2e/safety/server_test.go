package safety

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/poolpatch/poolpatch/internal/servingcert"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/poolpatch/poolpatch/webhook"
)

// startWebhook runs webhook.Run in process against cfg with the policy
// ConfigMap ref until the test ends, and returns its URL and CA.
func startWebhook(t *testing.T, cfg *rest.Config, ref string, logs io.Writer) (url string, caPEM []byte) {
	t.Helper()
	dir := t.TempDir()
	caPEM, err := servingcert.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- webhook.Run(ctx, webhook.Options{Host: "127.0.0.1", Port: port, CertDir: dir, PolicyConfigMap: ref,
			RestConfig: cfg, MetricsBindAddress: "0", HealthProbeBindAddress: "0", Logger: zap.New(zap.WriteTo(logs))})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("webhook.Run: %v", err)
		}
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
		if err == nil {
			conn.Close()
			return "https://" + addr, caPEM
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook not serving after 30s: %v", err)
		}
	}
}
