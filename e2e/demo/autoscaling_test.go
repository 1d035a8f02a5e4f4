package main

import (
	"bytes"
	"regexp"
	"testing"
)

// TestAutoscalingDemo runs the autoscaling demo, as `make demo` does, and
// checks that its output shows the pools grow from zero, the fallback at
// special01's limit, and consolidation back to zero.
func TestAutoscalingDemo(t *testing.T) {
	var out bytes.Buffer
	if err := runAutoscaling(t.Context(), &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	for _, tc := range []struct {
		name string
		want string // a regular expression the output must match
	}{
		{"six steps", `(?s)\[1/6\].*\[2/6\].*\[3/6\].*\[4/6\].*\[5/6\].*\[6/6\]`},
		{"pools start empty", `nodes: none\. Every pool starts at zero\.`},
		{"small job on one special01 node", `(?s)\[3/6\].*nodes per pool \(nodes/nodeclaims\): special01=1/1\n.*\[4/6\]`},
		{"driver on special01", `demo +etl-small-driver +\S+ +special01 +test-zone-. +spark-drivers\n`},
		{"big job: special01 at its limit, fallback01 for the rest", `(?s)\[4/6\].*nodes per pool \(nodes/nodeclaims\): fallback01=\d/\d special01=2/2\n.*\[5/6\]`},
		{"executor on fallback01", `demo +etl-big-driver-exec-\d +\S+ +fallback01 +test-zone-. +spark-executors\n`},
		{"consolidated to zero", `(?s)\[5/6\].*none \(terminating 0\)\n.*\[6/6\]`},
		{"clean stop", `done: every process stopped`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !regexp.MustCompile(tc.want).Match(out.Bytes()) {
				t.Errorf("output does not match %q:\n%s", tc.want, out.String())
			}
		})
	}
	if regexp.MustCompile(`general=|\bgeneral +test-zone`).Match(out.Bytes()) {
		t.Errorf("a general node or a pod on general:\n%s", out.String())
	}
}
