//go:build unix && !linux

package cluster

import "syscall"

// childProcAttr puts a child in its own process group. Outside Linux there is
// no parent-death signal: Stop and the signal handler must run.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
