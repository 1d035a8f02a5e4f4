package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// profileAPIServer takes, when e.apiProfiles is set and in the first round
// only, a CPU profile of kube-apiserver during the concurrent creates of
// cfg into e.outDir/apiserver-<cfg>.cpu.prof (read it with `go tool pprof`;
// the profile carries its symbols). The returned channel yields the outcome
// once the profile is written; it yields nil at once when not profiling.
// Profiling costs the API server a little CPU, so it is off by default.
func (b *apiBench) profileAPIServer(ctx context.Context, cfg apiConfig, round int) <-chan error {
	done := make(chan error, 1)
	if !b.e.apiProfiles || round != 0 {
		done <- nil
		return done
	}
	seconds := max(int((b.e.concFor - time.Second).Seconds()), 1)
	go func() {
		raw, err := b.cs.CoreV1().RESTClient().Get().AbsPath("/debug/pprof/profile").
			Param("seconds", strconv.Itoa(seconds)).DoRaw(ctx)
		if err != nil {
			done <- fmt.Errorf("kube-apiserver profile: %w", err)
			return
		}
		path := filepath.Join(b.e.outDir, "apiserver-"+cfg.name+".cpu.prof")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			done <- fmt.Errorf("kube-apiserver profile: %w", err)
			return
		}
		fmt.Fprintf(b.e.log, "kube-apiserver CPU profile under %s: %s\n", cfg.name, path)
		done <- nil
	}()
	return done
}
