package optimize

import (
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// FoldFilters evaluates filter conditions that read no column. A
// condition that is always true goes; one that is always false or NULL
// becomes the constant FALSE, which plan.ReadsNothing recognises, so the
// executor answers from the schema without running the filter's input.
// That is the shape of dbplyr's schema probe, SELECT * FROM (…) WHERE
// (0 = 1), which must not read a month of logs to learn column names.
//
// Conjuncts are folded one by one: x > 1 AND 0 = 1 is false whatever x
// is. A condition whose evaluation fails (an error raised by a function)
// is left for the executor, which raises it only if a row reaches it, as
// Spark does.
func FoldFilters(n plan.Node) plan.Node {
	return plan.Transform(n, func(node plan.Node) plan.Node {
		f, ok := node.(*plan.Filter)
		if !ok || plan.ReadsNothing(f) {
			return node
		}
		var keep []plan.Expr
		for _, c := range conjuncts(f.Cond) {
			v, ok := constant(c)
			switch {
			case !ok:
				keep = append(keep, c)
			case v.IsNull() || !v.Bool():
				return &plan.Filter{Input: f.Input, Cond: &plan.Const{V: types.BoolValue(false)}}
			}
		}
		if len(keep) == 0 {
			return f.Input
		}
		cond := keep[0]
		for _, c := range keep[1:] {
			cond = &plan.Op{Op: plan.OpAnd, Args: []plan.Expr{cond, c}, K: types.Bool}
		}
		return &plan.Filter{Input: f.Input, Cond: cond}
	})
}

// constant evaluates e when it reads no column, runs no subquery and
// calls no clock function (whose value is taken when the statement
// starts, not when it is planned).
func constant(e plan.Expr) (types.Value, bool) {
	fixed := true
	plan.Walk(e, func(x plan.Expr) {
		switch x := x.(type) {
		case *plan.Const, *plan.Op:
		case *plan.Call:
			fixed = fixed && x.Fn.Instant == nil
		default:
			fixed = false
		}
	})
	if !fixed {
		return types.Value{}, false
	}
	v, err := exec.EvalRow(e, nil)
	return v, err == nil
}
