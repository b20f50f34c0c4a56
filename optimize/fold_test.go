package optimize_test

import (
	"testing"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/optimize"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

func TestFoldFilters(t *testing.T) {
	scan := &plan.Scan{Source: stubSource{}, Columns: stubSource{}.Columns()}
	i := func(v int64) plan.Expr { return &plan.Const{V: types.IntValue(v)} }
	op := func(o plan.OpCode, args ...plan.Expr) plan.Expr { return &plan.Op{Op: o, Args: args, K: types.Bool} }
	call := func(name string, k types.Kind, args ...plan.Expr) plan.Expr {
		f, ok := functions.Lookup(name)
		if !ok {
			t.Fatalf("no function %s", name)
		}
		return &plan.Call{Fn: f, Args: args, K: k}
	}
	null := &plan.Const{V: types.NullValue}
	aGt1 := op(plan.OpGt, ref(0, "a"), i(1))
	badRegexp := call("regexp_like", types.Bool, &plan.Const{V: types.StringValue("a")}, &plan.Const{V: types.StringValue("(")})
	for _, tc := range []struct {
		name string
		cond plan.Expr
		want string
	}{
		{"dbplyr-probe", op(plan.OpEq, i(0), i(1)), "Filter false\n  Scan stub [a, b]\n"},
		{"always-true-goes", op(plan.OpEq, i(1), i(1)), "Scan stub [a, b]\n"},
		{"null-is-false", null, "Filter false\n  Scan stub [a, b]\n"},
		{"false-conjunct", op(plan.OpAnd, aGt1, op(plan.OpLt, i(2), i(1))), "Filter false\n  Scan stub [a, b]\n"},
		{"true-conjunct-dropped", op(plan.OpAnd, op(plan.OpEq, i(1), i(1)), aGt1), "Filter (a#0 > 1)\n  Scan stub [a, b]\n"},
		{"column-kept", aGt1, "Filter (a#0 > 1)\n  Scan stub [a, b]\n"},
		// The clock is read when the statement starts, not when it is planned.
		{"clock-kept", op(plan.OpLt, call("current_date", types.Date), &plan.Const{V: types.DateValue(0)}),
			"Filter (current_date() < DATE '1970-01-01')\n  Scan stub [a, b]\n"},
		// An error is raised only if a row reaches the filter.
		{"error-kept", badRegexp, "Filter regexp_like('a', '(')\n  Scan stub [a, b]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := optimize.FoldFilters(&plan.Filter{Input: scan, Cond: tc.cond})
			if got := plan.Explain(n); got != tc.want {
				t.Errorf("got:\n%swant:\n%s", got, tc.want)
			}
		})
	}
}

func TestReadsNothingIsNotPushed(t *testing.T) {
	scan := &plan.Scan{Source: stubSource{}, Columns: stubSource{}.Columns()}
	n := optimize.Optimize(&plan.Filter{Input: scan, Cond: &plan.Op{Op: plan.OpEq, Args: []plan.Expr{&plan.Const{V: types.IntValue(0)}, &plan.Const{V: types.IntValue(1)}}, K: types.Bool}})
	if got, want := plan.Explain(n), "Filter false\n  Scan stub [a, b]\n"; got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
	if !plan.ReadsNothing(n) {
		t.Errorf("%s: ReadsNothing = false", plan.Explain(n))
	}
}
