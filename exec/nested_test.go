package exec_test

import (
	"fmt"
	"testing"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// TestGenerate runs each generator at every batch size over rows whose
// arrays are long (more elements than a batch holds), empty, NULL or hold
// NULLs, OUTER and not.
func TestGenerate(t *testing.T) {
	ints := types.ArrayOf(types.Int)
	long := make([]types.Value, 3*types.BatchSize+7)
	for i := range long {
		long[i] = i64(int64(i))
	}
	schema := types.Schema{{Name: "id", Kind: types.Int}, {Name: "a", Kind: ints}}
	rows := [][]types.Value{
		{i64(1), types.ArrayValue(ints, []types.Value{i64(10), null, i64(30)})},
		{i64(2), types.ArrayValue(ints, nil)},
		{i64(3), null},
		{i64(4), types.ArrayValue(ints, long)},
	}
	for _, c := range []struct {
		fn    string
		outer bool
		rows  int   // rows made
		sum   int64 // of the last column's non-NULL values
		nulls int   // NULLs in the last column
	}{
		{"explode", false, 3 + len(long), 40 + int64(len(long)*(len(long)-1)/2), 1},
		{"explode", true, 5 + len(long), 40 + int64(len(long)*(len(long)-1)/2), 3},
		{"posexplode", false, 3 + len(long), 40 + int64(len(long)*(len(long)-1)/2), 1},
		{"posexplode", true, 5 + len(long), 40 + int64(len(long)*(len(long)-1)/2), 3},
	} {
		forEachBatchSize(t, func(t *testing.T, size int) {
			g := &plan.Generate{Input: scan(schema, rows, size), Fn: c.fn, Arg: col(1, ints), Outer: c.outer}
			got := mustRun(t, g)
			if len(got) != c.rows {
				t.Fatalf("%s outer=%v: %d rows, want %d", c.fn, c.outer, len(got), c.rows)
			}
			var sum int64
			nulls := 0
			pos := map[int64]int64{} // id → next position
			for _, r := range got {
				v := r[len(r)-1]
				if v.IsNull() {
					nulls++
				} else {
					sum += v.I
				}
				if c.fn == "posexplode" && !r[2].IsNull() {
					if r[2].I != pos[r[0].I] {
						t.Fatalf("id %d: position %d, want %d", r[0].I, r[2].I, pos[r[0].I])
					}
					pos[r[0].I]++
				}
			}
			if sum != c.sum || nulls != c.nulls {
				t.Errorf("%s outer=%v: sum %d with %d NULLs, want %d with %d", c.fn, c.outer, sum, nulls, c.sum, c.nulls)
			}
		})
	}
}

// TestGenerateInlineAndMap checks inline's columns (a NULL element makes
// a row of NULLs) and explode's key and value over a MAP.
func TestGenerateInlineAndMap(t *testing.T) {
	st := types.StructOf(types.Field{Name: "k", Kind: types.String}, types.Field{Name: "n", Kind: types.Int})
	arr := types.ArrayOf(st)
	m := types.MapOf(types.String, types.Int)
	schema := types.Schema{{Name: "a", Kind: arr}, {Name: "m", Kind: m}}
	rows := [][]types.Value{{
		types.ArrayValue(arr, []types.Value{types.StructValue(st, []types.Value{str("x"), i64(1)}), null}),
		types.MapValue(m, []types.Value{str("p"), str("q")}, []types.Value{i64(7), null}),
	}}
	forEachBatchSize(t, func(t *testing.T, size int) {
		got := mustRun(t, &plan.Generate{Input: scan(schema, rows, size), Fn: "inline", Arg: col(0, arr)})
		checkRows(t, project(got, 2, 3), []string{"'x'|1", "NULL|NULL"}, true)
		got = mustRun(t, &plan.Generate{Input: scan(schema, rows, size), Fn: "explode", Arg: col(1, m)})
		checkRows(t, project(got, 2, 3), []string{"'p'|7", "'q'|NULL"}, true)
	})
}

func project(rows [][]types.Value, cols ...int) [][]types.Value {
	out := make([][]types.Value, len(rows))
	for i, r := range rows {
		for _, c := range cols {
			if c >= len(r) {
				panic(fmt.Sprintf("row has %d columns", len(r)))
			}
			out[i] = append(out[i], r[c])
		}
	}
	return out
}
