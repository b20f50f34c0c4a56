package output

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/types"
)

// Format names an output format.
type Format string

const (
	Table   Format = "table"
	CSV     Format = "csv"
	JSON    Format = "json"
	Parquet Format = "parquet"
	// Arrow is the Arrow IPC stream format.
	Arrow Format = "arrow"
	// Line prints one "column = value" line per column, a blank line
	// between rows: for rows too wide for a table.
	Line Format = "line"
)

// ErrFormat is wrapped when a format name is unknown.
var ErrFormat = errors.New("unknown output format")

// ParseFormat reads a format name as given to -f; "jsonl" and "ndjson" are
// accepted for JSON lines.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "table", "text":
		return Table, nil
	case "csv":
		return CSV, nil
	case "json", "jsonl", "ndjson":
		return JSON, nil
	case "parquet":
		return Parquet, nil
	case "arrow", "arrows", "ipc":
		return Arrow, nil
	case "line", "lines", "vertical":
		return Line, nil
	}
	return "", fmt.Errorf("%w %q: want table, line, csv, json, parquet or arrow", ErrFormat, s)
}

// extensions maps the file name extensions -o understands to formats.
var extensions = map[string]Format{
	".csv": CSV, ".json": JSON, ".jsonl": JSON, ".ndjson": JSON,
	".parquet": Parquet, ".pq": Parquet, ".arrow": Arrow, ".arrows": Arrow, ".txt": Table, "": Table,
}

// FormatFor picks the format from an -o file name's extension: .csv,
// .json (.jsonl, .ndjson), .parquet (.pq), .arrow (.arrows), and .txt or
// none for a table. Any other extension is an error wrapping ErrFormat,
// rather than a table in a file named as a spreadsheet.
func FormatFor(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := extensions[ext]; ok {
		return f, nil
	}
	return "", fmt.Errorf("%w: no format is named by the extension %s (want .csv, .json, .jsonl, .ndjson, .parquet, .pq, .arrow, or .txt for a table)", ErrFormat, ext)
}

// Writer receives a result batch by batch.
type Writer interface {
	// Write renders b, which is only valid during the call.
	Write(b *types.Batch) error
	// Close flushes; the table writer prints everything here. It does not
	// close the underlying io.Writer.
	Close() error
}

// New returns a writer of format f on w for rows of schema.
func New(f Format, w io.Writer, schema types.Schema) (Writer, error) {
	switch f {
	case Table:
		return newTableWriter(w, schema), nil
	case CSV:
		return newCSVWriter(w, schema)
	case JSON:
		return newJSONWriter(w, schema), nil
	case Arrow:
		return newArrowWriter(w, schema), nil
	case Line:
		return newLineWriter(w, schema), nil
	case Parquet:
		pw, err := parquetfile.NewWriter(w, schema)
		if err != nil {
			return nil, fmt.Errorf("parquet output: %w", err)
		}
		return pw, nil
	}
	return nil, fmt.Errorf("%w %q", ErrFormat, string(f))
}

// checkBatch guards against a batch that does not match the schema, which
// would otherwise panic mid-render.
func checkBatch(b *types.Batch, schema types.Schema) error {
	if len(b.Cols) != len(schema) {
		return fmt.Errorf("output: batch has %d columns, schema %d", len(b.Cols), len(schema))
	}
	return nil
}
