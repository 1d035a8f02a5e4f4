package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
)

// benchSample is one result line of `go test -bench`.
type benchSample struct {
	nsPerOp     float64
	allocsPerOp float64
}

// benchLine matches a result line: name (without the -GOMAXPROCS suffix),
// ns/op and, with -benchmem, allocs/op.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ B/op\s+([\d.]+) allocs/op)?`)

// runGoBench runs the Go benchmarks matching pattern in pkgs, one package at
// a time, count times each, and returns the samples per benchmark name.
func runGoBench(ctx context.Context, root, pattern string, count int, benchtime string, log io.Writer, pkgs ...string) (map[string][]benchSample, error) {
	args := append([]string{"test", "-p", "1", "-run", "^$", "-bench", pattern, "-benchmem",
		"-count", strconv.Itoa(count), "-benchtime", benchtime}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, log)
	cmd.Stderr = log
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %v: %w", args, err)
	}
	return parseGoBench(&out)
}

// parseGoBench collects the result lines of `go test -bench` output.
func parseGoBench(r io.Reader) (map[string][]benchSample, error) {
	samples := map[string][]benchSample{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		var s benchSample
		var err error
		if s.nsPerOp, err = strconv.ParseFloat(m[2], 64); err != nil {
			return nil, fmt.Errorf("parse %q: %w", sc.Text(), err)
		}
		if m[3] != "" {
			if s.allocsPerOp, err = strconv.ParseFloat(m[3], 64); err != nil {
				return nil, fmt.Errorf("parse %q: %w", sc.Text(), err)
			}
		}
		samples[m[1]] = append(samples[m[1]], s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	return samples, nil
}

// medianNs and medianAllocs summarise the samples of one benchmark; ok is
// false when it did not run.
func medianNs(samples map[string][]benchSample, name string) (ns, allocs float64, ok bool) {
	ss := samples[name]
	if len(ss) == 0 {
		return 0, 0, false
	}
	nss, as := make([]float64, len(ss)), make([]float64, len(ss))
	for i, s := range ss {
		nss[i], as[i] = s.nsPerOp, s.allocsPerOp
	}
	return median(nss), median(as), true
}
