package cluster

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// makeWorkDir creates the work directory, a temporary one unless set.
func (c *Cluster) makeWorkDir() error {
	if c.workDir != "" {
		if err := os.MkdirAll(c.workDir, 0o700); err != nil {
			return fmt.Errorf("work directory: %w", err)
		}
		return nil
	}
	dir, err := os.MkdirTemp("", "poolpatch-e2e-")
	if err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	c.workDir, c.ownWorkDir = dir, true
	return nil
}

// Stop stops every process the cluster started, in reverse order, and
// removes its temporary work directory unless Options.KeepWorkDir is set.
// It is safe to call more than once and from several goroutines.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() { c.stopErr = c.stop() })
	return c.stopErr
}

// stop does the work of Stop, collecting every error.
func (c *Cluster) stop() error {
	var errs []error
	if c.stopNodes != nil {
		c.stopNodes()
		<-c.nodesDone
	}
	c.procsMu.Lock()
	procs := c.procs
	c.procsMu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		errs = append(errs, procs[i].stop())
	}
	if c.env != nil {
		if err := c.env.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop etcd and kube-apiserver: %w", err))
		}
	}
	for _, f := range c.logs {
		_ = f.Close()
	}
	if c.stopSig != nil {
		c.stopSig()
	}
	if c.lock != nil {
		errs = append(errs, c.lock.Close())
	}
	switch {
	case c.opts.KeepWorkDir:
		c.logf("logs kept in %s", c.workDir)
	case c.ownWorkDir:
		errs = append(errs, os.RemoveAll(c.workDir))
	}
	return errors.Join(errs...)
}

// stopOnSignal stops c and exits on SIGINT or SIGTERM. The returned function
// removes the handler.
func stopOnSignal(c *Cluster) func() {
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-ch:
			c.logf("%s: stopping the control plane", sig)
			_ = c.Stop()
			code := 130
			if sig == syscall.SIGTERM {
				code = 143
			}
			os.Exit(code)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
