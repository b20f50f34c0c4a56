package parquetfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/nectar-dev/nectar/types"
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("parquet writer is closed")

// Compression names a column-chunk codec.
type Compression string

const (
	Zstd   Compression = "zstd"
	Snappy Compression = "snappy"
	None   Compression = "none"
)

// DefaultRowGroupRows is the row-group size: large enough for good
// compression and few footer entries, small enough that the writer's
// buffered row group (pqarrow keeps a whole one in memory) stays modest.
const DefaultRowGroupRows = 128 * 1024

// Options tunes a Writer; the zero value means zstd and DefaultRowGroupRows.
type Options struct {
	Compression  Compression
	RowGroupRows int64
}

// Writer writes nectar batches to one Parquet file.
type Writer struct {
	schema types.Schema
	fw     *pqarrow.FileWriter
	recs   *Records
	closed bool
}

// NewWriter starts a Parquet file on w with zstd compression. Close must be
// called to write the footer; it does not close w.
func NewWriter(w io.Writer, schema types.Schema) (*Writer, error) {
	return NewWriterOptions(w, schema, Options{})
}

// NewWriterOptions is NewWriter with a chosen codec and row-group size.
func NewWriterOptions(w io.Writer, schema types.Schema, opt Options) (*Writer, error) {
	codec := compress.Codecs.Zstd
	switch opt.Compression {
	case "", Zstd:
	case Snappy:
		codec = compress.Codecs.Snappy
	case None:
		codec = compress.Codecs.Uncompressed
	default:
		return nil, fmt.Errorf("parquet compression %q: want zstd, snappy or none", opt.Compression)
	}
	rg := opt.RowGroupRows
	if rg <= 0 {
		rg = DefaultRowGroupRows
	}
	as := ArrowSchema(schema)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(rg),
		parquet.WithCreatedBy("nectar"),
	)
	// Hide any Close method: the file writer would close w, which belongs
	// to the caller (it may be stdout).
	fw, err := pqarrow.NewFileWriter(as, struct{ io.Writer }{w}, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, fmt.Errorf("start parquet file: %w", err)
	}
	if err := markVoid(fw, schema); err != nil {
		fw.Close()
		return nil, err
	}
	return &Writer{schema: schema, fw: fw, recs: NewRecords(memory.DefaultAllocator, schema)}, nil
}

// voidColumnsKey names the footer metadata listing VOID columns (as a JSON
// array), so that reading our own file gives back VOID rather than STRING.
const voidColumnsKey = "nectar.void_columns"

func markVoid(fw *pqarrow.FileWriter, schema types.Schema) error {
	var void []string
	for _, c := range schema {
		if c.Kind == types.Null {
			void = append(void, c.Name)
		}
	}
	if len(void) == 0 {
		return nil
	}
	js, err := json.Marshal(void)
	if err != nil {
		return fmt.Errorf("parquet metadata: %w", err)
	}
	if err := fw.AppendKeyValueMetadata(voidColumnsKey, string(js)); err != nil {
		return fmt.Errorf("parquet metadata: %w", err)
	}
	return nil
}

// Write appends b's rows. b is not retained.
func (w *Writer) Write(b *types.Batch) error {
	if w.closed {
		return ErrClosed
	}
	if b == nil || b.Len == 0 {
		return nil
	}
	rec, err := w.recs.Record(b)
	if err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	defer rec.Release()
	// WriteBuffered packs many small batches into one row group; Write
	// would start a row group per 1024-row batch.
	if err := w.fw.WriteBuffered(rec); err != nil {
		w.closed = true
		return fmt.Errorf("write parquet: %w", err)
	}
	return nil
}

// Close flushes the last row group and writes the footer. It does not close
// the underlying io.Writer.
func (w *Writer) Close() error {
	if w.fw == nil {
		return nil
	}
	w.recs.Release()
	err := w.fw.Close()
	w.fw = nil
	w.closed = true
	if err != nil {
		return fmt.Errorf("close parquet file: %w", err)
	}
	return nil
}
