package exec_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// joinRows makes n rows (k, name, t): k cycles through mod values with a
// NULL every nullEvery rows, t cycles through tmod.
func joinRows(n, mod, tmod, nullEvery int, prefix string, kk types.Kind) [][]types.Value {
	rows := make([][]types.Value, n)
	for i := range rows {
		k := types.IntValue(int64(i % mod))
		if kk == types.Float {
			k = types.FloatValue(float64(i % mod))
		}
		if i%nullEvery == nullEvery-1 {
			k = types.NullValue
		}
		rows[i] = []types.Value{k, types.StringValue(fmt.Sprintf("%s%d", prefix, i)), types.IntValue(int64(i % tmod))}
	}
	return rows
}

// nestedLoopJoin is the reference: every pair, SQL's key equality (NULL
// never matches), the residual row by row.
func nestedLoopJoin(t *testing.T, j *plan.Join, left, right [][]types.Value) []string {
	t.Helper()
	nl, nr := len(j.Left.Schema()), len(j.Right.Schema())
	pass := func(l, r []types.Value) bool {
		row := append(append([]types.Value{}, l...), r...)
		for i := range j.LeftKeys {
			a, _ := exec.EvalRow(j.LeftKeys[i], l)
			b, _ := exec.EvalRow(j.RightKeys[i], r)
			if a.IsNull() || b.IsNull() || types.Compare(a, b) != 0 {
				return false
			}
		}
		if j.Residual != nil {
			v, err := exec.EvalRow(j.Residual, row)
			if err != nil {
				t.Fatal(err)
			}
			return !v.IsNull() && v.Bool()
		}
		return true
	}
	var out [][]types.Value
	rightHit := make([]bool, len(right))
	for _, l := range left {
		hit := false
		for ri, r := range right {
			if !pass(l, r) {
				continue
			}
			hit, rightHit[ri] = true, true
			if j.Kind != plan.SemiJoin && j.Kind != plan.AntiJoin {
				out = append(out, append(append([]types.Value{}, l...), r...))
			}
		}
		switch {
		case j.Kind == plan.SemiJoin && hit, j.Kind == plan.AntiJoin && !hit:
			out = append(out, l)
		case !hit && (j.Kind == plan.LeftJoin || j.Kind == plan.FullJoin):
			out = append(out, append(append([]types.Value{}, l...), make([]types.Value, nr)...))
		}
	}
	if j.Kind == plan.RightJoin || j.Kind == plan.FullJoin {
		for ri, r := range right {
			if !rightHit[ri] {
				out = append(out, append(make([]types.Value, nl), r...))
			}
		}
	}
	return render(out)
}

// TestJoinBothBuildSides runs every join kind with the left side built
// (it ends first) and with the right side built, keyed and not, with and
// without a residual, at several input batch sizes, with outputs of many
// batches, against a nested-loop reference.
func TestJoinBothBuildSides(t *testing.T) {
	ls := types.Schema{{Name: "k", Kind: types.Int}, {Name: "a", Kind: types.String}, {Name: "t", Kind: types.Int}}
	rs := types.Schema{{Name: "k", Kind: types.Float}, {Name: "b", Kind: types.String}, {Name: "t", Kind: types.Int}}
	big := joinRows(2500, 50, 7, 17, "l", types.Int)
	small := joinRows(40, 60, 5, 13, "r", types.Float)
	// As the experiment's post CTE: right.t >= left.t (columns 5 and 2).
	residual := op(plan.OpGe, types.Bool, col(5, types.Int), col(2, types.Int))
	kinds := []plan.JoinKind{plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.SemiJoin, plan.AntiJoin}
	for _, bigLeft := range []bool{true, false} {
		left, right := big, small
		lsch, rsch := ls, rs
		if !bigLeft {
			// The same data swapped: the small side is now the left one.
			left, right = joinRows(40, 60, 5, 13, "l", types.Int), joinRows(2500, 50, 7, 17, "r", types.Float)
		}
		for _, kind := range append(kinds, plan.CrossJoin) {
			for _, withKeys := range []bool{true, false} {
				for _, withResidual := range []bool{false, true} {
					if kind == plan.CrossJoin && (withKeys || withResidual) {
						continue
					}
					if !withKeys && !withResidual && kind != plan.CrossJoin {
						continue
					}
					name := fmt.Sprintf("%s/bigLeft=%v/keys=%v/residual=%v", kind, bigLeft, withKeys, withResidual)
					t.Run(name, func(t *testing.T) {
						for _, size := range []int{1, 3, types.BatchSize} {
							j := &plan.Join{Left: scan(lsch, left, size), Right: scan(rsch, right, size), Kind: kind}
							if withKeys {
								j.LeftKeys, j.RightKeys = []plan.Expr{col(0, types.Int)}, []plan.Expr{col(0, types.Float)}
							}
							if withResidual {
								j.Residual = residual
							}
							rows, builtLeft, batches, err := exec.RunJoin(context.Background(), j)
							if err != nil {
								t.Fatal(err)
							}
							if builtLeft == bigLeft {
								t.Errorf("batch %d: built the left side = %v; want the small side built", size, builtLeft)
							}
							want := nestedLoopJoin(t, j, left, right)
							if len(want) > 2*types.BatchSize && batches < 2 {
								t.Errorf("batch %d: %d rows in %d batch(es)", size, len(rows), batches)
							}
							checkRows(t, rows, want, false)
						}
					})
				}
			}
		}
	}
}

// TestJoinStringKeys joins on one STRING key, which is hashed as is rather
// than encoded: NULL and empty keys, keys that differ only in length, both
// sides built, every kind.
func TestJoinStringKeys(t *testing.T) {
	schema := types.Schema{{Name: "k", Kind: types.String}, {Name: "v", Kind: types.Int}}
	keys := []types.Value{str("a"), str(""), null, str("ab"), str("a"), str("b"), str("1"), null, str("ab")}
	mk := func(n int) [][]types.Value {
		rows := make([][]types.Value, n)
		for i := range rows {
			rows[i] = []types.Value{keys[i%len(keys)], i64(int64(i))}
		}
		return rows
	}
	big, small := mk(1500), mk(7)
	for _, kind := range []plan.JoinKind{plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.SemiJoin, plan.AntiJoin} {
		for _, bigLeft := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/bigLeft=%v", kind, bigLeft), func(t *testing.T) {
				left, right := big, small
				if !bigLeft {
					left, right = small, big
				}
				j := &plan.Join{Left: scan(schema, left, 3), Right: scan(schema, right, 3), Kind: kind,
					LeftKeys: []plan.Expr{col(0, types.String)}, RightKeys: []plan.Expr{col(0, types.String)}}
				got, builtLeft, _, err := exec.RunJoin(context.Background(), j)
				if err != nil {
					t.Fatal(err)
				}
				if builtLeft == bigLeft {
					t.Errorf("built the left side = %v; want the small side built", builtLeft)
				}
				checkRows(t, got, nestedLoopJoin(t, j, left, right), false)
			})
		}
	}
}

// TestJoinEmptySide runs every join kind with one side empty: the empty
// side ends first and is built, and outer joins still pad the other.
func TestJoinEmptySide(t *testing.T) {
	ls := types.Schema{{Name: "k", Kind: types.Int}, {Name: "a", Kind: types.String}, {Name: "t", Kind: types.Int}}
	rs := types.Schema{{Name: "k", Kind: types.Float}, {Name: "b", Kind: types.String}, {Name: "t", Kind: types.Int}}
	rows := joinRows(30, 7, 3, 11, "x", types.Int)
	frows := joinRows(30, 7, 3, 11, "y", types.Float)
	for _, kind := range []plan.JoinKind{plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.SemiJoin, plan.AntiJoin, plan.CrossJoin} {
		for _, emptyLeft := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/emptyLeft=%v", kind, emptyLeft), func(t *testing.T) {
				left, right := rows, [][]types.Value(nil)
				if emptyLeft {
					left, right = nil, frows
				}
				j := &plan.Join{Left: scan(ls, left, 4), Right: scan(rs, right, 4), Kind: kind}
				if kind != plan.CrossJoin {
					j.LeftKeys, j.RightKeys = []plan.Expr{col(0, types.Int)}, []plan.Expr{col(0, types.Float)}
				}
				got, builtLeft, _, err := exec.RunJoin(context.Background(), j)
				if err != nil {
					t.Fatal(err)
				}
				if builtLeft != emptyLeft {
					t.Errorf("built the left side = %v, want the empty side built", builtLeft)
				}
				checkRows(t, got, nestedLoopJoin(t, j, left, right), false)
			})
		}
	}
}

// BenchmarkJoinExposures is the experiment's join: 6,000 first exposures
// (unit, first time) LEFT JOIN 200,000 events on the unit with the event at
// or after the exposure. The exposures end first, so they are built.
func BenchmarkJoinExposures(b *testing.B) {
	xs := types.Schema{{Name: "unit", Kind: types.String}, {Name: "first", Kind: types.Int}}
	es := types.Schema{{Name: "unit", Kind: types.String}, {Name: "t", Kind: types.Int}, {Name: "event", Kind: types.String}}
	x := make([][]types.Value, 6000)
	for i := range x {
		x[i] = []types.Value{str(fmt.Sprintf("u%05d", i)), i64(int64(i % 100))}
	}
	ev := make([][]types.Value, 200000)
	for i := range ev {
		ev[i] = []types.Value{str(fmt.Sprintf("u%05d", i%6500)), i64(int64(i % 173)), str("Product Viewed")}
	}
	j := &plan.Join{Left: scan(xs, x, types.BatchSize), Right: scan(es, ev, types.BatchSize), Kind: plan.LeftJoin,
		LeftKeys: []plan.Expr{col(0, types.String)}, RightKeys: []plan.Expr{col(0, types.String)},
		Residual: op(plan.OpGe, types.Bool, col(3, types.Int), col(1, types.Int))}
	b.ReportAllocs()
	for b.Loop() {
		ctx := context.Background()
		o, err := exec.Build(ctx, j)
		if err != nil {
			b.Fatal(err)
		}
		for {
			out, err := o.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if out == nil || out.Len == 0 {
				break
			}
		}
		o.Close()
	}
}
