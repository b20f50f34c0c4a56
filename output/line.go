package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// lineWriter prints each row as one "column = value" line per column,
// with a blank line between rows, as sqlite's and DuckDB's `.mode line`
// do: the way to read rows too wide for a table (SELECT * over Segment
// logs is a line of nearly two thousand characters). Values are shown in
// full, control characters escaped.
type lineWriter struct {
	w      *bufio.Writer
	schema types.Schema
	names  []string // right-aligned, as sqlite aligns them
	rows   int64
}

func newLineWriter(w io.Writer, schema types.Schema) *lineWriter {
	width := 0
	for _, c := range schema {
		width = max(width, utf8.RuneCountInString(c.Name))
	}
	names := make([]string, len(schema))
	for j, c := range schema {
		names[j] = strings.Repeat(" ", width-utf8.RuneCountInString(c.Name)) + escapeControl(c.Name)
	}
	return &lineWriter{w: bufio.NewWriter(w), schema: schema, names: names}
}

func (l *lineWriter) Write(b *types.Batch) error {
	if err := checkBatch(b, l.schema); err != nil {
		return err
	}
	for i := 0; i < b.Len; i++ {
		if l.rows > 0 {
			l.w.WriteByte('\n')
		}
		l.rows++
		for j, v := range b.Cols {
			s := "NULL"
			if !v.IsNull(i) {
				s = escapeControl(cellText(v, i))
			}
			l.w.WriteString(l.names[j])
			l.w.WriteString(" = ")
			l.w.WriteString(s)
			l.w.WriteByte('\n')
		}
	}
	return nil
}

func (l *lineWriter) Close() error {
	if l.rows > 0 {
		l.w.WriteByte('\n')
	}
	l.w.WriteString(RowCount(l.rows))
	l.w.WriteByte('\n')
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("write lines: %w", err)
	}
	return nil
}

// escapeControl shows control characters as escapes, so that a value
// cannot break the layout; other text is returned as is.
func escapeControl(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
