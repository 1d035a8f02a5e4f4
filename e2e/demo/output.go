package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// demo carries the environment and the output through the steps.
type demo struct {
	out   io.Writer
	env   *scenarios.Env
	steps int
	total int // numbered steps the demo prints
}

// title prints the demo's first line.
func (d *demo) title(s string) {
	_, _ = fmt.Fprintf(d.out, "%s\n%s\n", s, strings.Repeat("=", len(s)))
}

// step prints the heading of the next numbered step.
func (d *demo) step(format string, args ...any) {
	d.steps++
	_, _ = fmt.Fprintf(d.out, "\n[%d/%d] %s\n", d.steps, d.total, fmt.Sprintf(format, args...))
}

// say prints one indented line.
func (d *demo) say(format string, args ...any) {
	_, _ = fmt.Fprintf(d.out, "      %s\n", fmt.Sprintf(format, args...))
}

// table prints rendered table text, indented.
func (d *demo) table(text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		d.say("%s", line)
	}
}

// indent writes the control plane's progress lines indented.
type indent struct{ w io.Writer }

// Write indents each line of p.
func (i indent) Write(p []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
		if _, err := fmt.Fprintf(i.w, "      %s\n", line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
