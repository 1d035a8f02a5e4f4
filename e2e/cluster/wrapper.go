package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// deathSigWrapper returns the path of an executable that runs binary with the
// given arguments, killed by the kernel if its parent (the harness) dies.
// envtest starts etcd and kube-apiserver itself, in their own process group
// but without a parent-death signal; the wrapper adds one through
// util-linux's setpriv, exec'ing so envtest still signals the real process.
// Without setpriv the binary itself is returned.
func deathSigWrapper(workDir, binary string) (string, error) {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		return binary, nil
	}
	dir := filepath.Join(workDir, "wrappers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("wrapper directory: %w", err)
	}
	script := "#!/bin/sh\nexec " + shellQuote(setpriv) + " --pdeathsig KILL -- " +
		shellQuote(binary) + " \"$@\"\n"
	path := filepath.Join(dir, filepath.Base(binary))
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil { //nolint:gosec // an executable script, on purpose
		return "", fmt.Errorf("write wrapper for %s: %w", binary, err)
	}
	return path, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
