package parquetfile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// TestNestedRoundTrip writes ARRAY, MAP and STRUCT columns as Parquet's
// nested types and reads them back as the same values.
func TestNestedRoundTrip(t *testing.T) {
	prod := types.MustParseKind("STRUCT<price: DOUBLE, sku: STRING, at: TIMESTAMP, tags: ARRAY<STRING>>")
	schema := types.Schema{
		{Name: "products", Kind: types.ArrayOf(prod)},
		{Name: "m", Kind: types.MapOf(types.String, types.ArrayOf(types.Int))},
		{Name: "s", Kind: types.StructOf(types.Field{Name: "a b", Kind: types.Date}, types.Field{Name: "v", Kind: types.ArrayOf(types.Null)})},
	}
	rows := [][]types.Value{
		{
			types.ArrayValue(schema[0].Kind, []types.Value{
				types.StructValue(prod, []types.Value{types.FloatValue(1.5), types.StringValue("a"), {K: types.Timestamp, I: 1_700_000_000_123_456}, types.ArrayValue(types.ArrayOf(types.String), []types.Value{types.StringValue("x"), types.NullValue})}),
				types.NullValue,
				types.StructValue(prod, []types.Value{types.NullValue, types.StringValue(""), types.NullValue, types.NullValue}),
			}),
			types.MapValue(schema[1].Kind, []types.Value{types.StringValue("k")}, []types.Value{types.ArrayValue(types.ArrayOf(types.Int), []types.Value{types.IntValue(-1)})}),
			types.StructValue(schema[2].Kind, []types.Value{types.DateValue(19000), types.ArrayValue(types.ArrayOf(types.Null), []types.Value{types.NullValue})}),
		},
		{types.ArrayValue(schema[0].Kind, nil), types.MapValue(schema[1].Kind, nil, nil), types.NullValue},
		{types.NullValue, types.NullValue, types.StructValue(schema[2].Kind, []types.Value{types.NullValue, types.NullValue})},
	}
	b := types.NewBatch(schema, len(rows))
	for _, r := range rows {
		b.AppendRow(r)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "n.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// VOID inside a nested type is written as a nullable string.
	want := "products ARRAY<STRUCT<price: DOUBLE, sku: STRING, at: TIMESTAMP, tags: ARRAY<STRING>>>, m MAP<STRING, ARRAY<BIGINT>>, s.a b DATE, s.v ARRAY<STRING>"
	if got := r.Schema().String(); got != want {
		t.Fatalf("schema:\n got %s\nwant %s", got, want)
	}
	got := rowsText(readAll(t, r))
	wantRows := "[{1.5, a, 2023-11-14T22:13:20.123456Z, [x, null]}, null, {null, , null, null}] | {k -> [-1]} | 2022-01-08 | [null]\n" +
		"[] | {} | NULL | NULL\n" +
		"NULL | NULL | NULL | NULL\n"
	if got != wantRows {
		t.Errorf("rows:\n got %s\nwant %s", got, wantRows)
	}
}
