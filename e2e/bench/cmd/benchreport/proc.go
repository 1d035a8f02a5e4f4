package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// 100 on every Linux build that matters).
const clockTick = 10 * time.Millisecond

// stopGrace is how long a server gets to exit after SIGTERM.
const stopGrace = 10 * time.Second

// server is a webhook server process started by the benchmark.
type server struct {
	name string
	url  string // https://127.0.0.1:PORT/mutate-pods
	// pprof is the address of its /debug/pprof/, when it serves one.
	pprof string
	cmd   *exec.Cmd
	log   *os.File
	done  chan error
}

// startServer runs bin with args as a child that dies with this process,
// logging to <workDir>/<name>.log, and waits until ready returns nil.
func startServer(ctx context.Context, workDir, name, url, bin string, env []string, ready func() error, args ...string) (*server, error) {
	log, err := os.Create(filepath.Join(workDir, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("%s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, url: url, cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := ready()
		if err == nil {
			return s, nil
		}
		select {
		case exitErr := <-s.done:
			s.done <- exitErr
			_ = log.Close()
			return nil, fmt.Errorf("%s exited before it was ready (log %s): %w", name, log.Name(), exitErr)
		case <-ctx.Done():
			return nil, errors.Join(fmt.Errorf("wait for %s: %w", name, ctx.Err()), s.stop())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, errors.Join(fmt.Errorf("%s not ready after 60s (log %s): %w", name, log.Name(), err), s.stop())
		}
	}
}

// pid is the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// stop sends SIGTERM, waits for the exit (SIGKILL after stopGrace) and
// closes the log.
func (s *server) stop() error {
	defer s.log.Close()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(stopGrace):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("%s did not stop within %s, killed", s.name, stopGrace)
	}
}

// cpuTime is the user plus system CPU time the process has used, all
// threads, from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu time: %w", err)
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14 and stime 15.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, fmt.Errorf("cpu time: short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu time: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// statusKB reads a "Name:   1234 kB" line of /proc/PID/status, such as
// VmHWM (peak resident set) or VmRSS.
func statusKB(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", field, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// freePort returns a TCP port free a moment ago on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// controlPlaneCPU is the CPU time used so far by this process's
// descendants named kube-apiserver or etcd: the harness's API server and
// its storage, whatever else runs on the machine.
func controlPlaneCPU() (time.Duration, error) {
	pids, err := descendants("kube-apiserver", "etcd")
	if err != nil {
		return 0, fmt.Errorf("control plane cpu: %w", err)
	}
	var total time.Duration
	for _, pid := range pids {
		t, err := cpuTime(pid)
		if err != nil {
			return 0, err
		}
		total += t
	}
	return total, nil
}

// descendants returns the ids of this process's descendants whose command
// is one of names.
func descendants(names ...string) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // exited meanwhile
		}
		fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
		if len(fields) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var out []int
	queue := []int{os.Getpid()}
	for len(queue) > 0 {
		pid := queue[0]
		queue = append(queue[1:], children[pid]...)
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil {
			continue
		}
		// comm holds the first 15 bytes of the name (TASK_COMM_LEN).
		name := strings.TrimSpace(string(comm))
		if slices.ContainsFunc(names, func(n string) bool { return n[:min(len(n), 15)] == name }) {
			out = append(out, pid)
		}
	}
	return out, nil
}
