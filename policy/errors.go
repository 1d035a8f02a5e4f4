package policy

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every error that rejects a policy set; check it
// with errors.Is.
var ErrInvalid = errors.New("invalid policy set")

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

// ErrorList holds every mistake found in a policy set, in source order.
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

func (l *ErrorList) add(pos Position, format string, args ...any) {
	*l = append(*l, &FieldError{Pos: pos, Message: fmt.Sprintf(format, args...)})
}
