package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockName is the machine-wide lock that keeps two harness control planes
// from running at once (two test packages run in parallel by mistake, or a
// test next to `make demo`): on 2 cores they would starve each other.
const lockName = "poolpatch-e2e-control-plane.lock"

// lockWaitLog is how long Start waits for the lock before saying so.
const lockWaitLog = 2 * time.Second

// AcquireLock takes the control-plane lock, waiting for its holder to stop
// or ctx to end. The returned file is the lock; closing it releases it.
func AcquireLock(ctx context.Context, logf func(string, ...any)) (*os.File, error) {
	path := filepath.Join(os.TempDir(), lockName)
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
		if !told && time.Since(began) > lockWaitLog {
			logf("waiting for another control plane to stop (lock %s)", path)
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
