package connect

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// memTable is a LocalRelation (createDataFrame of a small list or a
// pandas frame) as a source the binder reads like any table: the rows
// arrive in the plan, as Arrow IPC, and are kept in memory.
type memTable struct {
	name   string
	schema types.Schema
	rows   [][]types.Value
}

func (m *memTable) String() string { return m.name }
func (m *memTable) Columns() []plan.SourceColumn {
	cols := make([]plan.SourceColumn, len(m.schema))
	for i, c := range m.schema {
		cols[i] = plan.SourceColumn{Name: c.Name, Kind: c.Kind}
	}
	return cols
}
func (m *memTable) Resolve(string) (types.Kind, bool) { return types.Null, false }
func (m *memTable) Open(_ context.Context, cols []plan.SourceColumn, _ []plan.Expr) (plan.BatchReader, error) {
	idx := make([]int, len(cols))
	schema := make(types.Schema, len(cols))
	for i, c := range cols {
		idx[i] = m.schema.Index(c.Name)
		if idx[i] < 0 {
			return nil, fmt.Errorf("%s has no column %s", m.name, c.Name)
		}
		schema[i] = m.schema[idx[i]]
	}
	rows := make([][]types.Value, len(m.rows))
	for r, row := range m.rows {
		out := make([]types.Value, len(idx))
		for i, j := range idx {
			out[i] = row[j]
		}
		rows[r] = out
	}
	return exec.Rows(schema, rows), nil
}

// rangeTable is spark.range(start, end, step): one BIGINT column, id,
// made a batch at a time as the query reads it, so that range(10**9)
// holds no more than a batch.
type rangeTable struct {
	name             string
	start, end, step int64
}

func (r *rangeTable) String() string { return r.name }
func (r *rangeTable) Columns() []plan.SourceColumn {
	return []plan.SourceColumn{{Name: "id", Kind: types.Int}}
}
func (r *rangeTable) Resolve(string) (types.Kind, bool) { return types.Null, false }
func (r *rangeTable) Open(_ context.Context, cols []plan.SourceColumn, _ []plan.Expr) (plan.BatchReader, error) {
	return &rangeReader{t: r, next: r.start, width: len(cols)}, nil
}

type rangeReader struct {
	t     *rangeTable
	next  int64
	width int // 0 when the query reads no column (count(*))
	done  bool
}

func (rr *rangeReader) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := rr.t
	schema := types.Schema{{Name: "id", Kind: types.Int}}[:rr.width]
	b := types.NewBatch(schema, types.BatchSize)
	n := 0
	for !rr.done && n < types.BatchSize {
		if (t.step > 0 && rr.next >= t.end) || (t.step < 0 && rr.next <= t.end) {
			rr.done = true
			break
		}
		if rr.width > 0 {
			b.Cols[0].Append(types.IntValue(rr.next))
		}
		n++
		nx := rr.next + t.step
		if (t.step > 0 && nx < rr.next) || (t.step < 0 && nx > rr.next) {
			rr.done = true // overflow: the range ends at the last value that fits
		}
		rr.next = nx
	}
	b.Len = n
	return b, nil
}

func (rr *rangeReader) Close() error { return nil }

// decodeLocal reads a LocalRelation's Arrow IPC stream into rows of
// nectar's kinds. schemaHint, when the client sent one (a DDL string or
// Spark's JSON schema), names and types the columns; otherwise the Arrow
// schema does.
func decodeLocal(data []byte, schemaHint string) (types.Schema, [][]types.Value, error) {
	var hint types.Schema
	if strings.TrimSpace(schemaHint) != "" {
		s, err := parseSchemaString(schemaHint)
		if err != nil {
			return nil, nil, err
		}
		hint = s
	}
	if len(data) == 0 {
		if hint == nil {
			return nil, nil, invalid("local relation has neither data nor schema")
		}
		return hint, nil, nil
	}
	rd, err := ipc.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, invalid("local relation: not an Arrow IPC stream: %v", err)
	}
	defer rd.Release()
	as := rd.Schema()
	schema := make(types.Schema, len(as.Fields()))
	for i, f := range as.Fields() {
		k, err := kindOfArrow(f.Type)
		if err != nil {
			return nil, nil, fmt.Errorf("local relation column %s: %w", f.Name, err)
		}
		schema[i] = types.Column{Name: f.Name, Kind: k}
	}
	if hint != nil {
		if len(hint) != len(schema) {
			return nil, nil, invalid("local relation: schema has %d columns, data %d", len(hint), len(schema))
		}
		for i := range schema {
			schema[i].Name = hint[i].Name
			if hint[i].Kind != types.Null {
				schema[i].Kind = hint[i].Kind
			}
		}
	}
	var rows [][]types.Value
	for rd.Next() {
		rec := rd.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]types.Value, rec.NumCols())
			for c := 0; c < int(rec.NumCols()); c++ {
				v, err := arrowValue(rec.Column(c), r)
				if err != nil {
					return nil, nil, fmt.Errorf("local relation column %s: %w", schema[c].Name, err)
				}
				if !v.IsNull() && v.K != schema[c].Kind {
					if v, err = types.Cast(v, schema[c].Kind); err != nil {
						return nil, nil, fmt.Errorf("local relation column %s: %w", schema[c].Name, err)
					}
				}
				row[c] = v
			}
			rows = append(rows, row)
			if len(rows) > maxLocalRows {
				return nil, nil, unsupported("a local relation of more than %d rows (write the data to a file and read it)", maxLocalRows)
			}
		}
	}
	if err := rd.Err(); err != nil {
		return nil, nil, invalid("local relation: %v", err)
	}
	return schema, rows, nil
}

// maxLocalRows bounds createDataFrame: the rows travel in the plan and are
// held in memory.
const maxLocalRows = 1_000_000

func kindOfArrow(t arrow.DataType) (types.Kind, error) {
	switch t.ID() {
	case arrow.NULL:
		return types.Null, nil
	case arrow.BOOL:
		return types.Bool, nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return types.Int, nil
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return types.Float, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return types.String, nil
	case arrow.TIMESTAMP:
		return types.Timestamp, nil
	case arrow.DATE32, arrow.DATE64:
		return types.Date, nil
	}
	return types.Null, unsupported("Arrow type %s in a local relation (nectar has BOOLEAN, BIGINT, DOUBLE, STRING, DATE and TIMESTAMP columns)", t)
}

func arrowValue(arr arrow.Array, i int) (types.Value, error) {
	if arr.IsNull(i) {
		return types.Value{}, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return types.BoolValue(a.Value(i)), nil
	case *array.Int8:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Int16:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Int32:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Int64:
		return types.IntValue(a.Value(i)), nil
	case *array.Uint8:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Uint16:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Uint32:
		return types.IntValue(int64(a.Value(i))), nil
	case *array.Float32:
		return types.FloatValue(float64(a.Value(i))), nil
	case *array.Float64:
		return types.FloatValue(a.Value(i)), nil
	case *array.Decimal128:
		f := a.Value(i).ToFloat64(a.DataType().(*arrow.Decimal128Type).Scale)
		return types.FloatValue(f), nil
	case *array.String:
		return types.StringValue(a.Value(i)), nil
	case *array.LargeString:
		return types.StringValue(a.Value(i)), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		v := int64(a.Value(i))
		switch unit {
		case arrow.Second:
			v *= 1_000_000
		case arrow.Millisecond:
			v *= 1000
		case arrow.Nanosecond:
			v /= 1000
		}
		return types.Value{K: types.Timestamp, I: v}, nil
	case *array.Date32:
		return types.DateValue(int64(a.Value(i))), nil
	case *array.Date64:
		return types.DateValue(int64(a.Value(i)) / 86_400_000), nil
	}
	return types.Value{}, unsupported("Arrow type %s in a local relation", arr.DataType())
}
