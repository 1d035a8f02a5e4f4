// Command noop is the no-op mutating webhook poolpatch's benchmarks compare
// against: the same TLS stack as `poolpatch serve` (controller-runtime's
// webhook server and its metrics, TLS 1.2 minimum, the same cipher suites,
// HTTP/1.1 only) and a webhook as controller-runtime mounts one
// (admission.Webhook decoding and answering the review) whose handler
// allows every request without a patch. (poolpatch decodes the reviews the
// API server writes in one pass of its own, webhook/review.go, and leaves
// any other body to admission.Webhook.) `make bench` builds it into
// bin/bench-noop.
//
// With --patch-file it is the fixed-patch webhook instead: every review is
// answered with the JSON patch read from the file at start (the benchmark
// writes poolpatch's patch for its pod there), so that what the API server
// pays to apply a patch is in the floor and only poolpatch's own work
// remains above it. With --last-review it also answers GET /last-review
// with the object of the latest review, so the benchmark can check that
// patch against poolpatch's answer to exactly what the API server sends.
//
// With --pprof-bind-address it serves Go's profiles there, as `poolpatch
// serve` does with the same flag, so that the benchmark can profile both.
//
//	bench-noop --port 9444 --cert-dir DIR [--host 127.0.0.1] [--patch-file F] [--last-review] [--pprof-bind-address A]
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/poolpatch/poolpatch/webhook"

	"github.com/go-logr/logr"

	"sigs.k8s.io/controller-runtime/pkg/log"
	ctrlwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Path is where the no-op webhook answers, as poolpatch's /mutate-pods.
const Path = "/mutate-pods"

func main() {
	host := flag.String("host", "127.0.0.1", "address to bind")
	port := flag.Int("port", 9444, "HTTPS port")
	certDir := flag.String("cert-dir", "", "directory holding tls.crt and tls.key")
	patchFile := flag.String("patch-file", "", "answer every review with the JSON patch in this file")
	keep := flag.Bool("last-review", false, "serve the latest review's object at "+LastReviewPath)
	pprofAddr := flag.String("pprof-bind-address", "", "address of /debug/pprof/ (off by default)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	h, err := newHandler(*patchFile, *keep)
	if err == nil && *pprofAddr != "" {
		err = servePprof(*pprofAddr)
	}
	if err == nil {
		err = run(ctx, *host, *port, *certDir, h)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-noop:", err)
		os.Exit(1)
	}
}

// run serves the no-op webhook until ctx ends.
func run(ctx context.Context, host string, port int, certDir string, h *handler) error {
	log.SetLogger(logr.Discard())
	srv := ctrlwebhook.NewServer(ctrlwebhook.Options{Host: host, Port: port, CertDir: certDir,
		TLSOpts: []func(*tls.Config){func(cfg *tls.Config) {
			cfg.MinVersion = tls.VersionTLS12
			cfg.CipherSuites = webhook.SecureCipherSuites
			cfg.NextProtos = []string{"http/1.1"}
		}}})
	srv.Register(Path, &admission.Webhook{Handler: h})
	if h.keep {
		srv.Register(LastReviewPath, http.HandlerFunc(h.serveLast))
	}
	if err := srv.Start(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// servePprof serves net/http/pprof on addr in the background; it fails
// only when addr cannot be bound.
func servePprof(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return nil
}
