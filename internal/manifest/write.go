package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
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

// WriteObjects prints documents in the input's shape: a YAML stream, or with
// JSON one object, or a List when there are several.
func WriteObjects(w io.Writer, format Format, docs []Object) error {
	switch format {
	case FormatJSON:
		var out any = Object{"apiVersion": "v1", "kind": "List", "items": docs}
		if len(docs) == 1 {
			out = docs[0]
		}
		raw, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return fmt.Errorf("marshal json: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", raw)
		return err
	default:
		var buf bytes.Buffer
		for i, doc := range docs {
			raw, err := yaml.Marshal(doc)
			if err != nil {
				return fmt.Errorf("marshal yaml: %w", err)
			}
			if i > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(raw)
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
}

// WritePatches prints one JSON patch a line, one per object, relative to it.
func WritePatches(w io.Writer, outcomes []Outcome) error {
	for _, o := range outcomes {
		ops := o.Patch
		if ops == nil {
			ops = ops[:0:0]
		}
		raw, err := json.Marshal(ops)
		if err != nil {
			return fmt.Errorf("marshal patch: %w", err)
		}
		if _, err := fmt.Fprintf(w, "%s\n", raw); err != nil {
			return err
		}
	}
	return nil
}
