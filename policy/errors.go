package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every error that rejects a policy set; check it
// with errors.Is.
var ErrInvalid = errors.New("invalid policy set")

// MaxErrorsPerSource is how many mistakes are reported for one source (file
// or ConfigMap key); the rest are counted in one last line, so that the
// output stays proportionate to the input whatever it holds.
const MaxErrorsPerSource = 100

// maxQuoted is the longest user value quoted whole in a message; longer ones
// are shortened, so that a long value repeated in many errors cannot turn a
// small input into a large output.
const maxQuoted = 64

// maxMessage bounds one message, whatever a library's error quotes.
const maxMessage = 400

// Position locates a node in a policy source: a file name or ConfigMap key,
// and a 1-based line and column (0 when unknown).
type Position struct {
	Source string
	Line   int
	Column int
}

// String formats the position as file:line:col.
func (p Position) String() string {
	return fmt.Sprintf("%s:%d:%d", p.Source, p.Line, p.Column)
}

// FieldError is one mistake in a policy source.
type FieldError struct {
	Pos     Position
	Message string
}

// Error formats the mistake as file:line:col: message.
func (e *FieldError) Error() string {
	return e.Pos.String() + ": " + e.Message
}

// ErrorList holds every mistake found in a policy set, in source order, at
// most MaxErrorsPerSource per source followed by one "and N more" entry.
type ErrorList []*FieldError

// Error prints one positioned mistake a line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(list, ErrInvalid) hold.
func (l ErrorList) Is(target error) bool { return target == ErrInvalid }

// add appends a mistake. A message is one line whatever the values it
// quotes hold: every error is file:line:col: message on a line of its own.
func (l *ErrorList) add(pos Position, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.ContainsAny(msg, "\r\n") {
		msg = strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ").Replace(msg)
	}
	if len(msg) > maxMessage {
		// Messages from libraries may quote values whole.
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "..."
	}
	*l = append(*l, &FieldError{Pos: pos, Message: msg})
}

// capPerSource keeps the first MaxErrorsPerSource mistakes of each source
// (the list is in source order) and replaces the rest by one entry, at the
// first one left out, that counts them.
func capPerSource(errs ErrorList) ErrorList {
	out := errs[:0:0]
	for i := 0; i < len(errs); {
		j := i
		for j < len(errs) && errs[j].Pos.Source == errs[i].Pos.Source {
			j++
		}
		if j-i <= MaxErrorsPerSource {
			out = append(out, errs[i:j]...)
		} else {
			out = append(out, errs[i:i+MaxErrorsPerSource]...)
			more := errs[i+MaxErrorsPerSource]
			out = append(out, &FieldError{Pos: more.Pos,
				Message: fmt.Sprintf("and %d more errors (the first %d are shown)", j-i-MaxErrorsPerSource, MaxErrorsPerSource)})
		}
		i = j
	}
	return out
}

// quote quotes a user value for a message, shortened to maxQuoted runes
// with the length of the whole.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut, n := 0, 0
	for cut < len(s) && n < maxQuoted {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
		n++
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
