package parquetfile

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/nectar-dev/nectar/types"
)

var allKinds = types.Schema{
	{Name: "b", Kind: types.Bool},
	{Name: "i", Kind: types.Int},
	{Name: "f", Kind: types.Float},
	{Name: "s", Kind: types.String},
	{Name: "ts", Kind: types.Timestamp},
	{Name: "d", Kind: types.Date},
	{Name: "v", Kind: types.Null},
}

// rowOf builds row n of a deterministic table in allKinds, with NULLs in
// different rows per column so a shifted null bitmap shows up.
func rowOf(n int) []types.Value {
	row := []types.Value{
		types.BoolValue(n%2 == 0),
		types.IntValue(int64(n*1000003) - 5e9),
		types.FloatValue(float64(n) / 7),
		types.StringValue(strings.Repeat("é", n%5) + "x" + string(rune('a'+n%26))),
		{K: types.Timestamp, I: 1700000000123456 + int64(n)*3600e6},
		types.DateValue(int64(19000 + n)),
		types.NullValue,
	}
	for j := range 6 {
		if n%(j+3) == 1 {
			row[j] = types.NullValue
		}
	}
	if n == 5 {
		row[2] = types.FloatValue(math.NaN())
	}
	return row
}

func writeFile(t testing.TB, schema types.Schema, opt Options, batches ...[][]types.Value) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriterOptions(f, schema, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, rows := range batches {
		b := types.NewBatch(schema, len(rows))
		for _, r := range rows {
			b.AppendRow(r)
		}
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(types.NewBatch(schema, 0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after Close: %v, want ErrClosed", err)
	}
	return path
}

func readAll(t *testing.T, r *Reader) [][]types.Value {
	t.Helper()
	var out [][]types.Value
	for {
		b, err := r.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil || b.Len == 0 {
			return out
		}
		if b.Len > types.BatchSize {
			t.Fatalf("batch of %d rows", b.Len)
		}
		for i := 0; i < b.Len; i++ {
			out = append(out, b.Row(nil, i))
		}
	}
}

func sameValue(a, b types.Value) bool {
	if a.K == types.Float && b.K == types.Float && math.IsNaN(a.F) && math.IsNaN(b.F) {
		return true
	}
	return a == b
}

func TestRoundTrip(t *testing.T) {
	// Batch sizes straddle types.BatchSize and the row-group size so that
	// reads cross both record and row-group boundaries.
	sizes := []int{700, 1500, 1, 900}
	var want [][]types.Value
	var batches [][][]types.Value
	for _, n := range sizes {
		var rows [][]types.Value
		for range n {
			r := rowOf(len(want))
			want = append(want, r)
			rows = append(rows, r)
		}
		batches = append(batches, rows)
	}
	for _, comp := range []Compression{Zstd, Snappy, None} {
		t.Run(string(comp), func(t *testing.T) {
			path := writeFile(t, allKinds, Options{Compression: comp, RowGroupRows: 1000}, batches...)
			r, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := r.Schema().String(); got != allKinds.String() {
				t.Fatalf("schema %s, want %s", got, allKinds)
			}
			if r.NumRows() != int64(len(want)) {
				t.Fatalf("NumRows %d, want %d", r.NumRows(), len(want))
			}
			if n := r.pf.NumRowGroups(); n != 4 {
				t.Errorf("%d row groups, want 4", n)
			}
			got := readAll(t, r)
			if len(got) != len(want) {
				t.Fatalf("%d rows, want %d", len(got), len(want))
			}
			for i := range want {
				for j := range want[i] {
					if !sameValue(got[i][j], want[i][j]) {
						t.Fatalf("row %d col %s: %v, want %v", i, allKinds[j].Name, got[i][j], want[i][j])
					}
				}
			}
		})
	}
}

func TestWrittenParquetTypes(t *testing.T) {
	path := writeFile(t, allKinds, Options{}, [][]types.Value{rowOf(0)})
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	want := map[string]string{
		"b":  "BOOLEAN None",
		"i":  "INT64 Int(bitWidth=64, isSigned=true)",
		"f":  "DOUBLE None",
		"s":  "BYTE_ARRAY String",
		"ts": "INT64 Timestamp(isAdjustedToUTC=true, timeUnit=microseconds, is_from_converted_type=false, force_set_converted_type=false)",
		"d":  "INT32 Date",
		"v":  "BYTE_ARRAY String",
	}
	sch := pf.MetaData().Schema
	for i := 0; i < sch.NumColumns(); i++ {
		c := sch.Column(i)
		got := c.PhysicalType().String() + " " + c.LogicalType().String()
		if got != want[c.Name()] {
			t.Errorf("column %s: %s, want %s", c.Name(), got, want[c.Name()])
		}
	}
	cc, err := pf.MetaData().RowGroup(0).ColumnChunk(0)
	if err != nil {
		t.Fatal(err)
	}
	if cc.Compression() != compress.Codecs.Zstd {
		t.Errorf("codec %s, want zstd by default", cc.Compression())
	}
}

func TestEmptyResult(t *testing.T) {
	path := writeFile(t, allKinds, Options{})
	r, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.NumRows() != 0 || r.Schema().String() != allKinds.String() {
		t.Fatalf("rows %d schema %s", r.NumRows(), r.Schema())
	}
	if rows := readAll(t, r); len(rows) != 0 {
		t.Fatalf("%d rows from an empty file", len(rows))
	}
}

// writeNested writes, with arrow directly, a file shaped like a Segment
// event: a struct column with a nested struct, a list, a map, and types our
// writer never produces.
func writeNested(t *testing.T) string {
	t.Helper()
	libT := arrow.StructOf(
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "version", Type: arrow.BinaryTypes.String, Nullable: true},
	)
	ctxT := arrow.StructOf(
		arrow.Field{Name: "ip", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "library", Type: libT, Nullable: true},
	)
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "context", Type: ctxT, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "props", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	}, nil)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer bld.Release()

	bld.Field(0).(*array.Int32Builder).AppendValues([]int32{1, 2, 3}, nil)

	cb := bld.Field(1).(*array.StructBuilder)
	ip := cb.FieldBuilder(0).(*array.StringBuilder)
	lb := cb.FieldBuilder(1).(*array.StructBuilder)
	ln := lb.FieldBuilder(0).(*array.StringBuilder)
	lv := lb.FieldBuilder(1).(*array.StringBuilder)
	// row 1: full; row 2: context NULL; row 3: library NULL.
	cb.Append(true)
	ip.Append("8.8.8.8")
	lb.Append(true)
	ln.Append("analytics.js")
	lv.Append("next-1.2")
	cb.AppendNull() // also appends NULL to every child builder
	cb.Append(true)
	ip.Append("1.1.1.1")
	lb.AppendNull()

	tb := bld.Field(2).(*array.ListBuilder)
	tv := tb.ValueBuilder().(*array.StringBuilder)
	tb.Append(true)
	tv.AppendValues([]string{"a", `q"\`}, nil)
	tb.Append(true) // empty list
	tb.AppendNull()

	mb := bld.Field(3).(*array.MapBuilder)
	mk := mb.KeyBuilder().(*array.StringBuilder)
	mi := mb.ItemBuilder().(*array.Float64Builder)
	mb.Append(true)
	mk.Append("revenue")
	mi.Append(2)
	mk.Append("nan")
	mi.Append(math.NaN())
	mb.AppendNull()
	mb.Append(true)

	bld.Field(4).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1700000000123, -1, 0}, []bool{true, true, false})
	bld.Field(5).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(1999), decimal128.FromI64(-5), {}}, []bool{true, true, false})
	bld.Field(6).(*array.Uint8Builder).AppendValues([]uint8{255, 0, 7}, nil)
	bld.Field(7).(*array.Float32Builder).AppendValues([]float32{0.5, 1, 2}, nil)

	rec := bld.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	fw, err := pqarrow.NewFileWriter(sc, &buf, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nested.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func rowsText(rows [][]types.Value) string {
	var b strings.Builder
	for _, r := range rows {
		for j, v := range r {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(v.String())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestReadNested(t *testing.T) {
	path := writeNested(t)
	tests := []struct {
		name   string
		cols   []string
		schema string
		rows   string
	}{
		{
			name:   "all",
			cols:   nil,
			schema: "id BIGINT, context.ip STRING, context.library.name STRING, context.library.version STRING, tags ARRAY<STRING>, props MAP<STRING, DOUBLE>, ms TIMESTAMP, price DOUBLE, u8 BIGINT, f32 DOUBLE",
			rows: `1 | 8.8.8.8 | analytics.js | next-1.2 | [a, q"\] | {revenue -> 2.0, nan -> NaN} | 2023-11-14T22:13:20.123Z | 19.99 | 255 | 0.5
2 | NULL | NULL | NULL | [] | NULL | 1969-12-31T23:59:59.999Z | -0.05 | 0 | 1.0
3 | 1.1.1.1 | NULL | NULL | NULL | {} | NULL | NULL | 7 | 2.0
`,
		},
		{
			name:   "projection reorders and matches case-insensitively",
			cols:   []string{"CONTEXT.library.name", "id"},
			schema: "context.library.name STRING, id BIGINT",
			rows:   "analytics.js | 1\nNULL | 2\nNULL | 3\n",
		},
		{
			name:   "struct node as a STRUCT",
			cols:   []string{"context.library", "context"},
			schema: "context.library STRUCT<name: STRING, version: STRING>, context STRUCT<ip: STRING, library: STRUCT<name: STRING, version: STRING>>",
			rows: `{analytics.js, next-1.2} | {8.8.8.8, {analytics.js, next-1.2}}
NULL | NULL
NULL | {1.1.1.1, null}
`,
		},
		{
			name:   "missing column is VOID",
			cols:   []string{"tags", "nope"},
			schema: "tags ARRAY<STRING>, nope VOID",
			rows:   "[a, q\"\\] | NULL\n[] | NULL\nNULL | NULL\n",
		},
		{
			name:   "no columns still counts rows",
			cols:   []string{},
			schema: "",
			rows:   "\n\n\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := OpenColumns(context.Background(), path, tc.cols)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := r.Schema().String(); got != tc.schema {
				t.Errorf("schema:\n got %s\nwant %s", got, tc.schema)
			}
			if got := rowsText(readAll(t, r)); got != tc.rows {
				t.Errorf("rows:\n got %s\nwant %s", got, tc.rows)
			}
		})
	}
}

func TestCorrupt(t *testing.T) {
	var rows [][]types.Value
	for i := range 3000 {
		rows = append(rows, rowOf(i))
	}
	good, err := os.ReadFile(writeFile(t, allKinds, Options{}, rows))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	damaged := func(name string, f func([]byte) []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, f(bytes.Clone(good)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		path string
	}{
		{"empty", damaged("empty", func([]byte) []byte { return nil })},
		{"truncated", damaged("trunc", func(b []byte) []byte { return b[:len(b)/2] })},
		{"footer cut", damaged("footer", func(b []byte) []byte { return b[:len(b)-9] })},
		{"not parquet", damaged("text", func([]byte) []byte { return []byte("PAR1 hello, world; this is not parquet PAR1") })},
		{"bad footer length", damaged("len", func(b []byte) []byte {
			copy(b[len(b)-8:], []byte{0xff, 0xff, 0xff, 0x7f})
			return b
		})},
		{"pages overwritten", damaged("pages", func(b []byte) []byte {
			for i := 4; i < len(b)/2; i++ {
				b[i] = byte(i * 7)
			}
			return b
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(context.Background(), tc.path)
			if err == nil {
				defer r.Close()
				for err == nil {
					var b *types.Batch
					b, err = r.Next(context.Background())
					if b == nil {
						break
					}
				}
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestOpenMissingFile(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "nope.parquet"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

func TestCancelled(t *testing.T) {
	path := writeFile(t, allKinds, Options{}, [][]types.Value{rowOf(1)})
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestReadDuckDBFile reads a file DuckDB wrote (testdata/duckdb.py), so the
// reader is checked against another engine's choices of Parquet types.
func TestReadDuckDBFile(t *testing.T) {
	r, err := Open(context.Background(), filepath.Join("testdata", "duckdb.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	wantSchema := "id BIGINT, context.ip STRING, context.lib.name STRING, l ARRAY<BIGINT>, m MAP<STRING, DOUBLE>, tns TIMESTAMP, dec DOUBLE, dsmall DOUBLE, nul VOID, u STRING, tm STRING, ut BIGINT, bl STRING, los ARRAY<STRUCT<a: BIGINT>>, tsntz TIMESTAMP, fl DOUBLE"
	if got := r.Schema().String(); got != wantSchema {
		t.Errorf("schema:\n got %s\nwant %s", got, wantSchema)
	}
	want := `1 | 1.2.3.4 | a | [1, 2] | {k -> 1.5} | 2024-01-01T00:00:00.123456Z | 12.34 | 5.5 | NULL | 6ba7b810-9dad-11d1-80b4-00c04fd430c8 | 12:34:56.000000 | 3 | x | [{1}, {null}] | 2024-05-06T07:08:09Z | 1.5` + "\n"
	if got := rowsText(readAll(t, r)); got != want {
		t.Errorf("rows:\n got %s\nwant %s", got, want)
	}
}

func TestScaledFloat(t *testing.T) {
	tests := []struct {
		unscaled int64
		scale    int32
		want     float64
	}{
		{1999, 2, 19.99},
		{-5, 2, -0.05},
		{1234, 0, 1234},
		{7, -2, 700},
		{1 << 60, 3, 1152921504606846.976},
		{1, 30, 1e-30},
	}
	for _, tc := range tests {
		if got := scaledFloat(tc.unscaled, tc.scale); got != tc.want {
			t.Errorf("scaledFloat(%d, %d) = %v, want %v", tc.unscaled, tc.scale, got, tc.want)
		}
	}
}
