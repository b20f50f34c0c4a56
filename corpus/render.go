package corpus

import (
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/types"
)

// Result is what a Harness returns: the last statement's columns and rows.
type Result struct {
	Schema types.Schema
	Rows   [][]types.Value
}

// Render turns r into the canonical lines the corpus stores: one JSON object
// per row, keys in column order, exactly as nectar's JSON output prints
// them (output.JSONRow), so the corpus and `nectar --format json` can never
// disagree. One buffer is reused across rows.
func Render(r *Result) []string {
	lines := make([]string, 0, len(r.Rows))
	var buf []byte
	for _, row := range r.Rows {
		buf = output.JSONRow(buf[:0], r.Schema, row)
		lines = append(lines, string(buf))
	}
	return lines
}
