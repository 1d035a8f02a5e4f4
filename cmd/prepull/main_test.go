package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInstallAndRun builds the real binary, installs it into a directory as
// the install init container does, and runs the copy as a prepull container
// does.
func TestInstallAndRun(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "prepull-built")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	shared := filepath.Join(dir, "shared")
	if err := os.Mkdir(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a restarted install container must succeed again
		if out, err := exec.Command(bin, "--install", shared).CombinedOutput(); err != nil {
			t.Fatalf("install: %v\n%s", err, out)
		}
	}
	installed := filepath.Join(shared, installName)
	info, err := os.Stat(installed)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm()&0o111 == 0 {
		t.Errorf("installed copy is not executable: %v", info.Mode())
	}
	if size := info.Size(); size > 2<<20 {
		t.Errorf("installed copy is %d bytes, want under 2 MiB (the volume's sizeLimit is 4Mi)", size)
	}
	if out, err := exec.Command(installed).CombinedOutput(); err != nil {
		t.Errorf("running the copy: %v\n%s", err, out)
	}
	checkSleep(t, installed)
	entries, _ := os.ReadDir(shared)
	if len(entries) != 1 {
		t.Errorf("shared dir holds %d entries, want only the copy", len(entries))
	}
}

func TestRunArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no arguments exits 0", nil, 0},
		{"unknown flag", []string{"--bogus"}, 2},
		{"install without dir", []string{"--install"}, 2},
		{"install into a missing dir", []string{"--install", filepath.Join(t.TempDir(), "missing")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(tt.args); got != tt.want {
				t.Errorf("run(%q) = %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}

// checkSleep runs the binary as a headroom placeholder does: it must keep
// running until SIGTERM, then exit 0 at once.
func checkSleep(t *testing.T, bin string) {
	t.Helper()
	cmd := exec.Command(bin, "--sleep")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The line is written once the handler is installed: a signal sent
	// earlier would meet the runtime's default and kill the process.
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if !strings.Contains(line, "sleeping until SIGTERM") {
		t.Fatalf("--sleep wrote %q, %v; want its sleeping line", line, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("--sleep after SIGTERM: %v, want exit 0", err)
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("--sleep still running 5s after SIGTERM")
	}
}
