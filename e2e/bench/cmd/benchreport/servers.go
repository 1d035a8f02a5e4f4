package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
)

// startPoolpatch runs `bin/poolpatch serve` on a free port with the bench
// certificate and policyFile, against the cluster of kubeconfig, or with no
// cluster for "", on the webhook's CPU of split if not nil, with the extra
// serve flags given. It is ready once
// /readyz says so (policies loaded, certificate loaded, caches synced) and a
// review is answered.
func startPoolpatch(ctx context.Context, e *env, name, policyFile, kubeconfig string, split *cpuSplit, extra ...string) (*server, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/mutate-pods", ports[0])
	readyz := fmt.Sprintf("http://127.0.0.1:%d/readyz", ports[2])
	args := []string{"serve", "--policy-file", policyFile, "--port", strconv.Itoa(ports[0]),
		"--cert-dir", e.certDir,
		"--metrics-bind-address", fmt.Sprintf("127.0.0.1:%d", ports[1]),
		"--health-probe-bind-address", fmt.Sprintf("127.0.0.1:%d", ports[2])}
	args = append(args, extra...)
	environ := []string{"KUBERNETES_SERVICE_HOST="}
	if kubeconfig != "" {
		args = append(args, "--kubeconfig", kubeconfig)
	} else {
		environ = append(environ, "KUBECONFIG="+filepath.Join(e.workDir, "no-kubeconfig"))
	}
	ready := func() error {
		resp, err := http.Get(readyz)
		if err != nil {
			return fmt.Errorf("readyz: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: status %d", resp.StatusCode)
		}
		return post(ctx, e.client, url, e.review)
	}
	return launch(ctx, e, name, url, filepath.Join(e.binDir, "poolpatch"), environ, split, ready, args...)
}

// startNoop runs bin/bench-noop on a free port with the bench certificate
// and the flags given (--patch-file makes it the fixed-patch webhook), on
// the webhook's CPU of split if not nil.
func startNoop(ctx context.Context, e *env, name string, split *cpuSplit, flags ...string) (*server, error) {
	ports, err := freePorts(1)
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/mutate-pods", ports[0])
	ready := func() error { return post(ctx, e.client, url, e.review) }
	args := append([]string{"--port", strconv.Itoa(ports[0]), "--cert-dir", e.certDir}, flags...)
	return launch(ctx, e, name, url, filepath.Join(e.binDir, "bench-noop"), nil, split, ready, args...)
}

// launch starts a webhook server; with split, pinned to the webhook's CPU
// with GOMAXPROCS=1 (a one-core worker's share), and checked to be so.
func launch(ctx context.Context, e *env, name, url, bin string, environ []string, split *cpuSplit, ready func() error, args ...string) (*server, error) {
	if split == nil {
		return startServer(ctx, e.workDir, name, url, bin, environ, ready, args...)
	}
	bin, args = split.pinWebhook(bin, args)
	s, err := startServer(ctx, e.workDir, name, url, bin, append(environ, "GOMAXPROCS=1"), ready, args...)
	if err != nil {
		return nil, err
	}
	if err := split.checkPinned(s.pid(), split.webhook); err != nil {
		return nil, errors.Join(err, s.stop())
	}
	return s, nil
}

// freePorts returns n distinct free ports.
func freePorts(n int) ([]int, error) {
	seen := map[int]bool{}
	var ports []int
	for len(ports) < n {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return ports, nil
}
