package exec

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// TestSpool holds rows in memory and then in a file, replays them in
// order, and removes its file when closed.
func TestSpool(t *testing.T) {
	defer func(m int64) { spoolMemory = m }(spoolMemory)
	spoolMemory = 1 << 10 // a few batches in memory, the rest on disk
	schema := types.Schema{{Name: "i", Kind: types.Int}, {Name: "s", Kind: types.String}, {Name: "f", Kind: types.Float}}
	var rows [][]types.Value
	for i := range 5000 {
		s := types.StringValue(fmt.Sprintf("row %d", i))
		if i%7 == 0 {
			s = types.NullValue
		}
		rows = append(rows, []types.Value{types.IntValue(int64(i)), s, types.FloatValue(float64(i) / 3)})
	}
	dir := t.TempDir()
	sp, err := Spool(t.Context(), Rows(schema, rows), schema, dir)
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 1 {
		t.Fatalf("spool files %v, want one", files)
	}
	got, err := Collect(t.Context(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		if fmt.Sprint(got[i]) != fmt.Sprint(rows[i]) {
			t.Fatalf("row %d: %v, want %v", i, got[i], rows[i])
		}
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("spool left %v", entries)
	}
}
