package parquetfile

import (
	"context"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// TestRowGroupStats writes three row groups of known ranges and checks the
// statistics KeepRowGroup sees, that rejected groups are not read, and
// that a column the file lacks reports all rows NULL.
func TestRowGroupStats(t *testing.T) {
	schema := types.Schema{{Name: "n", Kind: types.Int}, {Name: "s", Kind: types.String}, {Name: "ts", Kind: types.Timestamp}, {Name: "d", Kind: types.Date}}
	var rows [][]types.Value
	for i := range 300 {
		s := types.StringValue(string(rune('a' + i/100))) // "a", "b", "c" per group
		if i%10 == 0 {
			s = types.NullValue
		}
		rows = append(rows, []types.Value{types.IntValue(int64(i)), s, {K: types.Timestamp, I: int64(i) * 1e6}, types.DateValue(int64(i / 100))})
	}
	path := writeFile(t, schema, Options{RowGroupRows: 100}, rows)

	var seen []RowGroupStats
	r, err := OpenWith(context.Background(), path, ReadOptions{
		Columns: []string{"n", "s", "ts", "d", "missing"},
		KeepRowGroup: func(st RowGroupStats) bool {
			seen = append(seen, st)
			return st.Index != 1
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(seen) != 3 {
		t.Fatalf("asked about %d row groups, want 3", len(seen))
	}
	for g, st := range seen {
		n, s, ts, d, miss := st.Columns[0], st.Columns[1], st.Columns[2], st.Columns[3], st.Columns[4]
		checks := []struct {
			name     string
			got      ColumnStats
			min, max types.Value
			nulls    int64
		}{
			{"n", n, types.IntValue(int64(g * 100)), types.IntValue(int64(g*100 + 99)), 0},
			{"s", s, types.StringValue(string(rune('a' + g))), types.StringValue(string(rune('a' + g))), 10},
			{"ts", ts, types.Value{K: types.Timestamp, I: int64(g*100) * 1e6}, types.Value{K: types.Timestamp, I: int64(g*100+99) * 1e6}, 0},
			{"d", d, types.DateValue(int64(g)), types.DateValue(int64(g)), 0},
		}
		for _, c := range checks {
			if !c.got.Known || !c.got.HasMinMax || c.got.Min != c.min || c.got.Max != c.max || c.got.NullCount != c.nulls {
				t.Errorf("group %d column %s: %+v, want [%v, %v] with %d nulls", g, c.name, c.got, c.min, c.max, c.nulls)
			}
		}
		if !miss.Known || miss.NullCount != st.Rows || miss.HasMinMax {
			t.Errorf("group %d missing column: %+v", g, miss)
		}
	}
	if total, read := r.RowGroups(); total != 3 || read != 2 || r.NumRows() != 200 {
		t.Fatalf("row groups %d/%d, rows %d; want 2 of 3 and 200", read, total, r.NumRows())
	}
	got := readAll(t, r)
	if len(got) != 200 || got[99][0].I != 99 || got[100][0].I != 200 {
		t.Fatalf("read %d rows; row 100 = %v", len(got), got[100])
	}
}

// TestSkipEveryRowGroup reads nothing, with or without columns.
func TestSkipEveryRowGroup(t *testing.T) {
	schema := types.Schema{{Name: "n", Kind: types.Int}}
	path := writeFile(t, schema, Options{RowGroupRows: 10}, [][]types.Value{{types.IntValue(1)}, {types.IntValue(2)}})
	for _, cols := range [][]string{{"n"}, {}} {
		r, err := OpenWith(context.Background(), path, ReadOptions{Columns: cols, KeepRowGroup: func(RowGroupStats) bool { return false }})
		if err != nil {
			t.Fatal(err)
		}
		if rows := readAll(t, r); len(rows) != 0 {
			t.Fatalf("columns %v: read %d rows, want 0", cols, len(rows))
		}
		r.Close()
	}
}
