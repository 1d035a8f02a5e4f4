// Command benchreport runs poolpatch's benchmarks and prints a summary table
// followed by one `name value unit` line per figure; `make bench` runs it
// after building bin/. Sections, in the order run:
//
//   - unit (sections 1, 2, 5): policy.Apply for 1 to 5,000 policies and one
//     policy that cannot match; the /mutate-pods handler against its floor;
//     the reload of 1,000 policies (Go benchmarks, `go test -bench`)
//   - profile: CPU profiles of the engine, handler and preview benchmarks
//   - preview (6): poolpatch mutate on 100 and 5,000 pods
//   - https (3): poolpatch serve next to a no-op webhook, closed and open loop
//   - apiserver (4, 5): Pod creates through the harness API server in five
//     configurations (nothing, the no-op webhook, the fixed-patch webhook,
//     poolpatch, the MutatingAdmissionPolicy), each with the CPUs shared and
//     split (control plane on one CPU, webhooks on another); peak RSS with
//     1,000 policies and 10,000 namespaces
//
// Ratios compare figures taken in the same run; repeated figures are
// medians. Progress goes to stderr, the report to stdout, and the figures as
// JSON to -json for the chart.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/poolpatch/poolpatch/internal/repo"
	"github.com/poolpatch/poolpatch/internal/servingcert"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
)

// env is what every section shares.
type env struct {
	root, binDir, workDir, certDir string
	outDir                         string // profiles and test binaries
	apiProfiles                    bool   // CPU-profile kube-apiserver in round 1
	httpsProfiles                  bool   // CPU-profile the https section's servers in round 1
	examples                       string // the example policy file
	caPEM, review                  []byte // bench CA; the Spark executor's AdmissionReview
	client                         *http.Client
	log                            io.Writer

	count      int    // -count of the Go benchmarks
	benchtime  string // -benchtime of the Go benchmarks
	profileFor string // -benchtime of the profiled benchmarks
	rounds     int    // interleaved rounds of the process benchmarks
	warmup     time.Duration
	closedFor  time.Duration
	openFor    time.Duration
	seqPods    int
	concFor    time.Duration
	nsCount    int
}

func main() {
	jsonOut := flag.String("json", "", "also write the figures as JSON to this file")
	outDir := flag.String("profile-dir", "", "directory for CPU profiles and test binaries (default: a temporary one)")
	quick := flag.Bool("quick", false, "short runs, to check the benchmark itself")
	apiProfiles := flag.Bool("apiserver-profiles", false, "CPU-profile kube-apiserver during the first round's concurrent creates (into -profile-dir)")
	httpsProfiles := flag.Bool("https-profiles", false, "CPU-profile poolpatch and the no-op webhook during the https section's first closed-loop round (into -profile-dir)")
	binDir := flag.String("bin-dir", "", "directory holding the poolpatch and bench-noop binaries to run (default: the repository's bin/)")
	only := flag.String("only", "", "run only these sections: comma-separated of unit,profile,preview,https,apiserver")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	opts := runOptions{quick: *quick, apiProfiles: *apiProfiles, httpsProfiles: *httpsProfiles,
		only: *only, jsonOut: *jsonOut, outDir: *outDir, binDir: *binDir}
	if err := run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// runOptions are the command's flags.
type runOptions struct {
	quick, apiProfiles, httpsProfiles bool
	only, jsonOut, outDir, binDir     string
}

// run prepares the environment, runs the sections and prints the report.
func run(ctx context.Context, o runOptions) error {
	e, cleanup, err := newEnv(o.quick, o.outDir)
	if err != nil {
		return err
	}
	defer cleanup()
	e.apiProfiles, e.httpsProfiles = o.apiProfiles, o.httpsProfiles
	if o.binDir != "" {
		e.binDir = o.binDir
	}
	only, jsonOut := o.only, o.jsonOut
	r := &Report{}
	loadStart := loadAverage()
	sections := []struct {
		name string
		run  func(context.Context, *env, *Report) error
	}{
		{"unit", runUnitBenchmarks},
		{"profile", runProfiles},
		{"preview", runPreview},
		{"https", runHTTPS},
		{"apiserver", runAPIServer},
	}
	for _, s := range sections {
		if !selected(only, s.name) {
			continue
		}
		began := time.Now()
		fmt.Fprintf(e.log, "=== %s\n", s.name)
		if err := s.run(ctx, e, r); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(e.log, "=== %s done in %s\n", s.name, time.Since(began).Round(time.Second))
	}
	r.note("machine: %s; load average %s at the start, %s at the end", machine(), loadStart, loadAverage())
	if jsonOut != "" {
		if err := r.WriteJSON(jsonOut); err != nil {
			return err
		}
	}
	return r.Print(os.Stdout)
}

// newEnv finds the repository, writes the certificate and the review, and
// sets the durations (shorter with quick).
func newEnv(quick bool, outDir string) (*env, func(), error) {
	root, err := repo.Root()
	if err != nil {
		return nil, nil, err
	}
	work, err := os.MkdirTemp("", "poolpatch-bench-")
	if err != nil {
		return nil, nil, fmt.Errorf("work directory: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(work) }
	e := &env{root: root, binDir: filepath.Join(root, "bin"), workDir: work,
		certDir: filepath.Join(work, "certs"), examples: filepath.Join(root, fixture.ExamplePoliciesPath),
		outDir: outDir, log: os.Stderr, count: 5, benchtime: "500ms", profileFor: "2s", rounds: 3, warmup: 2 * time.Second,
		closedFor: 5 * time.Second, openFor: 10 * time.Second, seqPods: 100, concFor: 5 * time.Second, nsCount: 10000}
	if quick {
		e.count, e.benchtime, e.profileFor, e.rounds, e.warmup = 1, "100ms", "300ms", 2, 500*time.Millisecond
		e.closedFor, e.openFor, e.seqPods, e.concFor, e.nsCount = time.Second, 2*time.Second, 20, time.Second, 500
	}
	if e.outDir == "" {
		e.outDir = work
	}
	if err := os.MkdirAll(e.outDir, 0o755); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("profile directory: %w", err)
	}
	if err := os.Mkdir(e.certDir, 0o700); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("cert directory: %w", err)
	}
	if e.caPEM, err = servingcert.Write(e.certDir); err != nil {
		cleanup()
		return nil, nil, err
	}
	if e.review, err = fixture.SparkReview(root); err != nil {
		cleanup()
		return nil, nil, err
	}
	if e.client, err = webhookClient(e.caPEM, 64); err != nil {
		cleanup()
		return nil, nil, err
	}
	return e, cleanup, nil
}

// selected reports whether section is in the comma-separated list (all for "").
func selected(list, section string) bool {
	return list == "" || slices.Contains(strings.Split(list, ","), section)
}
