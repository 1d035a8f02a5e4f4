package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileLoadTime bounds the loading of one hostile policy file.
const hostileLoadTime = 2 * time.Second

// TestHostilePolicies loads every file of testdata/hostile/policies (alias
// bombs, deep nesting, wrong types, values the API server rejects in a pod,
// binary, tabs, tags): each is refused whole, with positioned errors naming
// the file, within hostileLoadTime.
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
			start := time.Now()
			set, err := Load(Source{Name: name, Data: data})
			took := time.Since(start)
			if set != nil || err == nil {
				t.Fatalf("loaded %d policies, want a rejection", set.Len())
			}
			var list ErrorList
			if !errors.As(err, &list) || !errors.Is(err, ErrInvalid) || len(list) == 0 {
				t.Fatalf("rejection is not a positioned ErrorList: %v", err)
			}
			for _, e := range list {
				if !strings.HasPrefix(e.Error(), name+":") {
					t.Errorf("error without its file: %q", e.Error())
				}
			}
			if took > hostileLoadTime {
				t.Errorf("took %s, over %s", took, hostileLoadTime)
			}
			t.Logf("%d errors in %s, first: %.120s", len(list), took.Round(time.Microsecond), list[0].Error())
		})
	}
}
