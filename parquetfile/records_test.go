package parquetfile

import (
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// A batch Records refuses leaves nothing behind: the next record holds
// exactly the next batch's rows.
func TestRecordsAfterError(t *testing.T) {
	schema := types.Schema{{Name: "n", Kind: types.Int}, {Name: "s", Kind: types.String}}
	r := NewRecords(nil, schema)
	defer r.Release()
	if _, err := r.Record(types.NewBatch(schema[:1], 0)); err == nil {
		t.Error("a batch with too few columns converted")
	}
	bad := types.NewBatch(schema, 2)
	bad.AppendRow([]types.Value{types.IntValue(1), types.StringValue("a")})
	bad.AppendRow([]types.Value{types.IntValue(2), types.StringValue("b")})
	// The second column is short: the first is converted before the
	// second fails.
	bad.Cols[1].Nulls, bad.Cols[1].S = bad.Cols[1].Nulls[:1], bad.Cols[1].S[:1]
	if _, err := r.Record(bad); err == nil {
		t.Error("a batch longer than its vectors converted")
	}
	good := types.NewBatch(schema, 1)
	good.AppendRow([]types.Value{types.IntValue(7), types.NullValue})
	rec, err := r.Record(good)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if rec.NumRows() != 1 || rec.Column(0).Len() != 1 || rec.Column(1).Len() != 1 || !rec.Column(1).IsNull(0) {
		t.Errorf("record after errors: %v", rec)
	}
}
