package parquetfile

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/nectar-dev/nectar/types"
)

// ReadOptions choose what OpenWith reads.
type ReadOptions struct {
	// Columns are read in this order, as for OpenColumns; nil reads all.
	Columns []string
	// KeepRowGroup, when set, is asked about every row group with its
	// footer statistics; row groups it rejects are never decoded. It must
	// only reject a row group that cannot hold a wanted row.
	KeepRowGroup func(RowGroupStats) bool
	// FreshBatches makes Next return a new batch every call instead of
	// reusing one, so a reader goroutine can run ahead of its consumer.
	FreshBatches bool
}

// RowGroupStats describes one row group from the footer.
type RowGroupStats struct {
	Index int
	Rows  int64
	// Columns is aligned with the reader's schema (ReadOptions.Columns).
	Columns []ColumnStats
}

// ColumnStats are one column chunk's statistics, converted to nectar
// values of the column's kind. Known is false when the file has none that
// nectar can trust (no statistics, unsupported physical type, a column
// read as JSON text, or a column the file lacks).
type ColumnStats struct {
	Known     bool
	HasMinMax bool // Min and Max hold the smallest and largest non-NULL values
	Min, Max  types.Value
	NullCount int64 // valid when Known
}

// RowGroups reports how many row groups the file has and how many the
// reader decodes after KeepRowGroup.
func (r *Reader) RowGroups() (total, read int) { return r.rowGroups, r.rowGroupsRead }

// selectRowGroups returns the indexes of the row groups keep accepts.
func selectRowGroups(pf *file.Reader, want []column, keep func(RowGroupStats) bool) []int {
	md := pf.MetaData()
	leaf := make([]int, len(want)) // Parquet leaf index per column, -1: none
	sch := md.Schema
	for j, c := range want {
		leaf[j] = -1
		if c.src < 0 || c.json {
			continue
		}
		for i := 0; i < sch.NumColumns(); i++ {
			if equalNames(sch.Column(i).ColumnPath(), c.names) {
				leaf[j] = i
				break
			}
		}
	}
	groups := make([]int, 0, pf.NumRowGroups())
	for g := 0; g < pf.NumRowGroups(); g++ {
		rg := md.RowGroup(g)
		st := RowGroupStats{Index: g, Rows: rg.NumRows(), Columns: make([]ColumnStats, len(want))}
		for j, c := range want {
			if leaf[j] < 0 {
				if c.src < 0 {
					// Absent from this file: every row is NULL.
					st.Columns[j] = ColumnStats{Known: true, NullCount: rg.NumRows()}
				}
				continue
			}
			cc, err := rg.ColumnChunk(leaf[j])
			if err != nil {
				continue
			}
			ts, err := cc.Statistics()
			if err != nil || ts == nil {
				continue
			}
			st.Columns[j] = convertStats(ts, c)
		}
		if keep(st) {
			groups = append(groups, g)
		}
	}
	return groups
}

// convertStats turns typed footer statistics into values of c's kind, for
// the physical and logical types nectar maps without loss of order.
// Unsigned integers are left out: their order differs from BIGINT's once
// they pass 2^63.
func convertStats(ts metadata.TypedStatistics, c column) ColumnStats {
	if !ts.HasNullCount() {
		return ColumnStats{}
	}
	out := ColumnStats{Known: true, NullCount: ts.NullCount()}
	if !ts.HasMinMax() {
		return out
	}
	var lo, hi types.Value
	ok := true
	switch s := ts.(type) {
	case *metadata.BooleanStatistics:
		ok = c.kind == types.Bool
		lo, hi = types.BoolValue(s.Min()), types.BoolValue(s.Max())
	case *metadata.Int32Statistics:
		switch {
		case c.kind == types.Date && c.typ.ID() == arrow.DATE32:
			lo, hi = types.DateValue(int64(s.Min())), types.DateValue(int64(s.Max()))
		case c.kind == types.Int && signedInt(c.typ):
			lo, hi = types.IntValue(int64(s.Min())), types.IntValue(int64(s.Max()))
		default:
			ok = false
		}
	case *metadata.Int64Statistics:
		switch {
		case c.kind == types.Timestamp && c.typ.ID() == arrow.TIMESTAMP:
			unit := c.typ.(*arrow.TimestampType).Unit
			lo = types.Value{K: types.Timestamp, I: toMicros(s.Min(), unit)}
			hi = types.Value{K: types.Timestamp, I: toMicros(s.Max(), unit)}
		case c.kind == types.Int && signedInt(c.typ):
			lo, hi = types.IntValue(s.Min()), types.IntValue(s.Max())
		default:
			ok = false
		}
	case *metadata.Float64Statistics:
		ok = c.kind == types.Float && c.typ.ID() == arrow.FLOAT64
		lo, hi = types.FloatValue(s.Min()), types.FloatValue(s.Max())
	case *metadata.Float32Statistics:
		ok = c.kind == types.Float && c.typ.ID() == arrow.FLOAT32
		lo, hi = types.FloatValue(float64(s.Min())), types.FloatValue(float64(s.Max()))
	case *metadata.ByteArrayStatistics:
		id := c.typ.ID()
		ok = c.kind == types.String && (id == arrow.STRING || id == arrow.LARGE_STRING || id == arrow.BINARY || id == arrow.LARGE_BINARY)
		lo, hi = types.StringValue(string(s.Min())), types.StringValue(string(s.Max()))
	default:
		ok = false
	}
	if ok {
		out.HasMinMax, out.Min, out.Max = true, lo, hi
	}
	return out
}

func signedInt(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}
