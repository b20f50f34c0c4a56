package syntax

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a problem found in query text: a syntax error from the parser or
// a name or type error from the binder. It carries the position so that the
// message can point at the spot.
type Error struct {
	Pos  Pos
	Msg  string
	Hint string // optional: what the user probably meant
	Err  error  // optional: the cause, when Msg reports another error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap lets errors.Is see the cause, such as a file that is missing or
// not valid Parquet.
func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an *Error at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ErrorList is several errors found in one pass; the parser collects a few
// before giving up so one run shows more than the first mistake.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Msg
	}
	return strings.Join(msgs, "; ")
}

// LineCol turns a byte offset in src into a 1-based line and column.
func LineCol(src string, pos Pos) (line, col int) {
	if pos < 0 {
		return 0, 0
	}
	if int(pos) > len(src) {
		pos = Pos(len(src))
	}
	line = 1 + strings.Count(src[:pos], "\n")
	start := strings.LastIndexByte(src[:pos], '\n') + 1
	return line, int(pos) - start + 1
}

// Format renders err for a person: every *Error in it as
// "line:col: message", the offending line of src, a caret under the spot,
// and the hint. Other errors render as their message.
func Format(src string, err error) string {
	var list ErrorList
	var one *Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = ErrorList{one}
	default:
		return err.Error()
	}
	var b strings.Builder
	for i, e := range list {
		if i > 0 {
			b.WriteByte('\n')
		}
		if e.Pos < 0 {
			fmt.Fprintf(&b, "error: %s", e.Msg)
		} else {
			line, col := LineCol(src, e.Pos)
			text := strings.Split(src, "\n")[line-1]
			fmt.Fprintf(&b, "error at %d:%d: %s\n  %s\n  %s^", line, col, e.Msg, text, strings.Repeat(" ", col-1))
		}
		if e.Hint != "" {
			fmt.Fprintf(&b, "\n  hint: %s", e.Hint)
		}
	}
	return b.String()
}
