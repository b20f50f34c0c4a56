package output

import (
	"bytes"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/nectar-dev/nectar/types"
)

// arrowValue reads element i of arr back as a nectar value, for the types
// parquetfile.Records writes.
func arrowValue(t *testing.T, arr arrow.Array, i int) types.Value {
	t.Helper()
	if arr.IsNull(i) {
		return types.NullValue
	}
	switch a := arr.(type) {
	case *array.String:
		return types.StringValue(a.Value(i))
	case *array.Int64:
		return types.IntValue(a.Value(i))
	case *array.Float64:
		return types.FloatValue(a.Value(i))
	case *array.Boolean:
		return types.BoolValue(a.Value(i))
	case *array.Timestamp:
		return types.Value{K: types.Timestamp, I: int64(a.Value(i))}
	case *array.Date32:
		return types.DateValue(int64(a.Value(i)))
	}
	t.Fatalf("unexpected Arrow array %T", arr)
	return types.NullValue
}

func TestArrowOutput(t *testing.T) {
	for _, batch := range []int{1, 3, 100} {
		var buf bytes.Buffer
		w, err := New(Arrow, &buf, testSchema)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range batchesOf(testSchema, testRows, batch) {
			if err := w.Write(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		want := []arrow.Type{arrow.STRING, arrow.INT64, arrow.FLOAT64, arrow.BOOL, arrow.TIMESTAMP, arrow.DATE32, arrow.STRING}
		for j, f := range r.Schema().Fields() {
			if f.Name != testSchema[j].Name || f.Type.ID() != want[j] || !f.Nullable {
				t.Errorf("field %d: %v, want %s of %s, nullable", j, f, testSchema[j].Name, want[j])
			}
		}
		var got [][]types.Value
		records := 0
		for r.Next() {
			rec := r.RecordBatch()
			records++
			for i := 0; i < int(rec.NumRows()); i++ {
				row := make([]types.Value, rec.NumCols())
				for j := range row {
					row[j] = arrowValue(t, rec.Column(j), i)
				}
				got = append(got, row)
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Release()
		if wantRecords := (len(testRows) + batch - 1) / batch; records != wantRecords {
			t.Errorf("batches of %d: %d records, want one per batch (%d)", batch, records, wantRecords)
		}
		if len(got) != len(testRows) {
			t.Fatalf("batches of %d: %d rows, want %d", batch, len(got), len(testRows))
		}
		for i, row := range testRows {
			for j, v := range row {
				g := got[i][j]
				same := types.Equal(g, v) || g.IsNull() && v.IsNull() ||
					v.K == types.Float && math.IsNaN(v.F) && g.K == types.Float && math.IsNaN(g.F)
				if !same {
					t.Errorf("batches of %d: row %d column %s = %v, want %v", batch, i, testSchema[j].Name, g, v)
				}
			}
		}
	}
}

func TestArrowOutputEmpty(t *testing.T) {
	var buf bytes.Buffer
	w, err := New(Arrow, &buf, testSchema[:2])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := ipc.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if r.Schema().NumFields() != 2 || r.Next() {
		t.Errorf("an empty result: schema %v, want 2 fields and no record", r.Schema())
	}
}

// TestBinaryOutputs: a BINARY column is Arrow BINARY, base64 in JSON (as
// Spark's JSON writer writes it) and its bytes as UTF-8 text in CSV, with
// U+FFFD for a byte that is not UTF-8 (as Spark shows BINARY).
func TestBinaryOutputs(t *testing.T) {
	sch := types.Schema{{Name: "b", Kind: types.Binary}}
	rows := [][]types.Value{{types.BinaryValue([]byte("a\xff"))}, {types.NullValue}}
	if got, want := render(t, JSON, sch, rows), "{\"b\":\"Yf8=\"}\n{\"b\":null}\n"; got != want {
		t.Errorf("JSON: %q, want %q", got, want)
	}
	if got, want := render(t, CSV, sch, rows), "b\na\uFFFD\n\n"; got != want {
		t.Errorf("CSV: %q, want %q", got, want)
	}
	var buf bytes.Buffer
	w, err := New(Arrow, &buf, sch)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batchesOf(sch, rows, 2) {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := ipc.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if !r.Next() {
		t.Fatal("no record")
	}
	col, ok := r.RecordBatch().Column(0).(*array.Binary)
	if !ok {
		t.Fatalf("column is %T, want *array.Binary", r.RecordBatch().Column(0))
	}
	if string(col.Value(0)) != "a\xff" || !col.IsNull(1) {
		t.Errorf("Arrow values %q, null %v", col.Value(0), col.IsNull(1))
	}
}
