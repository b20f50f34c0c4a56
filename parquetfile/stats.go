package parquetfile

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/nectar-dev/nectar/parquetfile/internal/footer"
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

// footerStats gives row-group selection the footer facts it needs. Two
// sources: arrow-go's decoded footer (decodedFooter), and the walker that
// decodes only the statistics asked for (indexedFooter, internal/footer).
type footerStats interface {
	numGroups() int
	// group returns row group g's row count and, in out, the statistics
	// of leaves[i] (nil where a leaf is < 0 or has none to trust).
	group(g int, leaves []int, out []metadata.TypedStatistics) (rows int64, err error)
}

type decodedFooter struct{ md *metadata.FileMetaData }

func (d decodedFooter) numGroups() int { return d.md.NumRowGroups() }

func (d decodedFooter) group(g int, leaves []int, out []metadata.TypedStatistics) (int64, error) {
	rg := d.md.RowGroup(g)
	for i, l := range leaves {
		out[i] = nil
		if l < 0 {
			continue
		}
		if cc, err := rg.ColumnChunk(l); err == nil {
			if ts, err := cc.Statistics(); err == nil {
				out[i] = ts
			}
		}
	}
	return rg.NumRows(), nil
}

// indexedFooter reads statistics with the footer walker, for a file whose
// footer OpenFile has not let arrow-go decode in full.
type indexedFooter struct {
	ix  *footer.Index
	md  *metadata.FileMetaData // the footer without row groups: schema and writer
	raw []footer.Stats
}

func (x *indexedFooter) numGroups() int { return x.ix.NumGroups() }

func (x *indexedFooter) group(g int, leaves []int, out []metadata.TypedStatistics) (int64, error) {
	if len(x.raw) < len(leaves) {
		x.raw = make([]footer.Stats, len(leaves))
	}
	rows, err := x.ix.GroupStats(g, leaves, x.raw[:len(leaves)])
	if err != nil {
		return 0, err
	}
	for i, l := range leaves {
		out[i] = nil
		if l >= 0 {
			out[i] = typedStats(&x.raw[i], x.md.Schema.Column(l), x.md.WriterVersion())
		}
	}
	return rows, nil
}

// typedStats turns s into arrow-go's typed statistics for descr, with the
// checks ColumnChunkMetaData.Statistics applies: none for an unknown sort
// order, none when the writer is known to have written wrong ones.
func typedStats(s *footer.Stats, descr *schema.Column, writer *metadata.AppVersion) metadata.TypedStatistics {
	if !s.Set || descr.SortOrder() == schema.SortUNKNOWN {
		return nil
	}
	s.TypeDefined = descr.ColumnOrder() == parquet.ColumnOrders.TypeDefinedOrder
	ts := metadata.NewStatisticsFromEncoded(descr, nil, s.NumValues-s.GetNullCount(), s)
	enc, err := ts.Encode()
	if err != nil || !writer.HasCorrectStatistics(descr.PhysicalType(), descr.LogicalType(), enc, descr.SortOrder()) {
		return nil
	}
	return ts
}

// selectRowGroups returns the indexes of the row groups keep accepts, and
// their row count.
func selectRowGroups(sch *schema.Schema, src footerStats, want []column, keep func(RowGroupStats) bool) ([]int, int64, error) {
	leaf := make([]int, len(want)) // Parquet leaf index per column, -1: none
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
	ts := make([]metadata.TypedStatistics, len(want))
	groups := make([]int, 0, src.numGroups())
	var kept int64
	for g := 0; g < src.numGroups(); g++ {
		rows, err := src.group(g, leaf, ts)
		if err != nil {
			return nil, 0, err
		}
		st := RowGroupStats{Index: g, Rows: rows, Columns: make([]ColumnStats, len(want))}
		for j, c := range want {
			switch {
			case c.src < 0:
				// Absent from this file: every row is NULL.
				st.Columns[j] = ColumnStats{Known: true, NullCount: rows}
			case ts[j] != nil:
				st.Columns[j] = convertStats(ts[j], c)
			}
		}
		if keep(st) {
			groups = append(groups, g)
			kept += rows
		}
	}
	return groups, kept, nil
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
