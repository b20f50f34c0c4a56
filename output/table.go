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
	if ncol > 0 {
		line := make([]string, ncol)
		for j, c := range t.schema {
			line[j] = displayText(c.Name)
		}
		t.writeLine(bw, line)
		for j := range line {
			line[j] = strings.Repeat("-", t.widths[j])
		}
		t.writeLine(bw, line)
		for r := 0; r < t.rows; r++ {
			t.writeLine(bw, t.cells[r*ncol:(r+1)*ncol])
		}
	}
	bw.WriteString(RowCount(int64(t.rows)))
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// writeLine pads each cell to its column's width, numbers to the right,
// and drops the trailing blanks of the last column.
func (t *tableWriter) writeLine(bw *bufio.Writer, cells []string) {
	line := t.line[:0]
	for j, s := range cells {
		if j > 0 {
			line = append(line, "  "...)
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
