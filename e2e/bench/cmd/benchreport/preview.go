package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
)

// previewSizes are the stream lengths of section 6; the per-pod cost is the
// slope between them.
var previewSizes = [2]int{100, 5000}

// runPreview measures section 6: `bin/poolpatch mutate` with the example
// policies on YAML streams of Spark executors, wall time and peak RSS (the
// child's rusage), rounds interleaved.
func runPreview(ctx context.Context, e *env, r *Report) error {
	var files [2]string
	for i, n := range previewSizes {
		path, err := writePodStream(e, n)
		if err != nil {
			return err
		}
		files[i] = path
	}
	var secs, rss [2][]float64
	for round := range e.rounds + 1 {
		for i := range previewSizes {
			took, maxRSS, err := runMutate(ctx, e, files[i])
			if err != nil {
				return err
			}
			if round == 0 {
				continue // warm-up: page cache
			}
			secs[i] = append(secs[i], took.Seconds())
			rss[i] = append(rss[i], float64(maxRSS)/1024)
		}
	}
	for i, n := range previewSizes {
		r.add("preview", fmt.Sprintf("preview_%d_pods", n), median(secs[i]), "s")
	}
	slope := (median(secs[1]) - median(secs[0])) / float64(previewSizes[1]-previewSizes[0]) * 1e6
	r.add("preview", "preview_per_pod", slope, "us")
	r.addTarget("preview", "preview_us_per_pod", slope, "us", "<=", 200)
	r.add("preview", fmt.Sprintf("preview_rss_%d_pods", previewSizes[0]), median(rss[0]), "MiB")
	r.add("preview", fmt.Sprintf("preview_rss_%d_pods", previewSizes[1]), median(rss[1]), "MiB")
	r.addTarget("preview", "preview_peak_rss_mib", median(rss[1]), "MiB", "<=", 128)
	return nil
}

// writePodStream writes n Spark executors as one YAML stream and returns
// its path.
func writePodStream(e *env, n int) (string, error) {
	data, err := fixture.PodStream(e.root, n)
	if err != nil {
		return "", err
	}
	path := filepath.Join(e.workDir, fmt.Sprintf("pods-%d.yaml", n))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("write pods: %w", err)
	}
	return path, nil
}

// runMutate runs `poolpatch mutate` on manifest, output discarded, and
// returns its wall time and peak RSS in KiB (wait4's ru_maxrss).
func runMutate(ctx context.Context, e *env, manifest string) (time.Duration, int64, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(e.binDir, "poolpatch"), "mutate",
		"-p", e.examples, "-f", manifest)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // one warning a pod: the executors have no replicated owner
	began := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("poolpatch mutate %s: %w: %.300s", manifest, err, stderr.String())
	}
	took := time.Since(began)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, fmt.Errorf("poolpatch mutate: no rusage")
	}
	return took, ru.Maxrss, nil
}
