package output

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// DefaultGlimpseWidth is the line width Glimpse cuts values at.
const DefaultGlimpseWidth = 100

// Glimpse prints a sample the way dplyr's glimpse does: the row and column
// counts, then one line per column with its name, type and as many values
// as fit in DefaultGlimpseWidth characters. total is the result's full row
// count; rows is a sample of it.
func Glimpse(w io.Writer, schema types.Schema, rows [][]types.Value, total int64) error {
	return GlimpseWidth(w, schema, rows, total, DefaultGlimpseWidth)
}

// GlimpseWidth is Glimpse with a chosen line width (in runes, at least 20).
func GlimpseWidth(w io.Writer, schema types.Schema, rows [][]types.Value, total int64, width int) error {
	width = max(width, 20)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Rows: %s\nColumns: %d\n", thousands(total), len(schema))
	nameW := 0
	for _, c := range schema {
		nameW = max(nameW, utf8.RuneCountInString(c.Name))
	}
	var line strings.Builder
	for j, c := range schema {
		line.Reset()
		line.WriteString("$ ")
		line.WriteString(c.Name)
		line.WriteString(strings.Repeat(" ", nameW-utf8.RuneCountInString(c.Name)))
		line.WriteString(" <")
		line.WriteString(c.Kind.Short())
		line.WriteString("> ")
		n := utf8.RuneCountInString(line.String())
		for i, row := range rows {
			if n > width {
				break // already cut: skip formatting the rest
			}
			if i > 0 {
				line.WriteString(", ")
				n += 2
			}
			s := "NA"
			if j < len(row) {
				s = glimpseValue(row[j])
			}
			line.WriteString(s)
			n += utf8.RuneCountInString(s)
		}
		bw.WriteString(cutRunes(strings.TrimRight(line.String(), " "), width))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write glimpse: %w", err)
	}
	return nil
}

// glimpseValue renders one value as glimpse shows it: strings quoted with
// escapes (so a newline stays on one line), NULL as NA.
func glimpseValue(v types.Value) string {
	switch v.K {
	case types.Null:
		return "NA"
	case types.String:
		return strconv.Quote(v.S)
	}
	return v.String()
}

// cutRunes cuts s to width runes, the last being "…", when it is longer.
func cutRunes(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	n := 0
	for i := range s {
		if n == width-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// thousands formats n with comma separators, as glimpse prints row counts.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
