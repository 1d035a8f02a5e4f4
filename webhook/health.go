package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/healthz"
)

// Sentinel errors of the readiness checks.
var (
	errPoliciesNotLoaded = errors.New("first policy load not finished")
	errNoPolicySet       = errors.New("no valid policy set loaded yet: the policies were rejected (see the PolicyRejected Event and the logs)")
	errNoCertificate     = errors.New("serving certificate not loaded")
	errCachesNotSynced   = errors.New("namespace caches not synced")
)

// probes serves /healthz (the process answers) and /readyz (a valid policy
// set serves, a certificate is loaded, the caches are synced and the webhook
// server accepts TLS connections). A replica whose first load is rejected
// has no last good set: it stays unready rather than admit pods unpatched,
// so the replicas still serving keep serving and a rollout stalls visibly.
type probes struct {
	ready map[string]healthz.Checker
}

func newProbes(store *Store, certs *certificates, c *cluster) *probes {
	p := &probes{ready: map[string]healthz.Checker{
		"policies": func(*http.Request) error {
			if !store.Loaded() {
				return errPoliciesNotLoaded
			}
			if store.Current() == nil {
				return errNoPolicySet
			}
			return nil
		},
		"certificate": func(*http.Request) error {
			if !certs.loaded.Load() {
				return errNoCertificate
			}
			return nil
		},
	}}
	if c != nil {
		p.ready["caches"] = func(*http.Request) error {
			if !c.hasSynced() {
				return errCachesNotSynced
			}
			return nil
		}
	}
	return p
}

// handler returns the mux of both probes.
func (p *probes) handler() http.Handler {
	mux := http.NewServeMux()
	live := &healthz.Handler{Checks: map[string]healthz.Checker{"ping": healthz.Ping}}
	ready := &healthz.Handler{Checks: p.ready}
	mux.Handle("/healthz", http.StripPrefix("/healthz", live))
	mux.Handle("/healthz/", http.StripPrefix("/healthz", live))
	mux.Handle("/readyz", http.StripPrefix("/readyz", ready))
	mux.Handle("/readyz/", http.StripPrefix("/readyz", ready))
	return mux
}

// serveHTTP serves handler on addr until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- srv.Shutdown(shutdownCtx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return <-done
}
