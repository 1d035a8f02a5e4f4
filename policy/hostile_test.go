package policy

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Bounds on loading one hostile policy file: generous for what the loader
// needs (milliseconds, a few MiB), far below what an unbounded alias
// expansion or error flood takes (seconds to minutes, gigabytes).
const (
	hostileLoadTime  = 2 * time.Second
	hostileLoadAlloc = 64 << 20
	// hostileLineMax bounds one error line: a path, a message and values
	// quoted shortened.
	hostileLineMax = 600
)

// wantLine is a comment of a hostile file naming an error it must produce:
// "# want LINE:COL: substring of the message".
var wantLine = regexp.MustCompile(`(?m)^# want (\d+:\d+): (.+)$`)

// TestHostilePolicies loads every file of testdata/hostile/policies (alias
// bombs well typed or not, deep nesting, wrong types, values the API server
// rejects in a pod, error floods, binary, tabs, tags): each is refused
// whole, with every error on one line of its own naming the file, at most
// MaxErrorsPerSource of them and a count, each shorter than hostileLineMax,
// including the errors its "# want" comments name, within hostileLoadTime
// and hostileLoadAlloc.
func TestHostilePolicies(t *testing.T) {
	paths, err := filepath.Glob("../testdata/hostile/policies/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no hostile policies: %v", err)
	}
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			list, took, alloc := loadHostile(t, name, data)
			checkErrorLines(t, name, list)
			text := list.Error()
			for _, m := range wantLine.FindAllStringSubmatch(string(data), -1) {
				if want := name + ":" + m[1] + ": "; !hasErrorAt(list, want, m[2]) {
					t.Errorf("no error %s...%s", want, m[2])
				}
			}
			if t.Failed() {
				t.Logf("errors:\n%.4000s", text)
			}
			if took > hostileLoadTime {
				t.Errorf("took %s, over %s", took, hostileLoadTime)
			}
			if alloc > hostileLoadAlloc {
				t.Errorf("allocated %d MiB, over %d MiB", alloc>>20, hostileLoadAlloc>>20)
			}
			t.Logf("%d errors (%d bytes) in %s, %d KiB allocated; first: %.120s",
				len(list), len(text), took.Round(time.Microsecond), alloc>>10, list[0].Error())
		})
	}
}

// loadHostile loads data as one source and returns its ErrorList, the time
// taken and the bytes allocated meanwhile.
func loadHostile(t *testing.T, name string, data []byte) (ErrorList, time.Duration, uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	set, err := Load(Source{Name: name, Data: data})
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if set != nil || err == nil {
		t.Fatalf("loaded %d policies, want a rejection", set.Len())
	}
	var list ErrorList
	if !errors.As(err, &list) || !errors.Is(err, ErrInvalid) || len(list) == 0 {
		t.Fatalf("rejection is not a positioned ErrorList: %v", err)
	}
	return list, took, after.TotalAlloc - before.TotalAlloc
}

// checkErrorLines checks what every rejection must look like: one error a
// line, file:line:col first, short lines, a bounded count.
func checkErrorLines(t *testing.T, name string, list ErrorList) {
	t.Helper()
	if len(list) > MaxErrorsPerSource+1 {
		t.Errorf("%d errors, want at most %d and a count", len(list), MaxErrorsPerSource)
	}
	position := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `:[1-9]\d*:[1-9]\d*: \S`)
	for _, e := range list {
		line := e.Error()
		switch {
		case strings.ContainsAny(line, "\r\n"):
			t.Errorf("error on several lines: %q", line)
		case !position.MatchString(line):
			t.Errorf("error without file:line:col: %.200q", line)
		case len(line) > hostileLineMax:
			t.Errorf("error of %d bytes, over %d: %.200q", len(line), hostileLineMax, line)
		}
	}
}

func hasErrorAt(list ErrorList, prefix, substring string) bool {
	for _, e := range list {
		if line := e.Error(); strings.HasPrefix(line, prefix) && strings.Contains(line, substring) {
			return true
		}
	}
	return false
}
