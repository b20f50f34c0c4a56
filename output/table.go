package output

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// MaxCellRunes is where the table writer cuts a value, ending it with "…",
// so one long JSON blob does not push every other column off screen.
const MaxCellRunes = 60

// tableWriter keeps every cell as display text until Close, since column
// widths depend on the longest value. It is meant for terminal-sized
// results; large exports use csv, json or parquet.
type tableWriter struct {
	w      io.Writer
	schema types.Schema
	cells  []string // row-major, len(schema) per row
	widths []int
	rows   int
	line   []byte // reused by writeLine

	width int    // the terminal's columns (0: no limit)
	hint  string // says how to see hidden columns
}

// NewTable returns a table writer that fits its lines in width columns (a
// terminal's): when the columns are too many, the middle ones are left
// out for a "…" column, as DuckDB does, and the footer says how many, and
// hint (how to see them all, e.g. "--format line shows every column").
// width 0 is no limit, as New's table.
func NewTable(w io.Writer, schema types.Schema, width int, hint string) Writer {
	t := newTableWriter(w, schema)
	t.width, t.hint = width, hint
	return t
}

func newTableWriter(w io.Writer, schema types.Schema) *tableWriter {
	t := &tableWriter{w: w, schema: schema, widths: make([]int, len(schema))}
	for j, c := range schema {
		t.widths[j] = utf8.RuneCountInString(displayText(c.Name))
	}
	return t
}

func (t *tableWriter) Write(b *types.Batch) error {
	if err := checkBatch(b, t.schema); err != nil {
		return err
	}
	for i := 0; i < b.Len; i++ {
		for j, v := range b.Cols {
			s := "NULL"
			if !v.IsNull(i) {
				// displayText copies or rebuilds the text, so nothing
				// kept here aliases the batch.
				s = displayText(tableText(v, i))
			}
			if n := utf8.RuneCountInString(s); n > t.widths[j] {
				t.widths[j] = n
			}
			t.cells = append(t.cells, s)
		}
		t.rows++
	}
	return nil
}

// tableText is row i of v as a table shows it: as CSV does, but nested
// values as Spark's show() prints them ([1, 2], {a, 1}, {k -> v}).
func tableText(v *types.Vector, i int) string {
	if v.Kind.IsNested() {
		return v.Get(i).String()
	}
	return cellText(v, i)
}

// displayText makes s safe and short for a terminal cell: control
// characters are shown escaped (a newline would break the grid) and the
// text is cut at MaxCellRunes. The result never aliases s.
func displayText(s string) string {
	clean := true
	n := 0
	for _, r := range s {
		n++
		if r < 0x20 || r == 0x7f {
			clean = false
		}
	}
	if clean && n <= MaxCellRunes {
		return strings.Clone(s)
	}
	var b strings.Builder
	n = 0
	for _, r := range s {
		if n == MaxCellRunes-1 {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
		n++
	}
	out := b.String()
	if utf8.RuneCountInString(out) > MaxCellRunes {
		// Escapes widened the text past the limit: cut once more.
		rs := []rune(out)
		out = string(rs[:MaxCellRunes-1]) + "…"
	}
	return out
}

func (t *tableWriter) Close() error {
	bw := bufio.NewWriter(t.w)
	ncol := len(t.schema)
	shown := t.fit()
	if ncol > 0 {
		line := make([]string, 0, len(shown))
		row := func(more string, cell func(j int) string) {
			line = line[:0]
			for _, j := range shown {
				if j < 0 {
					line = append(line, more)
				} else {
					line = append(line, cell(j))
				}
			}
			t.writeLine(bw, shown, line)
		}
		row("…", func(j int) string { return clipRunes(displayText(t.schema[j].Name), t.widths[j]) })
		row("-", func(j int) string { return strings.Repeat("-", t.widths[j]) })
		for r := 0; r < t.rows; r++ {
			cells := t.cells[r*ncol : (r+1)*ncol]
			row("…", func(j int) string { return cells[j] })
		}
	}
	footer := RowCount(int64(t.rows))
	if hidden := ncol - countShown(shown); hidden > 0 {
		footer = strings.TrimSuffix(footer, ")") + fmt.Sprintf("; %d of %d columns not shown to fit the terminal", hidden, ncol)
		if t.hint != "" {
			footer += ": " + t.hint
		}
		footer += ")"
	}
	bw.WriteString(footer)
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// fit chooses the columns to print, in order, -1 standing for the "…"
// of those left out: all of them when they fit t.width; else as many as
// fit taken from both ends in turn (the first column always, cut to the
// width if need be).
func (t *tableWriter) fit() []int {
	n := len(t.schema)
	all := make([]int, n)
	total := 0
	for j := range all {
		all[j] = j
		total += t.widths[j]
	}
	total += 2 * max(n-1, 0)
	if t.width <= 0 || total <= t.width || n == 0 {
		return all
	}
	const ellipsis = 1 + 2 // the "…" column and its separator
	budget := t.width - ellipsis
	if t.widths[0] > budget {
		t.cut(0, max(budget, 1))
	}
	used := t.widths[0]
	left, right := []int{0}, []int{}
	// The last column next, then the second, the one before the last, …
	for l, r, fromRight := 1, n-1, true; l <= r; fromRight = !fromRight {
		j := l
		if fromRight {
			j = r
		}
		if used+2+t.widths[j] > budget {
			break
		}
		used += 2 + t.widths[j]
		if fromRight {
			right = append(right, r)
			r--
		} else {
			left = append(left, l)
			l++
		}
	}
	out := append(left, -1)
	for i := len(right) - 1; i >= 0; i-- {
		out = append(out, right[i])
	}
	return out
}

// cut narrows column j to w runes, ending cut cells with "…".
func (t *tableWriter) cut(j, w int) {
	t.widths[j] = w
	ncol := len(t.schema)
	for r := 0; r < t.rows; r++ {
		t.cells[r*ncol+j] = clipRunes(t.cells[r*ncol+j], w)
	}
}

// clipRunes cuts s to w runes, the last one "…", if it is longer.
func clipRunes(s string, w int) string {
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	rs := []rune(s)
	return string(rs[:max(w-1, 0)]) + "…"
}

func countShown(cols []int) int {
	n := 0
	for _, j := range cols {
		if j >= 0 {
			n++
		}
	}
	return n
}

// writeLine pads each cell to its column's width, numbers to the right,
// and drops the trailing blanks of the last column. cols says which
// column each cell is in (-1: the "…" column).
func (t *tableWriter) writeLine(bw *bufio.Writer, cols []int, cells []string) {
	line := t.line[:0]
	for i, s := range cells {
		if i > 0 {
			line = append(line, "  "...)
		}
		j := cols[i]
		if j < 0 {
			line = append(line, s...)
			continue
		}
		pad := t.widths[j] - utf8.RuneCountInString(s)
		if t.schema[j].Kind.IsNumeric() {
			line = appendSpaces(line, pad)
			line = append(line, s...)
		} else {
			line = append(line, s...)
			line = appendSpaces(line, pad)
		}
	}
	line = bytes.TrimRight(line, " ")
	bw.Write(line)
	bw.WriteByte('\n')
	t.line = line
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// RowCount is the table footer: "(1 row)", "(N rows)".
func RowCount(n int64) string {
	if n == 1 {
		return "(1 row)"
	}
	return "(" + strconv.FormatInt(n, 10) + " rows)"
}

// FormatBytes renders a byte count for people: "512 B", "1.5 MiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
