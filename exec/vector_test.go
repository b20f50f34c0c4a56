package exec_test

import (
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// TestVectorisedAgreesWithRows evaluates IN lists, IS [NOT] NULL, CASE,
// coalesce and casts over typed columns full of NULLs, once vectorised
// over a batch and once a row at a time, and insists on the same values
// (and on the same errors). It also pins a few answers, so that both
// paths being wrong the same way fails too.
func TestVectorisedAgreesWithRows(t *testing.T) {
	schema := types.Schema{
		{Name: "s", Kind: types.String}, {Name: "i", Kind: types.Int}, {Name: "f", Kind: types.Float},
		{Name: "b", Kind: types.Bool}, {Name: "t", Kind: types.String},
	}
	rows := [][]types.Value{
		{str("a"), i64(1), f64(1), boolean(true), str("x")},
		{str("b"), i64(2), f64(2.5), boolean(false), null},
		{null, i64(0), null, null, str("y")},
		{str("c"), null, f64(2), boolean(true), null},
		{null, null, null, null, null},
		{str("a"), i64(3), f64(-1), boolean(false), str("")},
	}
	s, i, f, b, tt := col(0, types.String), col(1, types.Int), col(2, types.Float), col(3, types.Bool), col(4, types.String)
	in := func(args ...plan.Expr) plan.Expr { return op(plan.OpIn, types.Bool, args...) }
	cases := []struct {
		name string
		e    plan.Expr
		want []string // rendered values per row; nil: only compare the paths
	}{
		{"s IN ('a', 'b')", in(s, lit(str("a")), lit(str("b"))), []string{"true", "true", "NULL", "false", "NULL", "true"}},
		{"s IN ('a', NULL)", in(s, lit(str("a")), lit(null)), []string{"true", "NULL", "NULL", "NULL", "NULL", "true"}},
		{"i IN (1, 2.0)", in(i, lit(i64(1)), lit(f64(2))), []string{"true", "true", "false", "NULL", "NULL", "false"}},
		{"f IN (2, 3)", in(f, lit(i64(2)), lit(i64(3))), []string{"false", "false", "NULL", "true", "NULL", "false"}},
		{"i IN (s)", in(i, s), nil},
		{"s IS NULL", op(plan.OpIsNull, types.Bool, s), []string{"false", "false", "true", "false", "true", "false"}},
		{"f IS NOT NULL", op(plan.OpIsNotNull, types.Bool, f), []string{"true", "true", "false", "true", "false", "true"}},
		{"NULL IS NULL", op(plan.OpIsNull, types.Bool, lit(null)), nil},
		{"coalesce(t, s)", op(plan.OpCoalesce, types.String, tt, s), []string{"'x'", "'b'", "'y'", "'c'", "NULL", "''"}},
		{"coalesce(t, s, 'z')", op(plan.OpCoalesce, types.String, tt, s, lit(str("z"))), []string{"'x'", "'b'", "'y'", "'c'", "'z'", "''"}},
		{"coalesce(f, i)", op(plan.OpCoalesce, types.Float, f, op(plan.OpCast, types.Float, i)), nil},
		{"coalesce(CAST(i AS STRING), t)", op(plan.OpCoalesce, types.String, op(plan.OpCast, types.String, i), tt), []string{"'1'", "'2'", "'0'", "NULL", "NULL", "'3'"}},
		{"CAST(s AS STRING)", op(plan.OpCast, types.String, s), nil},
		{"CASE WHEN b THEN s ELSE t END", op(plan.OpCase, types.String, b, s, tt), []string{"'a'", "NULL", "'y'", "'c'", "NULL", "''"}},
		{"CASE WHEN i > 1 THEN f WHEN b THEN 0.5 ELSE NULL END",
			op(plan.OpCase, types.Float, op(plan.OpGt, types.Bool, i, lit(i64(1))), f, b, lit(f64(0.5)), lit(null)),
			[]string{"0.5", "2.5", "NULL", "0.5", "NULL", "-1.0"}},
		{"CASE WHEN s IN ('a') THEN 1 ELSE 0 END", op(plan.OpCase, types.Int, in(s, lit(str("a"))), lit(i64(1)), lit(i64(0))), []string{"1", "0", "0", "0", "0", "1"}},
		// Arguments that can fail keep lazy evaluation: the guard keeps
		// the division by zero in row 3 from being computed.
		{"CASE WHEN i <> 0 THEN 6 DIV i ELSE -1 END",
			op(plan.OpCase, types.Int, op(plan.OpNe, types.Bool, i, lit(i64(0))), op(plan.OpIntDiv, types.Int, lit(i64(6)), i), lit(i64(-1))),
			[]string{"6", "3", "-1", "-1", "-1", "2"}},
		{"s = 'a'", op(plan.OpEq, types.Bool, s, lit(str("a"))), []string{"true", "false", "NULL", "false", "NULL", "true"}},
		{"s <> 'a'", op(plan.OpNe, types.Bool, s, lit(str("a"))), []string{"false", "true", "NULL", "true", "NULL", "false"}},
		{"'b' < s", op(plan.OpLt, types.Bool, lit(str("b")), s), []string{"false", "false", "NULL", "true", "NULL", "false"}},
		{"i >= 2", op(plan.OpGe, types.Bool, i, lit(i64(2))), []string{"false", "true", "false", "NULL", "NULL", "true"}},
		{"2 > i", op(plan.OpGt, types.Bool, lit(i64(2)), i), []string{"true", "false", "true", "NULL", "NULL", "false"}},
		{"2 <= i", op(plan.OpLe, types.Bool, lit(i64(2)), i), []string{"false", "true", "false", "NULL", "NULL", "true"}},
		{"b = true", op(plan.OpEq, types.Bool, b, lit(boolean(true))), []string{"true", "false", "NULL", "true", "NULL", "false"}},
		{"f = 2.5", op(plan.OpEq, types.Bool, f, lit(f64(2.5))), nil},
		{"i = NULL", op(plan.OpEq, types.Bool, i, lit(null)), nil},
		{"coalesce(CAST(s AS BIGINT), 0)", op(plan.OpCoalesce, types.Int, op(plan.OpCast, types.Int, s), lit(i64(0))), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			batch := types.NewBatch(schema, len(rows))
			for _, r := range rows {
				batch.AppendRow(r)
			}
			vec, verr := exec.Eval(tc.e, batch)
			var rerr error
			got := make([][]types.Value, len(rows))
			for r, row := range rows {
				v, err := exec.EvalRow(tc.e, row)
				if err != nil {
					rerr = err
					break
				}
				if verr == nil && !sameValue(vec.Get(r), v) && !(v.IsNull() && vec.Get(r).IsNull()) {
					t.Errorf("row %d: vectorised %v (%v), row at a time %v (%v)", r, vec.Get(r), vec.Get(r).K, v, v.K)
				}
				got[r] = []types.Value{v}
			}
			if (verr == nil) != (rerr == nil) {
				t.Fatalf("vectorised error %v, row-at-a-time error %v", verr, rerr)
			}
			if tc.want != nil && rerr == nil {
				checkRows(t, got, tc.want, true)
			}
		})
	}
}
