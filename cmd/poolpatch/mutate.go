package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/poolpatch/poolpatch/internal/manifest"
	"github.com/poolpatch/poolpatch/policy"
)

// Exit codes of mutate, as the README ("Previewing with poolpatch mutate")
// states them: scripts depend on them.
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
	set, ok := loadPoliciesWarning(policies, stderr)
	if !ok {
		return exitInvalidPolicy
	}
	input, name, err := openManifest(*file, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadableFile
	}
	defer input.Close()
	opts := manifest.Options{Set: set, DefaultNamespace: *namespace, NamespaceLabels: labels,
		Engine: policy.Options{PrepullHelperImage: *helperImage}}
	// Buffered: one write a document and one a warning was a tenth of the
	// per-pod cost. Notes come out in batches, and still before an error.
	out, notes := bufio.NewWriterSize(stdout, 64<<10), bufio.NewWriterSize(stderr, 16<<10)
	err = mutateStream(manifest.NewReader(name, input), manifest.NewWriter(out, format), opts, notes)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write: %w", ferr)
	}
	_ = notes.Flush() // a failure to print notes has nowhere left to go
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch mutate: %v\n", err)
		return exitUnreadableFile
	}
	return exitOK
}

// openManifest opens the manifest file, or stdin for "-".
func openManifest(path string, stdin io.Reader) (io.ReadCloser, string, error) {
	if path == "-" {
		return io.NopCloser(stdin), "<stdin>", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("read manifest: %w", err)
	}
	return f, path, nil
}

// mutateStream mutates and prints one document at a time, so that a long
// stream needs the memory of one document, not of all.
func mutateStream(r *manifest.Reader, w *manifest.Writer, opts manifest.Options, stderr io.Writer) error {
	for {
		doc, err := r.Next()
		if errors.Is(err, io.EOF) {
			return w.Close()
		}
		if err != nil {
			return err
		}
		mutated, outcomes, err := manifest.MutateDocument(doc, opts)
		if err != nil {
			return err
		}
		reportOutcomes(stderr, outcomes)
		if err := w.Write(mutated, outcomes); err != nil {
			return err
		}
	}
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
