package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
)

// Target is a bound a figure should meet: Op is "<=" or ">=".
type Target struct {
	Op    string  `json:"op"`
	Bound float64 `json:"bound"`
}

// Met reports whether v meets the target.
func (t Target) Met(v float64) bool {
	if t.Op == ">=" {
		return v >= t.Bound
	}
	return v <= t.Bound
}

// Figure is one measured number.
type Figure struct {
	Section string  `json:"section"`
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit"`
	Target  *Target `json:"target,omitempty"`
}

// Report collects the figures and notes of one run.
type Report struct {
	Figures  []Figure  `json:"figures"`
	Notes    []string  `json:"notes"`
	Profiles []Profile `json:"profiles,omitempty"`
}

// Profile is the head of one CPU profile: cumulative share of the samples
// per function.
type Profile struct {
	Name    string   `json:"name"`
	Command string   `json:"command"`
	Lines   []string `json:"lines"`
}

// profile records the head of a CPU profile.
func (r *Report) profile(name, command string, lines []string) {
	r.Profiles = append(r.Profiles, Profile{Name: name, Command: command, Lines: lines})
}

// add records a figure without a target.
func (r *Report) add(section, name string, value float64, unit string) {
	r.Figures = append(r.Figures, Figure{Section: section, Name: name, Value: value, Unit: unit})
}

// addTarget records a figure with the target it is judged against.
func (r *Report) addTarget(section, name string, value float64, unit, op string, bound float64) {
	r.Figures = append(r.Figures, Figure{Section: section, Name: name, Value: value, Unit: unit,
		Target: &Target{Op: op, Bound: bound}})
}

// note records a line printed under the table (verifications, skips).
func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Print writes the summary table, the notes, then one `name value unit`
// line per figure.
func (r *Report) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SECTION\tFIGURE\tVALUE\tUNIT\tTARGET\t")
	for _, f := range r.Figures {
		target := ""
		if f.Target != nil {
			verdict := "met"
			if !f.Target.Met(f.Value) {
				verdict = "MISSED"
			}
			target = fmt.Sprintf("%s %s (%s)", f.Target.Op, format(f.Target.Bound), verdict)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", f.Section, f.Name, format(f.Value), f.Unit, target)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("print table: %w", err)
	}
	fmt.Fprintln(w)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	for _, p := range r.Profiles {
		fmt.Fprintf(w, "\nprofile %s (share of the CPU samples of the measured call, cumulative; %s):\n", p.Name, p.Command)
		for _, l := range p.Lines {
			fmt.Fprintln(w, "  "+l)
		}
	}
	fmt.Fprintln(w)
	for _, f := range r.Figures {
		fmt.Fprintf(w, "%s %s %s\n", f.Name, format(f.Value), f.Unit)
	}
	return nil
}

// WriteJSON stores the report for the chart.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("marshal report: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// format prints v with three significant digits at least, no exponent.
func format(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "NaN"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
	}
}
