package exec_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

func partialAgg(input plan.Node, aggs ...plan.AggCall) *plan.Aggregate {
	names := []string{"g"}
	for range aggs {
		names = append(names, "a")
	}
	return &plan.Aggregate{Input: input, Groups: []plan.Expr{&plan.ColRef{Idx: 0, Name: "g", K: types.String}}, Aggs: aggs, Names: names}
}

func feed(t *testing.T, a *exec.IncrementalAggregate, src *memSource) {
	t.Helper()
	r, err := src.Open(context.Background(), src.Columns(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Add(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

func TestIncrementalResumeEqualsOneRun(t *testing.T) {
	schema := types.Schema{{Name: "g", Kind: types.String}, {Name: "x", Kind: types.Int}, {Name: "f", Kind: types.Float}}
	x := &plan.ColRef{Idx: 1, Name: "x", K: types.Int}
	f := &plan.ColRef{Idx: 2, Name: "f", K: types.Float}
	calls := []plan.AggCall{
		{Name: "count", K: types.Int},
		{Name: "sum", Arg: x, K: types.Int},
		{Name: "sum", Arg: f, K: types.Float},
		{Name: "avg", Arg: f, K: types.Float},
		{Name: "min", Arg: x, K: types.Int},
		{Name: "max", Arg: f, K: types.Float},
		{Name: "count", Arg: x, Distinct: true, K: types.Int},
		{Name: "first", Arg: x, K: types.Int},
		{Name: "last", Arg: x, K: types.Int},
		{Name: "stddev", Arg: f, K: types.Float},
		// Group a ties on x = 1 across the two parts: resuming must keep
		// the ordering as well as the value.
		{Name: "min_by", Arg: f, Ord: x, K: types.Float},
		{Name: "max_by", Arg: x, Ord: f, K: types.Int},
	}
	row := func(g string, x int64, f float64) []types.Value {
		return []types.Value{types.StringValue(g), types.IntValue(x), types.FloatValue(f)}
	}
	part1 := [][]types.Value{row("a", 1, 0.1), row("b", 2, 0.2), row("a", 1, 0.3), {types.StringValue("b"), types.NullValue, types.NullValue}}
	part2 := [][]types.Value{row("a", 3, 0.7), row("c", 4, 1e-9), row("b", 2, 0.2)}
	for _, bs := range batchSizes {
		src1 := &memSource{schema: schema, rows: part1, batchRows: bs}
		src2 := &memSource{schema: schema, rows: part2, batchRows: bs}
		all := &memSource{schema: schema, rows: append(append([][]types.Value{}, part1...), part2...), batchRows: bs}
		n := partialAgg(&plan.Scan{Source: all, Columns: all.Columns()}, calls...)

		whole, err := exec.NewIncrementalAggregate(n)
		if err != nil {
			t.Fatal(err)
		}
		feed(t, whole, all)

		first, _ := exec.NewIncrementalAggregate(n)
		feed(t, first, src1)
		saved, err := first.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		resumed, _ := exec.NewIncrementalAggregate(n)
		if err := resumed.UnmarshalBinary(saved); err != nil {
			t.Fatal(err)
		}
		resumed.ClearChanged()
		feed(t, resumed, src2)
		if got, want := rowsText(resumed.Rows(false)), rowsText(whole.Rows(false)); !slices.Equal(got, want) {
			t.Errorf("batch %d: resumed\n%q\nwhole\n%q", bs, got, want)
		}
		// The batch operator agrees with both.
		op, _ := exec.Build(context.Background(), n)
		rows, err := exec.Collect(context.Background(), op)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rowsText(rows), rowsText(whole.Rows(false)); !slices.Equal(got, want) {
			t.Errorf("batch %d: batch operator\n%q\nincremental\n%q", bs, got, want)
		}
		if changed := rowsText(resumed.Rows(true)); len(changed) != 3 {
			t.Errorf("batch %d: changed groups %q, want a, b and c", bs, changed)
		}
	}
}

func rowsText(rows [][]types.Value) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		s := ""
		for _, v := range r {
			s += v.String() + "|"
		}
		out[i] = s
	}
	slices.Sort(out)
	return out
}

func TestIncrementalRefusals(t *testing.T) {
	src := &memSource{schema: types.Schema{{Name: "g", Kind: types.String}}}
	scan := &plan.Scan{Source: src, Columns: src.Columns()}
	g := &plan.ColRef{Idx: 0, Name: "g", K: types.String}
	if _, err := exec.NewIncrementalAggregate(partialAgg(scan, plan.AggCall{Name: "percentile_approx", Arg: g, Param: 0.5, K: types.String})); !errors.Is(err, exec.ErrNotIncremental) {
		t.Errorf("percentile_approx: %v, want ErrNotIncremental", err)
	}
	a, _ := exec.NewIncrementalAggregate(partialAgg(scan, plan.AggCall{Name: "count", K: types.Int}))
	saved, _ := a.MarshalBinary()
	b, _ := exec.NewIncrementalAggregate(partialAgg(scan, plan.AggCall{Name: "max", Arg: g, K: types.String}))
	if err := b.UnmarshalBinary(saved); !errors.Is(err, exec.ErrStateVersion) {
		t.Errorf("state of another query: %v, want ErrStateVersion", err)
	}
	for name, tw := range map[string]*plan.TimeWindows{
		"slide longer than size": {Input: scan, Time: g, Size: time.Hour, Slide: 2 * time.Hour},
		"no window bounds":       {Input: scan, Time: g, Size: time.Hour, Slide: time.Hour},
	} {
		agg := partialAgg(tw, plan.AggCall{Name: "count", K: types.Int})
		if name == "slide longer than size" {
			agg.Groups = []plan.Expr{&plan.ColRef{Idx: 1, K: types.Timestamp}, &plan.ColRef{Idx: 2, K: types.Timestamp}}
			agg.Names = []string{"s", "e", "count(1)"}
		}
		if _, err := exec.NewIncrementalAggregate(agg); !errors.Is(err, exec.ErrNotIncremental) {
			t.Errorf("%s: %v, want ErrNotIncremental", name, err)
		}
	}
}
