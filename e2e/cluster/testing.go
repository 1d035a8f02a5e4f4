package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logTail is how many bytes of each component log StartForTest prints when
// a test fails.
const logTail = 4000

// StartForTest starts a cluster for t, failing t if it cannot, and stops it
// in t.Cleanup. Ctrl-C (SIGINT) and SIGTERM stop it too. When t fails, the
// work directory is kept and the end of each component log is printed.
// Tests that start a cluster must not run in parallel with each other:
// one control plane at a time (`go test -p 1`).
func StartForTest(t testing.TB, opts Options) *Cluster {
	t.Helper()
	opts.StopOnSignal = true
	if opts.Log == nil {
		opts.Log = testWriter{t}
	}
	if opts.WorkDir == "" {
		dir, err := os.MkdirTemp("", "poolpatch-e2e-"+sanitize(t.Name())+"-")
		if err != nil {
			t.Fatalf("work directory: %v", err)
		}
		opts.WorkDir = dir
	}
	c, err := Start(context.Background(), opts)
	if err != nil {
		printLogTails(t, opts.WorkDir)
		t.Fatalf("start cluster: %v", err)
	}
	c.ownWorkDir = true // made here: Stop removes it, a signal's Stop too
	t.Cleanup(func() {
		if t.Failed() {
			c.opts.KeepWorkDir = true
			printLogTails(t, c.workDir)
		}
		if err := c.Stop(); err != nil {
			t.Errorf("stop cluster: %v", err)
		}
	})
	return c
}

// printLogTails logs the end of each component log in dir.
func printLogTails(t testing.TB, dir string) {
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"} {
		data, err := os.ReadFile(filepath.Join(dir, name+".log"))
		if err != nil {
			continue
		}
		if len(data) > logTail {
			data = data[len(data)-logTail:]
		}
		t.Logf("--- end of %s.log (all logs in %s) ---\n%s", name, dir, data)
	}
}

// sanitize turns a test name into a file name.
func sanitize(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == os.PathSeparator {
			return '_'
		}
		return r
	}, name)
}

// testWriter sends the harness's progress lines to t.Log.
type testWriter struct{ t testing.TB }

// Write logs p as one line.
func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
