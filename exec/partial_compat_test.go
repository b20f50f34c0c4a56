package exec_test

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

var updateState = flag.Bool("update-state", false, "rewrite testdata/partial_v1.* from the current code")

// stateCalls is one call of every incremental aggregate, over the columns
// g STRING, x BIGINT, f DOUBLE, b BOOLEAN.
func stateCalls() (*plan.Aggregate, *memSource) {
	schema := types.Schema{{Name: "g", Kind: types.String}, {Name: "x", Kind: types.Int}, {Name: "f", Kind: types.Float}, {Name: "b", Kind: types.Bool}}
	x := &plan.ColRef{Idx: 1, Name: "x", K: types.Int}
	f := &plan.ColRef{Idx: 2, Name: "f", K: types.Float}
	b := &plan.ColRef{Idx: 3, Name: "b", K: types.Bool}
	calls := []plan.AggCall{
		{Name: "count", K: types.Int},
		{Name: "count", Arg: x, K: types.Int},
		{Name: "count", Arg: x, Distinct: true, K: types.Int},
		{Name: "count_if", Arg: b, K: types.Int},
		{Name: "approx_count_distinct", Arg: f, K: types.Int},
		{Name: "sum", Arg: x, K: types.Int},
		{Name: "sum", Arg: f, K: types.Float},
		{Name: "sum", Arg: f, Distinct: true, K: types.Float},
		{Name: "avg", Arg: f, K: types.Float},
		{Name: "min", Arg: x, K: types.Int},
		{Name: "max", Arg: f, K: types.Float},
		{Name: "first", Arg: x, K: types.Int},
		{Name: "any_value", Arg: f, K: types.Float},
		{Name: "last", Arg: x, K: types.Int},
		{Name: "min_by", Arg: f, Ord: x, K: types.Float},
		{Name: "max_by", Arg: x, Ord: f, K: types.Int},
		{Name: "variance", Arg: f, K: types.Float},
		{Name: "var_pop", Arg: f, K: types.Float},
		{Name: "stddev_samp", Arg: x, K: types.Float},
		{Name: "stddev_pop", Arg: f, K: types.Float},
	}
	row := func(g string, x, f, b types.Value) []types.Value { return []types.Value{types.StringValue(g), x, f, b} }
	i, fl, bo, null := types.IntValue, types.FloatValue, types.BoolValue, types.NullValue
	rows := [][]types.Value{
		row("a", i(1), fl(0.5), bo(true)),
		row("b", null, fl(2.25), null),
		row("a", i(3), null, bo(false)),
		row("a", i(3), fl(-1), bo(true)),
		row("c", null, null, null),
		row("b", i(7), fl(2.25), bo(true)),
		row("a", i(-2), fl(0.5), null),
	}
	src := &memSource{schema: schema, rows: rows, batchRows: 3}
	return partialAgg(&plan.Scan{Source: src, Columns: src.Columns()}, calls...), src
}

// TestIncrementalStateCompatible reads state saved by an earlier build
// (testdata/partial_v1.gob, written at partialVersion 1) and checks that
// it still yields the rows that build computed: streams resume from
// checkpoints written before an upgrade.
func TestIncrementalStateCompatible(t *testing.T) {
	n, src := stateCalls()
	if *updateState {
		a, err := exec.NewIncrementalAggregate(n)
		if err != nil {
			t.Fatal(err)
		}
		feed(t, a, src)
		data, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/partial_v1.gob", data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/partial_v1.txt", []byte(strings.Join(rowsText(a.Rows(false)), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile("testdata/partial_v1.gob")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/partial_v1.txt")
	if err != nil {
		t.Fatal(err)
	}
	a, err := exec.NewIncrementalAggregate(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	got := rowsText(a.Rows(false))
	if w := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n"); !slices.Equal(got, w) {
		t.Errorf("state of partialVersion 1 reads as\n%q\nwant\n%q", got, w)
	}
	// The fresh computation agrees with the saved one.
	b, _ := exec.NewIncrementalAggregate(n)
	feed(t, b, src)
	if fresh := rowsText(b.Rows(false)); !slices.Equal(fresh, got) {
		t.Errorf("computed now\n%q\nsaved\n%q", fresh, got)
	}
}
