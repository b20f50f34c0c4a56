package table

import (
	"math"
	"testing"

	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// TestRowGroupMayMatch covers the statistics rules one by one; each case
// that prunes has a neighbour on the boundary that must not.
func TestRowGroupMayMatch(t *testing.T) {
	ints := parquetfile.ColumnStats{Known: true, HasMinMax: true, Min: types.IntValue(10), Max: types.IntValue(20), NullCount: 1}
	floats := parquetfile.ColumnStats{Known: true, HasMinMax: true, Min: types.FloatValue(1.5), Max: types.FloatValue(2.5)}
	strs := parquetfile.ColumnStats{Known: true, HasMinMax: true, Min: types.StringValue("b"), Max: types.StringValue("d")}
	allNull := parquetfile.ColumnStats{Known: true, NullCount: 100}
	i, f, s := types.IntValue, types.FloatValue, types.StringValue
	cases := []struct {
		name  string
		st    parquetfile.ColumnStats
		kind  types.Kind
		op    plan.OpCode
		k     []types.Value
		match bool
	}{
		{"eq inside", ints, types.Int, plan.OpEq, []types.Value{i(15)}, true},
		{"eq at min", ints, types.Int, plan.OpEq, []types.Value{i(10)}, true},
		{"eq below", ints, types.Int, plan.OpEq, []types.Value{i(9)}, false},
		{"eq above", ints, types.Int, plan.OpEq, []types.Value{i(21)}, false},
		{"lt at min", ints, types.Int, plan.OpLt, []types.Value{i(10)}, false},
		{"le at min", ints, types.Int, plan.OpLe, []types.Value{i(10)}, true},
		{"gt at max", ints, types.Int, plan.OpGt, []types.Value{i(20)}, false},
		{"ge at max", ints, types.Int, plan.OpGe, []types.Value{i(20)}, true},
		{"in none", ints, types.Int, plan.OpIn, []types.Value{i(1), i(30)}, false},
		{"in one", ints, types.Int, plan.OpIn, []types.Value{i(1), i(20)}, true},
		{"int column, double constant", ints, types.Int, plan.OpEq, []types.Value{f(20.5)}, false},
		{"double gt never prunes (NaN)", floats, types.Float, plan.OpGt, []types.Value{f(3)}, true},
		{"double lt prunes", floats, types.Float, plan.OpLt, []types.Value{f(1.5)}, false},
		{"double eq NaN kept", floats, types.Float, plan.OpEq, []types.Value{f(math.NaN())}, true},
		{"string eq below", strs, types.String, plan.OpEq, []types.Value{s("a")}, false},
		{"string prefix inside", strs, types.String, plan.OpGe, []types.Value{s("cz")}, true},
		{"all NULL", allNull, types.Int, plan.OpEq, []types.Value{i(1)}, false},
		{"no statistics", parquetfile.ColumnStats{}, types.Int, plan.OpEq, []types.Value{i(1)}, true},
		{"file kind differs from query kind", ints, types.String, plan.OpEq, []types.Value{s("99")}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cond := rgCond{op: c.op, consts: c.k}
			if got := cond.mayMatch(c.st, 100, c.kind); got != c.match {
				t.Fatalf("mayMatch = %v, want %v", got, c.match)
			}
		})
	}
}

// TestRowGroupConditions checks which filters become statistics tests.
func TestRowGroupConditions(t *testing.T) {
	cols := []plan.SourceColumn{{Name: "n", Kind: types.Int}, {Name: "s", Kind: types.String}}
	n := &plan.ColRef{Idx: 0, Name: "n", K: types.Int}
	sref := &plan.ColRef{Idx: 1, Name: "s", K: types.String}
	k := func(v types.Value) *plan.Const { return &plan.Const{V: v} }
	filters := []plan.Expr{
		&plan.Op{Op: plan.OpGt, Args: []plan.Expr{k(types.IntValue(5)), n}, K: types.Bool}, // 5 > n: n < 5
		&plan.Op{Op: plan.OpIn, Args: []plan.Expr{sref, k(types.StringValue("a")), k(types.NullValue)}, K: types.Bool},
		&plan.Op{Op: plan.OpEq, Args: []plan.Expr{sref, k(types.IntValue(1))}, K: types.Bool},         // mixed kinds: skipped
		&plan.Op{Op: plan.OpLike, Args: []plan.Expr{sref, k(types.StringValue("a%"))}, K: types.Bool}, // not a comparison
	}
	got := rowGroupConditions(cols, filters)
	if len(got) != 2 || got[0].op != plan.OpLt || got[0].col != 0 || got[1].op != plan.OpIn || len(got[1].consts) != 1 {
		t.Fatalf("conditions %+v", got)
	}
}
