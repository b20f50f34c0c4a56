package exec_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// catalogueInput is a grouped input with a column of every kind: g, b
// BOOLEAN, x BIGINT, f DOUBLE, s STRING.
func catalogueInput() (types.Schema, [][]types.Value) {
	schema := types.Schema{{Name: "g", Kind: types.String}, {Name: "b", Kind: types.Bool}, {Name: "x", Kind: types.Int},
		{Name: "f", Kind: types.Float}, {Name: "s", Kind: types.String}}
	i, f, s, b, null := types.IntValue, types.FloatValue, types.StringValue, types.BoolValue, types.NullValue
	rows := [][]types.Value{
		{s("a"), b(true), i(4), f(0.25), s("p")},
		{s("b"), null, i(1), null, s("q")},
		{s("a"), b(false), null, f(-3), null},
		{s("c"), null, null, null, null},
		{s("a"), b(true), i(4), f(8), s("p")},
		{s("b"), b(true), i(-2), f(1.5), s("")},
		{s("a"), null, i(9), f(0.25), s("r")},
		{s("b"), b(false), i(1), f(2), s("q")},
	}
	return schema, rows
}

// catalogueCalls is one call of every incremental aggregate of the
// catalogue (aliases aside), over the first column kind its Check takes
// without a cast, and its DISTINCT form where it has one.
func catalogueCalls(t *testing.T, schema types.Schema) []plan.AggCall {
	var calls []plan.AggCall
	for _, fn := range functions.Aggregates() {
		if fn.AliasOf != "" || !fn.Incremental {
			continue
		}
		found := false
		for idx := 1; idx < len(schema) && !found; idx++ {
			col := &plan.ColRef{Idx: idx, Name: schema[idx].Name, K: schema[idx].Kind}
			cast, k, err := fn.Check(col.K)
			if err != nil || cast != col.K {
				continue
			}
			found = true
			c := plan.AggCall{Name: fn.Name, Arg: col, K: k}
			if fn.Shape == functions.OrderedArgs {
				c.Ord = &plan.ColRef{Idx: 2, Name: "x", K: types.Int}
			}
			if fn.Shape == functions.FractionArgs {
				c.Param = 0.5
			}
			calls = append(calls, c)
			if fn.Shape != functions.OrderedArgs {
				c.Distinct = true
				calls = append(calls, c)
			}
		}
		if !found {
			t.Errorf("%s takes none of the test columns", fn.Name)
		}
	}
	return calls
}

// TestEveryIncrementalAggregateResumes runs every incremental aggregate in
// the catalogue as a stream would, saving and restoring its state at
// every place the input can be cut, and checks the answer against one
// uninterrupted run and against the batch operator. An aggregate added to
// the catalogue is checked here without a line of this test changing.
func TestEveryIncrementalAggregateResumes(t *testing.T) {
	schema, rows := catalogueInput()
	calls := catalogueCalls(t, schema)
	if len(calls) < 20 {
		t.Fatalf("only %d calls", len(calls))
	}
	all := &memSource{schema: schema, rows: rows, batchRows: 3}
	n := partialAgg(&plan.Scan{Source: all, Columns: all.Columns()}, calls...)

	op, err := exec.Build(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	batchRows, err := exec.Collect(context.Background(), op)
	if err != nil {
		t.Fatal(err)
	}
	want := rowsText(batchRows)

	whole, err := exec.NewIncrementalAggregate(n)
	if err != nil {
		t.Fatal(err)
	}
	feed(t, whole, all)
	if got := rowsText(whole.Rows(false)); !slices.Equal(got, want) {
		t.Fatalf("incremental\n%q\nbatch operator\n%q", got, want)
	}
	for cut := 0; cut <= len(rows); cut++ {
		for _, bs := range batchSizes {
			first, _ := exec.NewIncrementalAggregate(n)
			feed(t, first, &memSource{schema: schema, rows: rows[:cut], batchRows: bs})
			saved, err := first.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			resumed, _ := exec.NewIncrementalAggregate(n)
			if err := resumed.UnmarshalBinary(saved); err != nil {
				t.Fatal(err)
			}
			feed(t, resumed, &memSource{schema: schema, rows: rows[cut:], batchRows: bs})
			if got := rowsText(resumed.Rows(false)); !slices.Equal(got, want) {
				t.Errorf("cut at %d, batches of %d: resumed\n%q\nwant\n%q", cut, bs, got, want)
			}
		}
	}
}

// TestNotIncrementalFromTheCatalogue: an aggregate the catalogue does not
// mark Incremental is refused, DISTINCT or not.
func TestNotIncrementalFromTheCatalogue(t *testing.T) {
	schema, rows := catalogueInput()
	src := &memSource{schema: schema, rows: rows}
	f := &plan.ColRef{Idx: 3, Name: "f", K: types.Float}
	for _, fn := range functions.Aggregates() {
		if fn.Incremental || fn.AliasOf != "" {
			continue
		}
		c := plan.AggCall{Name: fn.Name, Arg: f, Param: 0.5, K: types.Float}
		if _, err := exec.NewIncrementalAggregate(partialAgg(&plan.Scan{Source: src, Columns: src.Columns()}, c)); !errors.Is(err, exec.ErrNotIncremental) {
			t.Errorf("%s: %v, want ErrNotIncremental", fn.Name, err)
		}
	}
	c := plan.AggCall{Name: "no_such_aggregate", Arg: f, K: types.Float}
	if _, err := exec.NewIncrementalAggregate(partialAgg(&plan.Scan{Source: src, Columns: src.Columns()}, c)); !errors.Is(err, plan.ErrUnknownAggregate) {
		t.Errorf("an unknown aggregate: %v, want ErrUnknownAggregate", err)
	}
}
