package manifest

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/mattbaird/jsonpatch"

	"github.com/poolpatch/poolpatch/policy"
)

// Format is an output format of `poolpatch mutate`.
type Format string

// The output formats.
const (
	FormatYAML  Format = "yaml"
	FormatJSON  Format = "json"
	FormatPatch Format = "patch"
)

// ParseFormat checks an -o value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatYAML, FormatJSON, FormatPatch:
		return f, nil
	}
	return "", fmt.Errorf("unknown output format %q (want yaml, json or patch)", s)
}

// Writer prints mutated documents in the input's shape as they come: a YAML
// stream, or one JSON patch a line per object. JSON output is one object, or
// a List when there are several, so it is held until Close.
type Writer struct {
	w      io.Writer
	format Format
	count  int
	held   []Object
	buf    []byte // the YAML document being printed, reused
	// printer prints YAML documents, its space reused.
	printer yamlPrinter
}

// NewWriter prints to w in format.
func NewWriter(w io.Writer, format Format) *Writer {
	return &Writer{w: w, format: format}
}

// Write prints one mutated document, or with FormatPatch the patch of each
// of its objects.
func (w *Writer) Write(doc Object, outcomes []Outcome) error {
	w.count++
	switch w.format {
	case FormatPatch:
		return writePatches(w.w, outcomes)
	case FormatJSON:
		w.held = append(w.held, doc)
		return nil
	}
	w.buf = w.buf[:0]
	if w.count > 1 {
		w.buf = append(w.buf, "---\n"...)
	}
	var err error
	if w.buf, err = w.printer.appendYAML(w.buf, doc); err != nil {
		return fmt.Errorf("marshal yaml: %w", err)
	}
	_, err = w.w.Write(w.buf)
	return err
}

// Close prints what JSON output held back.
func (w *Writer) Close() error {
	if w.format != FormatJSON || len(w.held) == 0 {
		return nil
	}
	var out any = Object{"apiVersion": "v1", "kind": "List", "items": w.held}
	if len(w.held) == 1 {
		out = w.held[0]
	}
	raw, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("marshal json: %w", err)
	}
	_, err = fmt.Fprintf(w.w, "%s\n", raw)
	return err
}

func writePatches(w io.Writer, outcomes []Outcome) error {
	for _, o := range outcomes {
		ops := o.Patch
		if ops == nil { // an object passed through: an empty patch, not null
			ops = []jsonpatch.JsonPatchOperation{}
		}
		raw, err := policy.MarshalPatch(ops)
		if err != nil {
			return fmt.Errorf("marshal patch: %w", err)
		}
		if _, err := fmt.Fprintf(w, "%s\n", raw); err != nil {
			return err
		}
	}
	return nil
}
