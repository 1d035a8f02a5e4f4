package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlChunks splits a YAML stream into documents at the "---" lines, one at
// a time: YAML ends a document at "---" in column 0 followed by a blank or
// the line's end wherever it stands (yaml.v3's scanner does so before
// anything else, even inside a scalar). A chunk that holds several
// documents all the same ("..." ends one without a "---" after it) is
// harmless: yaml.v3 reads such a chunk, one document after the other.
type yamlChunks struct {
	in *bufio.Reader
	// line is the number of the next line to read; pending a "---" line
	// read ahead, which starts the next chunk.
	line    int
	pending []byte
	// buf is the last chunk's storage, reused: a chunk is read whole
	// (copied into a string, or by yaml.v3) before the next.
	buf []byte
}

// next returns the next chunk and the number of its first line, or io.EOF.
// directive is true when the chunk holds a line starting with '%': a
// directive applies to the documents after it, so the caller leaves the
// rest of the stream to yaml.v3 from this chunk on.
func (c *yamlChunks) next() (chunk []byte, first int, directive bool, err error) {
	chunk = append(c.buf[:0], c.pending...)
	first = c.line - boolInt(len(c.pending) > 0)
	c.pending = c.pending[:0]
	defer func() { c.buf = chunk[:0] }()
	for {
		start := len(chunk)
		for {
			frag, err := c.in.ReadSlice('\n')
			chunk = append(chunk, frag...)
			if !errors.Is(err, bufio.ErrBufferFull) {
				if err != nil && !errors.Is(err, io.EOF) {
					return nil, first, false, err
				}
				if err != nil && len(chunk) == 0 {
					return nil, first, false, io.EOF
				}
				break
			}
		}
		if start == len(chunk) {
			return chunk, first, false, nil // the end of the stream
		}
		c.line++
		line := chunk[start:]
		if isDocumentStart(line) && start > 0 {
			c.pending = append(c.pending, line...)
			chunk = chunk[:start]
			return chunk, first, false, nil
		}
		if line[0] == '%' {
			return chunk, first, true, nil
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isDocumentStart reports whether a line is "---" followed by a blank or
// its end.
func isDocumentStart(line []byte) bool {
	return bytes.HasPrefix(line, []byte("---")) &&
		(len(line) == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\n' || line[3] == '\r')
}

// nextChunk reads the next document of a YAML stream: its chunk parsed by
// parseBlockDocument when it can, else by yaml.v3.
func (r *Reader) nextChunk() (Document, error) {
	for {
		if len(r.queue) > 0 {
			q := r.queue[0]
			r.queue = r.queue[1:]
			return q.doc, q.err
		}
		chunk, first, directive, err := r.chunks.next()
		if errors.Is(err, io.EOF) {
			return Document{}, io.EOF
		}
		if err != nil {
			return Document{}, fmt.Errorf("%s:%d:1: read: %s: %w", r.source, first, err.Error(), ErrUnreadable)
		}
		if directive { // once a stream: the lines before the chunk as blank lines
			lines := strings.NewReader(strings.Repeat("\n", first-1))
			r.dec = yaml.NewDecoder(io.MultiReader(lines, bytes.NewReader(bytes.Clone(chunk)), r.chunks.in))
			r.chunks = nil
			return r.Next()
		}
		src := string(chunk)
		if obj, line, col, ok := parseBlockDocument(src, first, &r.lines); ok {
			if obj == nil {
				continue // no content
			}
			doc := Document{Source: r.source, Line: line, Column: col, Object: obj, yaml: src, yamlLine: first}
			return doc, checkObject(doc)
		}
		r.queue = decodeChunk(r.source, yaml.NewDecoder(bytes.NewReader(chunk)), first-1)
	}
}

// queued is a document of a chunk yaml.v3 read, or the error it stopped at.
type queued struct {
	doc Document
	err error
}

// decodeChunk reads every document of a chunk with yaml.v3; shift is the
// number of lines before the chunk.
func decodeChunk(source string, dec *yaml.Decoder, shift int) []queued {
	var out []queued
	for {
		doc, err := decodeNext(source, dec, shift)
		if errors.Is(err, io.EOF) {
			return out
		}
		out = append(out, queued{doc, err})
		if err != nil {
			return out // the reader stops at its first error
		}
	}
}

// decodeNext reads the next document with content with yaml.v3, its
// positions (and an error's) moved down by shift lines.
func decodeNext(source string, dec *yaml.Decoder, shift int) (Document, error) {
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return Document{}, io.EOF
		}
		if err != nil {
			line, msg := errorLine(err), err.Error()
			if line > 0 && shift > 0 { // an error without a line stays at 1, as on the whole stream
				msg = strings.Replace(msg, fmt.Sprintf("line %d", line), fmt.Sprintf("line %d", line+shift), 1)
				line += shift
			}
			return Document{}, fmt.Errorf("%s:%d:1: %s: %w", source, max(line, 1), msg, ErrUnreadable)
		}
		if len(root.Content) == 0 || root.Content[0].Tag == "!!null" {
			continue
		}
		shiftLines(root.Content[0], shift)
		return toDocument(source, root.Content[0])
	}
}

// shiftLines moves every node of a tree down by shift lines; an alias's
// anchor is in the tree, moved once.
func shiftLines(n *yaml.Node, shift int) {
	if shift == 0 {
		return
	}
	n.Line += shift
	for _, c := range n.Content {
		shiftLines(c, shift)
	}
}
