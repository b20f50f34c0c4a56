package parquetfile

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/nectar-dev/nectar/types"
)

// Records turns batches of one schema into Arrow record batches of the
// schema ArrowSchema gives it. It is the one mapping from nectar's kinds
// to Arrow: Parquet files, the server's Flight SQL answers and its Arrow
// IPC downloads all go through it, so a column has the same Arrow type
// everywhere.
type Records struct {
	schema   types.Schema
	arrow    *arrow.Schema
	builders []array.Builder
}

// NewRecords returns a converter for batches of schema, allocating from mem
// (nil: memory.DefaultAllocator). Release it when done.
func NewRecords(mem memory.Allocator, schema types.Schema) *Records {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	r := &Records{schema: schema, arrow: ArrowSchema(schema), builders: make([]array.Builder, len(schema))}
	for i, f := range r.arrow.Fields() {
		r.builders[i] = array.NewBuilder(mem, f.Type)
	}
	return r
}

// Columns is the schema of the batches r converts.
func (r *Records) Columns() types.Schema { return r.schema }

// Schema is the Arrow schema of the records.
func (r *Records) Schema() *arrow.Schema { return r.arrow }

// Record converts b's rows; b is not retained. The caller owns the record
// and must Release it.
func (r *Records) Record(b *types.Batch) (arrow.RecordBatch, error) {
	if len(b.Cols) != len(r.schema) {
		return nil, fmt.Errorf("batch has %d columns, schema %d", len(b.Cols), len(r.schema))
	}
	for j, v := range b.Cols {
		if err := appendVector(r.builders[j], r.schema[j].Kind, v, b.Len); err != nil {
			// Leave no half-built column behind for the next batch.
			for _, bl := range r.builders {
				bl.NewArray().Release()
			}
			return nil, fmt.Errorf("column %s: %w", r.schema[j].Name, err)
		}
	}
	cols := make([]arrow.Array, len(r.builders))
	for j, bl := range r.builders {
		cols[j] = bl.NewArray()
	}
	rec := array.NewRecordBatch(r.arrow, cols, int64(b.Len))
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

// Release frees the builders.
func (r *Records) Release() {
	for _, b := range r.builders {
		b.Release()
	}
	r.builders = nil
}

// ArrowSchema is the Arrow schema a Writer gives schema. Every column is
// nullable; ARRAY, MAP and STRUCT columns are Arrow lists, maps and
// structs (nested.go). VOID columns become all-NULL strings: pqarrow would write
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
	case types.Binary:
		return arrow.BinaryTypes.Binary
	}
	if k.IsNested() {
		return nestedArrowType(k)
	}
	return arrow.BinaryTypes.String
}

func appendVector(bl array.Builder, k types.Kind, v *types.Vector, n int) error {
	if v.Len() < n {
		return fmt.Errorf("vector has %d rows, batch %d", v.Len(), n)
	}
	bl.Reserve(n)
	if k.IsNested() {
		return appendNestedVector(bl, k, v, n)
	}
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
		if k.IsInterval() {
			// Intervals are written as their ANSI text (INTERVAL '2'
			// HOUR), the text Spark's CAST to STRING gives.
			for i := 0; i < n; i++ {
				if v.Nulls[i] {
					b.AppendNull()
				} else {
					b.Append(types.FormatInterval(types.Value{K: k, I: v.I[i]}))
				}
			}
			return nil
		}
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
	case *array.BinaryBuilder:
		for i := 0; i < n; i++ {
			if v.Nulls[i] {
				b.AppendNull()
			} else {
				b.Append([]byte(v.S[i]))
			}
		}
	default:
		return fmt.Errorf("no builder for kind %s", k)
	}
	return nil
}
