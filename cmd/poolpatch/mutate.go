package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/poolpatch/poolpatch/internal/manifest"
	"github.com/poolpatch/poolpatch/policy"
)

// Exit codes of mutate, as DESIGN.md fixes them.
const (
	exitOK             = 0
	exitInvalidPolicy  = 1
	exitUnreadableFile = 2
)

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// runMutate previews what the policies do to a manifest, offline.
func runMutate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var policies stringList
	fs.Var(&policies, "p", "PoolPolicy stream or policy ConfigMap manifest (repeatable)")
	file := fs.String("f", "", "manifest to mutate: YAML or JSON, a List, or - for stdin")
	namespace := fs.String("namespace", "default", "namespace of documents that name none")
	nsLabels := fs.String("namespace-labels", "", "labels of every namespace involved, k=v,...")
	output := fs.String("o", "yaml", "output: yaml, json or patch")
	helperImage := fs.String("prepull-helper-image", policy.DefaultPrepullHelperImage, "image whose prepull no-op the prepull install container runs")
	if err := fs.Parse(args); err != nil {
		return exitUnreadableFile
	}
	format, err := manifest.ParseFormat(*output)
	if err != nil || len(policies) == 0 || *file == "" {
		if err == nil {
			err = errors.New("-p and -f are required")
		}
		fmt.Fprintf(stderr, "poolpatch mutate: %v\n", err)
		return exitUnreadableFile
	}
	labels, err := parseLabels(*nsLabels)
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch mutate: --namespace-labels: %v\n", err)
		return exitUnreadableFile
	}
	set, err := loadPolicyFiles(policies)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInvalidPolicy
	}
	set.PrepullHelperImage = *helperImage
	for _, w := range set.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	docs, err := readManifest(*file, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadableFile
	}
	out, err := manifest.MutateDocuments(docs, manifest.Options{Set: set, DefaultNamespace: *namespace, NamespaceLabels: labels})
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch mutate: %v\n", err)
		return exitUnreadableFile
	}
	reportOutcomes(stderr, out.Outcomes)
	if format == manifest.FormatPatch {
		err = manifest.WritePatches(stdout, out.Outcomes)
	} else {
		err = manifest.WriteObjects(stdout, format, out.Documents)
	}
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch mutate: %v\n", err)
		return exitUnreadableFile
	}
	return exitOK
}

func readManifest(path string, stdin io.Reader) ([]manifest.Document, error) {
	var data []byte
	var err error
	name := path
	if path == "-" {
		name = "<stdin>"
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	return manifest.Read(name, data)
}

// reportOutcomes prints notes and warnings to stderr, one a line.
func reportOutcomes(w io.Writer, outcomes []manifest.Outcome) {
	for _, o := range outcomes {
		what := fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name)
		if o.Note != "" {
			fmt.Fprintf(w, "note: %s: %s\n", what, o.Note)
		}
		if o.Result == nil {
			continue
		}
		if o.Result.Excluded != "" {
			fmt.Fprintf(w, "note: %s: not mutated: %s\n", what, o.Result.Excluded)
		}
		for _, warning := range o.Result.Warnings {
			fmt.Fprintf(w, "warning: %s: %s\n", what, warning)
		}
	}
}

// parseLabels reads k=v,k2=v2.
func parseLabels(s string) (map[string]string, error) {
	labels := map[string]string{}
	if s == "" {
		return labels, nil
	}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", pair)
		}
		labels[k] = v
	}
	return labels, nil
}
