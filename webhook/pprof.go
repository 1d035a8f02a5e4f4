package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"

	"golang.org/x/sync/errgroup"
)

// startPprof serves Go's runtime profiles (net/http/pprof, under
// /debug/pprof/) on addr, plain HTTP and without authentication, as
// controller-runtime's manager does with PprofBindAddress. It is off unless
// addr is set: profiles expose the process's memory and cost CPU while
// taken, so bind it to localhost or reach it with kubectl port-forward.
func startPprof(ctx context.Context, g *errgroup.Group, addr string) error {
	if addr == "" || addr == "0" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	g.Go(func() error { return serveHTTP(ctx, ln, pprofHandler()) })
	return nil
}

// pprofHandler routes /debug/pprof/ on a mux of its own, not on
// http.DefaultServeMux, so that nothing else registered there is exposed.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
