package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// jsonStream splits concatenated JSON values ({...}{...}, or one a line as
// `jq '.items[]'` prints them) one at a time, as kubectl reads them,
// tracking the line and column where each starts.
type jsonStream struct {
	r *bufio.Reader
	// line is the current line (from 1), col the bytes read of it.
	line, col int
}

// errNotJSONObject: a JSON stream holds objects only.
var errNotJSONObject = errors.New("not a Kubernetes object (a JSON object with a kind)")

// next returns the bytes of the next top-level value and where it starts,
// or io.EOF after the last.
func (s *jsonStream) next() (raw []byte, line, col int, err error) {
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return nil, 0, 0, err // io.EOF after the last value
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' {
			s.advance(b)
			continue
		}
		line, col = s.line, s.col+1
		if b != '{' {
			return nil, line, col, errNotJSONObject
		}
		raw, err = s.object(b)
		return raw, line, col, err
	}
}

// object reads the rest of an object whose '{' is first.
func (s *jsonStream) object(first byte) ([]byte, error) {
	var buf bytes.Buffer
	depth, inString, escaped := 0, false, false
	for b := first; ; {
		buf.WriteByte(b)
		s.advance(b)
		switch {
		case inString && escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case b == '"':
			inString = !inString
		case inString:
		case b == '{' || b == '[':
			depth++
		case b == '}' || b == ']':
			depth--
		}
		if depth == 0 {
			return buf.Bytes(), nil
		}
		var err error
		if b, err = s.r.ReadByte(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("unexpected end of JSON input")
			}
			return nil, err
		}
	}
}

func (s *jsonStream) advance(b byte) {
	if b == '\n' {
		s.line, s.col = s.line+1, 0
		return
	}
	s.col++
}

// startsWithJSONObject reports whether the first byte after whitespace is
// '{': kubectl then reads the stream as JSON.
func startsWithJSONObject(r *bufio.Reader) bool {
	for n := 1; ; n++ {
		peek, err := r.Peek(n)
		if len(peek) < n {
			return false
		}
		switch peek[n-1] {
		case ' ', '\t', '\r', '\n':
			if err != nil {
				return false
			}
			continue
		case '{':
			return true
		}
		return false
	}
}
