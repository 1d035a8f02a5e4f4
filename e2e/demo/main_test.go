package main

import (
	"bytes"
	"regexp"
	"testing"
)

// TestDemo runs the whole demo, as `make demo` does, and checks that its
// output shows each step with the placements it promises.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	for _, tc := range []struct {
		name string
		want string // a regular expression the output must match
	}{
		{"six steps", `(?s)\[1/6\].*\[2/6\].*\[3/6\].*\[4/6\].*\[5/6\].*\[6/6\]`},
		{"web on special01", `demo +web-\S+ +special01-zone-.-0 +special01 +zone-. +web\n`},
		{"driver on special01", `demo +spark-pi-driver +special01-\S+ +special01 +zone-(.) +spark-drivers\n`},
		{"executors on fallback01", `demo +spark-pi-driver-exec-1 +fallback01-\S+ +fallback01 +zone-. +spark-executors\n`},
		{"job on special01", `demo +nightly-etl-\S+ +special01-\S+ +special01 +zone-. +batch-jobs\n`},
		{"fallback", `(?s)\[4/6\].*web-\S+ +fallback01-\S+ +fallback01.*\[5/6\]`},
		{"hot reload", `(?s)\[5/6\].*configmap/poolpatch-policies configured.*web-\S+ +fallback01-\S+ +fallback01.*\[6/6\]`},
		{"clean stop", `done: every process stopped`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !regexp.MustCompile(tc.want).Match(out.Bytes()) {
				t.Errorf("output does not match %q:\n%s", tc.want, out.String())
			}
		})
	}
	// The nodes table of step 1 names the general pool; no pod may land there.
	if i := bytes.Index(out.Bytes(), []byte("[3/6]")); i < 0 || onGeneral.Match(out.Bytes()[i:]) {
		t.Errorf("no step 3, or a pod landed on the general pool:\n%s", out.String())
	}
}

// onGeneral matches a placement table row on the general pool.
var onGeneral = regexp.MustCompile(`general-zone-.-0 +general `)
