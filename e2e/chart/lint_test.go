package chart

import (
	"strings"
	"testing"
)

// valueSets are the values the chart is linted, rendered and applied with.
var valueSets = []struct {
	name   string   // golden file base name
	values []string // values files
}{
	{name: "default"},
	{name: "nocertmanager", values: []string{valuesFile("nocertmanager.yaml")}},
	{name: "all", values: []string{valuesFile("all.yaml")}},
	{name: "headroom", values: []string{valuesFile("headroom.yaml")}},
	{name: "rebalance", values: []string{valuesFile("rebalance.yaml")}},
}

func TestHelmLint(t *testing.T) {
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			args := []string{"lint", chartDir, "--strict", "--namespace", releaseNamespace, "--kube-version", kubeVersion}
			for _, v := range vs.values {
				args = append(args, "--values", v)
			}
			if out, err := runTool(t, "helm", "", args...); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
}

// TestNotes checks that the install notes tell how to opt a namespace in.
func TestNotes(t *testing.T) {
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			args := []string{"install", releaseName, chartDir, "--namespace", releaseNamespace, "--dry-run=client"}
			for _, v := range vs.values {
				args = append(args, "--values", v)
			}
			out, err := runTool(t, "helm", "", args...)
			if err != nil {
				t.Fatal(err)
			}
			_, notes, ok := strings.Cut(string(out), "\nNOTES:\n")
			if !ok {
				t.Fatalf("no NOTES in:\n%s", out)
			}
			for _, want := range []string{
				"kubectl label namespace NAMESPACE poolpatch.io/enabled=true",
				"poolpatch.io/mutate=false",
			} {
				if !strings.Contains(notes, want) {
					t.Errorf("NOTES lack %q:\n%s", want, notes)
				}
			}
		})
	}
}
