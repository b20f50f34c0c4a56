package parquetfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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
	schema   types.Schema
	arrow    *arrow.Schema
	fw       *pqarrow.FileWriter
	builders []array.Builder
	closed   bool
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
	pw := &Writer{schema: schema, arrow: as, fw: fw, builders: make([]array.Builder, len(schema))}
	for i, f := range as.Fields() {
		pw.builders[i] = array.NewBuilder(memory.DefaultAllocator, f.Type)
	}
	return pw, nil
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

// ArrowSchema is the Arrow schema a Writer gives schema. Every column is
// nullable. VOID columns become all-NULL strings: pqarrow would write
// Arrow's null type as INT32 with the Parquet UNKNOWN logical type, which
// some readers reject, while a nullable UTF8 column reads everywhere.
func ArrowSchema(schema types.Schema) *arrow.Schema {
	fields := make([]arrow.Field, len(schema))
	for i, c := range schema {
		fields[i] = arrow.Field{Name: c.Name, Type: arrowType(c.Kind), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

func arrowType(k types.Kind) arrow.DataType {
	switch k {
	case types.Bool:
		return arrow.FixedWidthTypes.Boolean
	case types.Int:
		return arrow.PrimitiveTypes.Int64
	case types.Float:
		return arrow.PrimitiveTypes.Float64
	case types.Timestamp:
		// Unit µs with zone "UTC" is what makes pqarrow write
		// TIMESTAMP(MICROS, isAdjustedToUTC=true).
		return arrow.FixedWidthTypes.Timestamp_us
	case types.Date:
		return arrow.FixedWidthTypes.Date32
	}
	return arrow.BinaryTypes.String
}

// Write appends b's rows. b is not retained.
func (w *Writer) Write(b *types.Batch) error {
	if w.closed {
		return ErrClosed
	}
	if b == nil || b.Len == 0 {
		return nil
	}
	if len(b.Cols) != len(w.schema) {
		return fmt.Errorf("write parquet: batch has %d columns, schema %d", len(b.Cols), len(w.schema))
	}
	for j, v := range b.Cols {
		if err := appendVector(w.builders[j], w.schema[j].Kind, v, b.Len); err != nil {
			return fmt.Errorf("write parquet column %s: %w", w.schema[j].Name, err)
		}
	}
	cols := make([]arrow.Array, len(w.builders))
	for j, bl := range w.builders {
		cols[j] = bl.NewArray()
	}
	rec := array.NewRecordBatch(w.arrow, cols, int64(b.Len))
	for _, c := range cols {
		c.Release()
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

func appendVector(bl array.Builder, k types.Kind, v *types.Vector, n int) error {
	if v.Len() < n {
		return fmt.Errorf("vector has %d rows, batch %d", v.Len(), n)
	}
	bl.Reserve(n)
	switch b := bl.(type) {
	case *array.BooleanBuilder:
		for i := 0; i < n; i++ {
			if v.Nulls[i] {
				b.AppendNull()
			} else {
				b.UnsafeAppend(v.I[i] != 0)
			}
		}
	case *array.Int64Builder:
		for i := 0; i < n; i++ {
			if v.Nulls[i] {
				b.AppendNull()
			} else {
				b.UnsafeAppend(v.I[i])
			}
		}
	case *array.Float64Builder:
		for i := 0; i < n; i++ {
			if v.Nulls[i] {
				b.AppendNull()
			} else {
				b.UnsafeAppend(v.F[i])
			}
		}
	case *array.TimestampBuilder:
		for i := 0; i < n; i++ {
			if v.Nulls[i] {
				b.AppendNull()
			} else {
				b.UnsafeAppend(arrow.Timestamp(v.I[i]))
			}
		}
	case *array.Date32Builder:
		for i := 0; i < n; i++ {
			if v.Nulls[i] {
				b.AppendNull()
			} else {
				b.UnsafeAppend(arrow.Date32(v.I[i]))
			}
		}
	case *array.StringBuilder:
		if k != types.String {
			// VOID: every row is NULL whatever the vector holds.
			b.AppendNulls(n)
			return nil
		}
		for i := 0; i < n; i++ {
			if v.Nulls[i] {
				b.AppendNull()
			} else {
				b.Append(v.S[i])
			}
		}
	default:
		return fmt.Errorf("no builder for kind %s", k)
	}
	return nil
}

// Close flushes the last row group and writes the footer. It does not close
// the underlying io.Writer.
func (w *Writer) Close() error {
	if w.fw == nil {
		return nil
	}
	for _, b := range w.builders {
		b.Release()
	}
	err := w.fw.Close()
	w.fw = nil
	w.closed = true
	if err != nil {
		return fmt.Errorf("close parquet file: %w", err)
	}
	return nil
}
