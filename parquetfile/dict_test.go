package parquetfile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/nectar-dev/nectar/types"
)

// TestDictionaryStrings writes a few-valued string column, one of unique
// values whose dictionary overflows (so its pages fall back to plain), and
// a few-valued leaf under a struct that is sometimes NULL, and checks that
// only the dictionary-encoded leaves are read as dictionaries and that
// every value and NULL comes back.
func TestDictionaryStrings(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "low", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "high", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "props", Type: arrow.StructOf(arrow.Field{Name: "vertical", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	const n = 3000
	var want [][]types.Value
	low, high := b.Field(0).(*array.StringBuilder), b.Field(1).(*array.StringBuilder)
	props := b.Field(2).(*array.StructBuilder)
	vertical := props.FieldBuilder(0).(*array.StringBuilder)
	for i := range n {
		row := []types.Value{types.NullValue, types.StringValue(fmt.Sprintf("message-%08d-%x", i, i*7919)), types.NullValue}
		if i%7 == 3 {
			low.AppendNull()
		} else {
			row[0] = types.StringValue([]string{"Added to Cart", "Product Viewed", "", "Order Completed"}[i%4])
			low.Append(row[0].S)
		}
		high.Append(row[1].S)
		switch {
		case i%5 == 0:
			props.AppendNull()
		case i%5 == 1:
			props.Append(true)
			vertical.AppendNull()
		default:
			props.Append(true)
			row[2] = types.StringValue([]string{"Food", "Fashion"}[i%2])
			vertical.Append(row[2].S)
		}
		want = append(want, row)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()

	path := filepath.Join(t.TempDir(), "dict.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props2 := parquet.NewWriterProperties(parquet.WithDictionaryPageSizeLimit(4<<10), parquet.WithMaxRowGroupLength(1000))
	w, err := pqarrow.NewFileWriter(schema, f, props2, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	for _, keep := range []func(RowGroupStats) bool{nil, func(st RowGroupStats) bool { return st.Index != 1 }} {
		r, err := OpenWith(context.Background(), path, ReadOptions{Columns: []string{"low", "high", "props.vertical"}, KeepRowGroup: keep})
		if err != nil {
			t.Fatal(err)
		}
		var dict []string
		for _, fld := range r.rr.Schema().Fields() {
			if st, ok := fld.Type.(*arrow.StructType); ok {
				fld = st.Field(0)
			}
			if fld.Type.ID() == arrow.DICTIONARY {
				dict = append(dict, fld.Name)
			}
		}
		if fmt.Sprint(dict) != "[low vertical]" {
			t.Errorf("read as dictionaries: %v, want [low vertical]", dict)
		}
		wantRows := want
		if keep != nil {
			wantRows = append(append([][]types.Value(nil), want[:1000]...), want[2000:]...)
		}
		got := readAll(t, r)
		r.Close()
		if a, b := rowsText(got), rowsText(wantRows); a != b {
			t.Fatalf("rows differ (%d vs %d rows)", len(got), len(wantRows))
		}
	}
}
