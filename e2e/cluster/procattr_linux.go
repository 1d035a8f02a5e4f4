package cluster

import "syscall"

// childProcAttr puts a child in its own process group (so a terminal's
// Ctrl-C reaches only the harness, which then stops it in order) and asks
// the kernel to SIGKILL it if the harness dies without stopping it.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
