package webhook

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPprof: --pprof-bind-address serves Go's profiles, on a mux of their
// own (nothing else of the process is there).
func TestPprof(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	startServer(t, Options{PolicyFile: examplePolicies, PprofBindAddress: addr})
	for path, want := range map[string]int{
		"/debug/pprof/":                  http.StatusOK,
		"/debug/pprof/heap?debug=1":      http.StatusOK,
		"/debug/pprof/profile?seconds=1": http.StatusOK,
		"/metrics":                       http.StatusNotFound,
		"/readyz":                        http.StatusNotFound,
	} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", path, resp.StatusCode, want)
		}
		if path == "/debug/pprof/heap?debug=1" && !strings.Contains(string(body), "heap profile") {
			t.Errorf("GET %s: not a heap profile: %.100s", path, body)
		}
	}
}
