package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// controlPlaneCommands are the harness's control-plane processes, all
// pinned to the control plane's CPU in the split configuration.
var controlPlaneCommands = []string{"kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler"}

// cpuSplit is the split configuration: the control plane on one CPU, the
// webhook servers (and the creating clients, which in a cluster run
// elsewhere too) on another, as when the webhook runs on a worker node. It
// uses taskset (util-linux, on every Debian) so that what is pinned can be
// checked by hand with `taskset -p PID` while the benchmark runs.
type cpuSplit struct {
	taskset      string
	controlPlane string // CPU of the control plane, as taskset takes it
	webhook      string // CPU of the webhook servers and this process
	all          string // the CPUs this process was allowed at the start
}

// newCPUSplit picks the first two CPUs this process may run on, or says
// why the split configuration cannot run here.
func newCPUSplit() (*cpuSplit, error) {
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return nil, fmt.Errorf("split CPUs need taskset (util-linux): %w", err)
	}
	all, err := allowedCPUs()
	if err != nil {
		return nil, err
	}
	cpus, err := parseCPUList(all)
	if err != nil {
		return nil, err
	}
	if len(cpus) < 2 {
		return nil, fmt.Errorf("split CPUs need two CPUs, this process may use %q", all)
	}
	return &cpuSplit{taskset: taskset, controlPlane: strconv.Itoa(cpus[0]), webhook: strconv.Itoa(cpus[1]), all: all}, nil
}

// pinWebhook returns the command line that runs bin with args on the
// webhook's CPU (taskset execs it: the process id stays bin's).
func (s *cpuSplit) pinWebhook(bin string, args []string) (string, []string) {
	return s.taskset, append([]string{"-c", s.webhook, bin}, args...)
}

// pin moves the control plane to its CPU and this process to the webhook's,
// and checks that the API server's threads are there.
func (s *cpuSplit) pin() error {
	if err := s.set(s.controlPlane, s.webhook); err != nil {
		return err
	}
	pids, err := descendants("kube-apiserver", "etcd")
	if err != nil {
		return err
	}
	for _, pid := range pids {
		if err := s.checkPinned(pid, s.controlPlane); err != nil {
			return err
		}
	}
	return nil
}

// unpin gives the control plane and this process all their CPUs back.
func (s *cpuSplit) unpin() error {
	return s.set(s.all, s.all)
}

// set sets the affinity of every thread of the control plane's processes
// and of this one (threads started later inherit it).
func (s *cpuSplit) set(controlPlane, self string) error {
	pids, err := descendants(controlPlaneCommands...)
	if err != nil {
		return err
	}
	if len(pids) == 0 {
		return errors.New("pin: no control-plane process found")
	}
	var errs []error
	for _, pid := range pids {
		errs = append(errs, s.taskSet(controlPlane, pid))
	}
	errs = append(errs, s.taskSet(self, os.Getpid()))
	return errors.Join(errs...)
}

// checkPinned fails unless every thread of pid may run on cpus only.
func (s *cpuSplit) checkPinned(pid int, cpus string) error {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return fmt.Errorf("check affinity: %w", err)
	}
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, t.Name()))
		if err != nil {
			continue // exited meanwhile
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok && strings.TrimSpace(v) != cpus {
				return fmt.Errorf("thread %s of %d may run on CPUs %s, not %s", t.Name(), pid, strings.TrimSpace(v), cpus)
			}
		}
	}
	return nil
}

// taskSet runs `taskset -a -p -c cpus pid`.
func (s *cpuSplit) taskSet(cpus string, pid int) error {
	out, err := exec.Command(s.taskset, "-a", "-p", "-c", cpus, strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset -a -p -c %s %d: %w: %s", cpus, pid, err, out)
	}
	return nil
}

// allowedCPUs is this process's Cpus_allowed_list, such as "0-1".
func allowedCPUs() (string, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "", fmt.Errorf("allowed CPUs: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("allowed CPUs: no Cpus_allowed_list in /proc/self/status")
}

// parseCPUList expands a kernel CPU list ("0-2,4") into CPU numbers.
func parseCPUList(list string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(list, ",") {
		lo, hi, ranged := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("CPU list %q: %w", list, err)
		}
		b := a
		if ranged {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("CPU list %q: %w", list, err)
			}
		}
		for cpu := a; cpu <= b; cpu++ {
			out = append(out, cpu)
		}
	}
	return out, nil
}
