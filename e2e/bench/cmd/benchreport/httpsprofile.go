package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// httpsPprofAddrs returns, with -https-profiles, a free localhost address
// for poolpatch's and the no-op's /debug/pprof/ each; two empty ones
// otherwise.
func httpsPprofAddrs(e *env) ([2]string, error) {
	var addrs [2]string
	if !e.httpsProfiles {
		return addrs, nil
	}
	ports, err := freePorts(2)
	if err != nil {
		return addrs, err
	}
	for i, p := range ports {
		addrs[i] = fmt.Sprintf("127.0.0.1:%d", p)
	}
	return addrs, nil
}

// pprofFlag is the server flag serving /debug/pprof/ on addr, none for "".
func pprofFlag(addr string) []string {
	if addr == "" {
		return nil
	}
	return []string{"--pprof-bind-address", addr}
}

// profileHTTPS takes, in the first round only and when s serves pprof, a
// CPU profile of s during its closed loop into e.outDir/<name>.cpu.prof
// (`go tool pprof -top FILE`; the profile carries its symbols). The channel
// yields the outcome once the profile is written, nil at once when not
// profiling. Profiling costs the server a little CPU, so the figures of a
// profiled run read a few percent low.
func profileHTTPS(ctx context.Context, e *env, s *server, round int) <-chan error {
	done := make(chan error, 1)
	if s.pprof == "" || round != 0 {
		done <- nil
		return done
	}
	seconds := max(int((e.closedFor - time.Second).Seconds()), 1)
	go func() {
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.pprof, seconds)
		path := filepath.Join(e.outDir, s.name+".cpu.prof")
		if err := fetchTo(ctx, url, path); err != nil {
			done <- fmt.Errorf("%s profile: %w", s.name, err)
			return
		}
		fmt.Fprintf(e.log, "%s CPU profile: %s\n", s.name, path)
		done <- nil
	}()
	return done
}

// fetchTo writes the body of a GET of url to path.
func fetchTo(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
