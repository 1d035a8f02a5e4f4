package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// profileLines is how many lines of each profile the report shows.
const profileLines = 14

// profiled are the benchmarks whose CPU profile explains a target: the
// engine with 500 policies, the handler, and the CLI's pipeline.
// Percentages are relative to focus: the measured call, without the
// benchmark's set-up.
var profiled = []struct{ name, pkg, bench, focus string }{
	{"engine", "./policy", "^BenchmarkApply$/^policies=500$", `policy\.Apply$`},
	{"handler", "./webhook", "^BenchmarkHandler$/^poolpatch$", `webhook\.\(\*reviewHandler\)\.ServeHTTP$`},
	{"preview", "./e2e/bench", "^BenchmarkPreview$", `bench\.BenchmarkPreview$`},
}

// profileKeep selects the profile lines worth reading: poolpatch's own
// functions, JSON, YAML and JSON-patch work, and the garbage collector.
var profileKeep = regexp.MustCompile(`poolpatch/poolpatch/(policy|webhook|internal)|jsonpatch|encoding/json\.(Unmarshal|Marshal)$|sigs\.k8s\.io/yaml\.|yaml/v[23]\.(Unmarshal|Marshal)|serializer/json\.\(\*Serializer\)\.Decode|runtime\.gcBgMarkWorker$|runtime\.mallocgc$`)

// runProfiles CPU-profiles each benchmark of profiled into e.outDir (the
// test binary next to it, for `go tool pprof`) and adds the top cumulative
// entries to the report.
func runProfiles(ctx context.Context, e *env, r *Report) error {
	for _, p := range profiled {
		prof := filepath.Join(e.outDir, p.name+".cpu.prof")
		bin := filepath.Join(e.outDir, p.name+".test")
		test := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", p.bench, "-benchtime", e.profileFor,
			"-cpuprofile", prof, "-o", bin, p.pkg)
		test.Dir, test.Stdout, test.Stderr = e.root, e.log, e.log
		if err := test.Run(); err != nil {
			return fmt.Errorf("profile %s: %w", p.name, err)
		}
		var out bytes.Buffer
		top := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount", "200",
			"-focus", p.focus, "-relative_percentages", bin, prof)
		top.Stdout, top.Stderr = &out, e.log
		if err := top.Run(); err != nil {
			return fmt.Errorf("pprof %s: %w", p.name, err)
		}
		r.profile(p.name, fmt.Sprintf("go tool pprof %s %s", bin, prof), keepLines(out.String()))
	}
	return nil
}

// keepLines returns the first profileLines lines of a `pprof -top -cum`
// listing that profileKeep selects, as "cum% function".
func keepLines(listing string) []string {
	var out []string
	for _, line := range strings.Split(listing, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasSuffix(f[4], "%") || !profileKeep.MatchString(f[5]) {
			continue
		}
		out = append(out, fmt.Sprintf("%6s  %s", f[4], strings.Join(f[5:], " ")))
		if len(out) == profileLines {
			break
		}
	}
	return out
}
