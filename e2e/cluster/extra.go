package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"time"
)

// Process is a command the cluster runs beside its control plane, such as
// Karpenter or KWOK, and stops with it: by Stop (before the control plane,
// newest first), on SIGINT/SIGTERM when Options.StopOnSignal is set, and
// through the parent-death signal when the harness's process dies.
type Process struct {
	// Name names the process in messages and its log, <WorkDir>/<Name>.log.
	Name string
	// Path is the executable; a relative path is taken from BinDir.
	Path string
	// Args are its arguments.
	Args []string
	// Env is added to the harness's own environment.
	Env []string
	// HealthURL, when set, is polled over plain HTTP until it answers 200.
	HealthURL string
}

// StartProcess starts p and, when p.HealthURL is set, waits (at most
// Options.StartTimeout) until it answers 200. A process that fails to start
// or to become healthy is stopped again; one that started is stopped with
// the cluster.
func (c *Cluster) StartProcess(ctx context.Context, p Process) error {
	path := p.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.binDir, path)
	}
	proc, err := startProcess(p.Name, path, c.LogPath(p.Name), p.Args, p.Env)
	if err != nil {
		return err
	}
	if p.HealthURL != "" {
		waitCtx, cancel := context.WithTimeout(ctx, c.opts.StartTimeout)
		defer cancel()
		if err := pollHealthy(waitCtx, proc, &http.Client{Timeout: 2 * time.Second}, p.HealthURL); err != nil {
			return errors.Join(fmt.Errorf("start %s: %w", p.Name, err), proc.stop())
		}
	}
	c.addProc(proc)
	c.logf("%s healthy", p.Name)
	return nil
}

// Exited reports, for a process started with StartProcess, an error when it
// has ended (with the path of its log), and nil while it runs.
func (c *Cluster) Exited(name string) error {
	c.procsMu.Lock()
	defer c.procsMu.Unlock()
	for _, p := range c.procs {
		if p.name != name {
			continue
		}
		if done, err := p.exited(); done {
			return err
		}
		return nil
	}
	return fmt.Errorf("no process %q", name)
}

// LogPath is where the log of the process or component name goes.
func (c *Cluster) LogPath(name string) string {
	return filepath.Join(c.workDir, name+".log")
}

// addProc records a running process for Stop.
func (c *Cluster) addProc(p *process) {
	c.procsMu.Lock()
	defer c.procsMu.Unlock()
	c.procs = append(c.procs, p)
}
