package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// ErrUnreadable is wrapped by every error about a manifest that cannot be read.
var ErrUnreadable = errors.New("manifest cannot be read")

// Object is one Kubernetes object as written, in its generic JSON form.
type Object = map[string]any

// Document is one top-level document of a manifest stream: an object, or a
// List whose items are objects.
type Document struct {
	// Source, Line and Column locate the document in its input.
	Source string
	Line   int
	Column int
	// Object is the document itself.
	Object Object
}

// Where formats the document's position as source:line:col.
func (d Document) Where() string {
	return fmt.Sprintf("%s:%d:%d", d.Source, d.Line, d.Column)
}

// IsList reports whether the document is a List of items.
func (d Document) IsList() bool {
	_, ok := d.Object["items"].([]any)
	return ok && isListKind(kindOf(d.Object))
}

// Reader reads the documents of a YAML stream or a JSON document (JSON is
// YAML) one at a time, so a long stream never sits in memory whole.
type Reader struct {
	source string
	dec    *yaml.Decoder
}

// NewReader reads documents from r; source names r in errors.
func NewReader(source string, r io.Reader) *Reader {
	return &Reader{source: source, dec: yaml.NewDecoder(r)}
}

// Next returns the next document, or io.EOF after the last. Every document
// must be a Kubernetes object with a kind; any other input is a positioned
// error wrapping ErrUnreadable.
func (r *Reader) Next() (Document, error) {
	for {
		var root yaml.Node
		err := r.dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return Document{}, io.EOF
		}
		if err != nil {
			return Document{}, fmt.Errorf("%s:%d:1: %s: %w", r.source, errorLine(err), err.Error(), ErrUnreadable)
		}
		if len(root.Content) == 0 || root.Content[0].Tag == "!!null" {
			continue
		}
		return toDocument(r.source, root.Content[0])
	}
}

// Read parses all documents of data.
func Read(source string, data []byte) ([]Document, error) {
	r := NewReader(source, bytes.NewReader(data))
	var docs []Document
	for {
		doc, err := r.Next()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
}

func toDocument(source string, n *yaml.Node) (Document, error) {
	doc := Document{Source: source, Line: n.Line, Column: n.Column}
	if n.Kind != yaml.MappingNode {
		return doc, fmt.Errorf("%s: not a Kubernetes object (a mapping with a kind): %w", doc.Where(), ErrUnreadable)
	}
	var generic any
	if err := n.Decode(&generic); err != nil {
		return doc, fmt.Errorf("%s: %s: %w", doc.Where(), err.Error(), ErrUnreadable)
	}
	// A round trip through JSON turns YAML's types (timestamps, integers of
	// every size) into the JSON forms that the API types decode.
	raw, err := json.Marshal(generic)
	if err != nil {
		return doc, fmt.Errorf("%s: %s: %w", doc.Where(), err.Error(), ErrUnreadable)
	}
	if err := json.Unmarshal(raw, &doc.Object); err != nil {
		return doc, fmt.Errorf("%s: %s: %w", doc.Where(), err.Error(), ErrUnreadable)
	}
	if kindOf(doc.Object) == "" {
		return doc, fmt.Errorf("%s: document has no kind, so it is not a Kubernetes object: %w", doc.Where(), ErrUnreadable)
	}
	if items, ok := doc.Object["items"].([]any); ok && isListKind(kindOf(doc.Object)) {
		for i, item := range items {
			obj, ok := item.(Object)
			if !ok || kindOf(obj) == "" {
				return doc, fmt.Errorf("%s: items[%d] is not a Kubernetes object with a kind: %w", doc.Where(), i, ErrUnreadable)
			}
		}
	}
	return doc, nil
}

var lineInError = regexp.MustCompile(`line (\d+)`)

func errorLine(err error) int {
	if m := lineInError.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func kindOf(obj Object) string {
	kind, _ := obj["kind"].(string)
	return kind
}

// isListKind matches List and the typed lists kubectl prints (PodList, ...).
func isListKind(kind string) bool {
	return kind == "List" || len(kind) > 4 && kind[len(kind)-4:] == "List"
}

// Objects lists the objects of the documents, a List's items one by one.
func Objects(docs []Document) []Object {
	var objects []Object
	for _, d := range docs {
		if !d.IsList() {
			objects = append(objects, d.Object)
			continue
		}
		for _, item := range d.Object["items"].([]any) {
			objects = append(objects, item.(Object))
		}
	}
	return objects
}
