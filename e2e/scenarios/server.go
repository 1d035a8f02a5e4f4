package scenarios

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/poolpatch/poolpatch/internal/servingcert"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/poolpatch/poolpatch/webhook"
)

// Server is the poolpatch webhook server running in this process.
type Server struct {
	// URL is https://127.0.0.1:PORT, without a path.
	URL string
	// CAPEM is the CA of its serving certificate.
	CAPEM []byte

	cancel context.CancelFunc
	exited chan struct{} // closed when webhook.Run returned
	err    error         // what it returned
}

// StartServer runs webhook.Run against the cluster at cfg with the policy
// ConfigMap ref (NAMESPACE/NAME) and a new serving certificate in certDir,
// and returns once the server accepts TLS connections. Its JSON logs go to
// logs; writers, if any, run beside it. Stop ends it.
func StartServer(ctx context.Context, cfg *rest.Config, ref, certDir string, logs io.Writer, writers webhook.WritersFunc) (*Server, error) {
	caPEM, err := servingcert.Write(certDir)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{URL: "https://127.0.0.1:" + strconv.Itoa(port), CAPEM: caPEM, cancel: cancel, exited: make(chan struct{})}
	opts := webhook.Options{
		Port: port, Host: "127.0.0.1", CertDir: certDir, PolicyConfigMap: ref, RestConfig: cfg,
		MetricsBindAddress: "0", HealthProbeBindAddress: "0", Logger: serverLogger(logs), Writers: writers,
	}
	go func() {
		defer close(s.exited)
		s.err = webhook.Run(runCtx, opts)
	}()
	if err := s.waitTLS(ctx); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

// serverLogger is a JSON logger writing to w, decisions included; it also becomes the logger of
// controller-runtime and klog, so that nothing of the server reaches the
// terminal.
func serverLogger(w io.Writer) logr.Logger {
	log := zap.New(zap.WriteTo(w), zap.Level(zapcore.Level(-1))) // decisions (V(1)) too: the log is a file
	logf.SetLogger(log)
	klog.SetLogger(log)
	return log
}

// waitTLS waits until the server completes a TLS handshake with its CA.
func (s *Server) waitTLS(ctx context.Context) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM)
	addr := s.URL[len("https://"):]
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		select {
		case <-s.exited:
			if s.err == nil {
				return false, errors.New("webhook server exited before serving")
			}
			return false, fmt.Errorf("webhook server exited: %w", s.err)
		default:
		}
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
		if err != nil {
			return false, nil
		}
		return true, conn.Close()
	})
	if err != nil {
		return fmt.Errorf("webhook server at %s: %w", s.URL, err)
	}
	return nil
}

// Stop shuts the server down gracefully and returns its error, if any.
func (s *Server) Stop() error {
	s.cancel()
	select {
	case <-s.exited:
		if s.err != nil {
			return fmt.Errorf("webhook server: %w", s.err)
		}
		return nil
	case <-time.After(30 * time.Second):
		return errors.New("webhook server did not stop within 30s")
	}
}

// freePort asks the kernel for an unused loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
