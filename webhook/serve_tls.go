package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/healthz"
)

// Timeouts of the webhook's HTTPS server, as controller-runtime sets them.
const (
	webhookShutdownTimeout = time.Minute
	webhookIdleTimeout     = 90 * time.Second
	webhookReadHeader      = 32 * time.Second
)

// errWebhookNotStarted is reported by the readiness check before the
// webhook server listens.
var errWebhookNotStarted = errors.New("webhook server not started yet")

// tlsServer serves the admission handlers registered on a controller-runtime
// webhook server (its mux, with controller-runtime's instrumentation) over
// TLS. It stands in for that server's Start for one reason: Start makes the
// run context the base context of every connection, so at shutdown a
// connection accepted a moment before has its TLS handshake cancelled and
// the API server's request is cut ("TLS handshake error: context
// canceled"), and requests in flight see a cancelled context. Here
// connections outlive the run context; Shutdown still stops accepting at
// once and waits for every accepted connection.
//
// net/http still closes unanswered a connection whose request headers it
// reads after Shutdown began: the chart's preStop sleep keeps new requests
// away by then.
type tlsServer struct {
	addr    string
	handler http.Handler
	tlsOpts []func(*tls.Config)
	started atomic.Bool
}

// Start listens on addr and serves until ctx ends, then shuts down
// gracefully within webhookShutdownTimeout.
func (s *tlsServer) Start(ctx context.Context) error {
	cfg := &tls.Config{}
	for _, o := range s.tlsOpts {
		o(cfg)
	}
	ln, err := tls.Listen("tcp", s.addr, cfg)
	if err != nil {
		return fmt.Errorf("webhook server: %w", err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		MaxHeaderBytes:    1 << 20,
		IdleTimeout:       webhookIdleTimeout,
		ReadHeaderTimeout: webhookReadHeader,
	}
	stopped := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), webhookShutdownTimeout)
		defer cancel()
		stopped <- srv.Shutdown(shutdownCtx)
	}()
	s.started.Store(true)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webhook server: %w", err)
	}
	if err := <-stopped; err != nil {
		return fmt.Errorf("webhook server shutdown: %w", err)
	}
	return nil
}

// StartedChecker is ready once the server listens and a TLS handshake with
// it succeeds.
func (s *tlsServer) StartedChecker() healthz.Checker {
	return func(*http.Request) error {
		if !s.started.Load() {
			return errWebhookNotStarted
		}
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", s.addr,
			&tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reachability only
		if err != nil {
			return fmt.Errorf("webhook server not reachable: %w", err)
		}
		return conn.Close()
	}
}
