package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

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

	// node (YAML read by yaml.v3), yaml (YAML read by parseBlockDocument,
	// from line yamlLine) or raw (JSON) is the document as read, kept to
	// point at the value a later error is about.
	node     *yaml.Node
	yaml     string
	yamlLine int
	raw      []byte
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

// Reader reads the documents of a YAML stream, or of a stream of JSON
// objects (one after the other, as `jq '.items[]'` prints them), one at a
// time, so a long stream never sits in memory whole.
type Reader struct {
	source string
	in     *bufio.Reader
	chunks *yamlChunks   // YAML, one document at a time
	queue  []queued      // documents of a chunk yaml.v3 read
	lines  []blockLine   // parseBlockDocument's scratch
	dec    *yaml.Decoder // YAML read by yaml.v3 alone: after a directive, or a flow mapping first
	json   *jsonStream   // JSON, when the stream starts with '{'
	first  bool
}

// NewReader reads documents from r; source names r in errors.
func NewReader(source string, r io.Reader) *Reader {
	in := bufio.NewReader(r)
	reader := &Reader{source: source, in: in, first: true}
	if startsWithJSONObject(in) {
		reader.json = &jsonStream{r: in, line: 1, col: 0}
	} else {
		reader.chunks = &yamlChunks{in: in, line: 1}
	}
	return reader
}

// Next returns the next document, or io.EOF after the last. Every document
// must be a Kubernetes object with a kind; any other input is a positioned
// error wrapping ErrUnreadable.
func (r *Reader) Next() (Document, error) {
	switch {
	case r.json != nil:
		return r.nextJSON()
	case r.chunks != nil:
		return r.nextChunk()
	}
	return decodeNext(r.source, r.dec, 0)
}

// nextJSON reads the next object of a JSON stream. A first "object" that
// is not JSON is YAML's flow mapping ({kind: Pod, ...}): the stream is then
// read as YAML from its start.
func (r *Reader) nextJSON() (Document, error) {
	first := r.first
	r.first = false
	raw, line, col, err := r.json.next()
	if errors.Is(err, io.EOF) {
		return Document{}, io.EOF
	}
	doc := Document{Source: r.source, Line: line, Column: col, raw: raw}
	if err != nil {
		return doc, fmt.Errorf("%s: %s: %w", doc.Where(), err.Error(), ErrUnreadable)
	}
	doc.Object, err = DecodeObject(raw)
	if err != nil && first {
		prefix := strings.Repeat("\n", line-1) + strings.Repeat(" ", col-1)
		r.json, r.dec = nil, yaml.NewDecoder(io.MultiReader(strings.NewReader(prefix), bytes.NewReader(raw), r.in))
		return r.Next()
	}
	if err != nil {
		return doc, fmt.Errorf("%s: %s: %w", doc.Where(), strings.TrimPrefix(err.Error(), "json: "), ErrUnreadable)
	}
	return doc, checkObject(doc)
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
	doc := Document{Source: source, Line: n.Line, Column: n.Column, node: n}
	if n.Kind != yaml.MappingNode {
		return doc, fmt.Errorf("%s: not a Kubernetes object (a mapping with a kind): %w", doc.Where(), ErrUnreadable)
	}
	v, err := (&converter{}).value(n)
	if err != nil {
		at := n
		var perr *positionedError
		if errors.As(err, &perr) {
			at = perr.node
		}
		return doc, fmt.Errorf("%s:%d:%d: %s: %w", source, at.Line, at.Column, err.Error(), ErrUnreadable)
	}
	doc.Object = v.(Object)
	return doc, checkObject(doc)
}

// checkObject checks that a document is a Kubernetes object, or a List of
// them.
func checkObject(doc Document) error {
	if kindOf(doc.Object) == "" {
		return fmt.Errorf("%s: document has no kind, so it is not a Kubernetes object: %w", doc.Where(), ErrUnreadable)
	}
	if items, ok := doc.Object["items"].([]any); ok && isListKind(kindOf(doc.Object)) {
		for i, item := range items {
			obj, ok := item.(Object)
			if !ok || kindOf(obj) == "" {
				return fmt.Errorf("%s: items[%d] is not a Kubernetes object with a kind: %w", doc.Where(), i, ErrUnreadable)
			}
		}
	}
	return nil
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
