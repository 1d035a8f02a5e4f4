package chart

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// controlPlaneLock is the machine-wide lock e2e/cluster takes around its
// control plane (same file, same flock protocol): holding it keeps this
// package's API server from running next to another suite's or `make demo`
// on a 2-core machine.
const controlPlaneLock = "poolpatch-e2e-control-plane.lock"

// acquireControlPlaneLock waits for the lock until ctx ends. Closing the
// returned file releases it.
func acquireControlPlaneLock(ctx context.Context) (*os.File, error) {
	path := filepath.Join(os.TempDir(), controlPlaneLock)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("control-plane lock: %w", err)
	}
	began, told := time.Now(), false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("control-plane lock %s: %w", path, err)
		}
		if !told && time.Since(began) > 2*time.Second {
			fmt.Fprintf(os.Stderr, "waiting for another control plane to stop (lock %s)\n", path)
			told = true
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("control-plane lock %s: %w", path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
