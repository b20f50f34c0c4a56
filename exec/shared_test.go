package exec_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// countingSource is a memSource that counts how often it is opened.
type countingSource struct {
	*memSource
	opens int
}

func (c *countingSource) Open(ctx context.Context, cols []plan.SourceColumn, f []plan.Expr) (plan.BatchReader, error) {
	c.opens++
	return c.memSource.Open(ctx, cols, f)
}

// TestSharedReplaysBatches reads one Shared subplan three times (a UNION
// ALL of it with itself, joined to it) over inputs of many batches: each
// reference must see every row although the source, whose reader poisons
// its batch before each refill, is read once.
func TestSharedReplaysBatches(t *testing.T) {
	schema, rows := numbered(2500)
	forEachBatchSize(t, func(t *testing.T, size int) {
		src := &countingSource{memSource: &memSource{schema: schema, rows: rows, batchRows: size}}
		// w: rows whose m is not NULL (2500 - 357 of them).
		w := &plan.Shared{ID: 1, Name: "w", Input: &plan.Filter{
			Input: &plan.Scan{Source: src, Columns: src.Columns()},
			Cond:  op(plan.OpIsNotNull, types.Bool, col(1, types.Int)),
		}}
		kinds := []types.Kind{types.Int, types.Int, types.String}
		union := &plan.SetOp{Op: "UNION", All: true, Left: w, Right: w, Names: []string{"i", "m", "s"}, Kinds: kinds}
		j := &plan.Join{Left: union, Right: w, Kind: plan.InnerJoin,
			LeftKeys: []plan.Expr{col(0, types.Int)}, RightKeys: []plan.Expr{col(0, types.Int)}}
		got := mustRun(t, j)
		var want []string
		for _, r := range rows {
			if r[1].IsNull() {
				continue
			}
			line := render([][]types.Value{append(append([]types.Value{}, r...), r...)})[0]
			want = append(want, line, line)
		}
		checkRows(t, got, want, false)
		if src.opens != 1 {
			t.Errorf("source opened %d times, want once", src.opens)
		}
	})
}

// TestSharedError checks that an error computing a Shared subplan reaches
// whichever reader hits it, and the other reader too.
func TestSharedError(t *testing.T) {
	schema, rows := numbered(3000)
	forEachBatchSize(t, func(t *testing.T, size int) {
		// 6 DIV (i - 2500) fails at row 2500, batches into the input.
		div := op(plan.OpIntDiv, types.Int, lit(i64(6)), op(plan.OpSub, types.Int, col(0, types.Int), lit(i64(2500))))
		w := &plan.Shared{ID: 1, Name: "w", Input: &plan.Filter{
			Input: scan(schema, rows, size),
			Cond:  op(plan.OpGe, types.Bool, div, lit(i64(0))),
		}}
		kinds := []types.Kind{types.Int, types.Int, types.String}
		for _, n := range []plan.Node{
			&plan.SetOp{Op: "UNION", All: true, Left: w, Right: w, Names: []string{"i", "m", "s"}, Kinds: kinds},
			&plan.Join{Left: w, Right: w, Kind: plan.InnerJoin, LeftKeys: []plan.Expr{col(0, types.Int)}, RightKeys: []plan.Expr{col(0, types.Int)}},
		} {
			if _, err := run(t, n); !errors.Is(err, exec.ErrDivideByZero) {
				t.Errorf("%T: err = %v, want division by zero", n, err)
			}
		}
	})
}
