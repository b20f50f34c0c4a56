package exec_test

import (
	"errors"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// TestFilterConjuncts checks the filter, which applies a AND b AND … one
// conjunct at a time over the rows the earlier ones left, against the
// whole condition evaluated a row at a time: the same rows pass, and an
// error is raised exactly when the row-at-a-time AND (which stops only at
// FALSE) raises one.
func TestFilterConjuncts(t *testing.T) {
	schema, rows := numbered(50)
	i, m, s := col(0, types.Int), col(1, types.Int), col(2, types.String)
	and := func(args ...plan.Expr) plan.Expr {
		e := args[0]
		for _, a := range args[1:] {
			e = op(plan.OpAnd, types.Bool, e, a)
		}
		return e
	}
	// 6 DIV (i - 25) fails on row 25 only.
	divides := op(plan.OpGe, types.Bool, op(plan.OpIntDiv, types.Int, lit(i64(6)), op(plan.OpSub, types.Int, i, lit(i64(25)))), lit(i64(0)))
	nullOn25 := op(plan.OpCase, types.Bool, op(plan.OpEq, types.Bool, i, lit(i64(25))), lit(null), lit(boolean(true)))
	for _, tc := range []struct {
		name    string
		cond    plan.Expr
		wantErr bool
	}{
		{"three conjuncts", and(op(plan.OpGt, types.Bool, i, lit(i64(10))), op(plan.OpEq, types.Bool, s, lit(str("s01"))), op(plan.OpIsNotNull, types.Bool, m)), false},
		{"nested ANDs with a NULL-producing conjunct", and(op(plan.OpEq, types.Bool, m, lit(i64(2))), and(op(plan.OpNe, types.Bool, s, lit(str("s00"))), op(plan.OpLt, types.Bool, i, lit(i64(40))))), false},
		{"an earlier FALSE spares the row", and(op(plan.OpNe, types.Bool, i, lit(i64(25))), divides), false},
		{"an earlier NULL does not", and(nullOn25, divides), true},
		{"OR stays whole", op(plan.OpOr, types.Bool, op(plan.OpEq, types.Bool, m, lit(i64(0))), op(plan.OpEq, types.Bool, s, lit(str("s03")))), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want [][]types.Value
			var wantErr error
			for _, r := range rows {
				v, err := exec.EvalRow(tc.cond, r)
				if err != nil {
					wantErr = err
					break
				}
				if !v.IsNull() && v.Bool() {
					want = append(want, r)
				}
			}
			if (wantErr != nil) != tc.wantErr {
				t.Fatalf("row at a time: err = %v, want error %v", wantErr, tc.wantErr)
			}
			forEachBatchSize(t, func(t *testing.T, size int) {
				got, err := run(t, &plan.Filter{Input: scan(schema, rows, size), Cond: tc.cond})
				if tc.wantErr {
					if !errors.Is(err, exec.ErrDivideByZero) {
						t.Fatalf("err = %v, want division by zero", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatal("the case selects no rows: it checks nothing")
				}
				checkRows(t, got, render(want), true)
			})
		})
	}
}
