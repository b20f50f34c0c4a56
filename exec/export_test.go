package exec

import (
	"context"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// RunJoin runs n's join operator to the end and reports its rows, whether
// it built its left side, and how many batches it emitted, so that tests
// can check both build sides and batch boundaries of the output.
func RunJoin(ctx context.Context, n *plan.Join) (rows [][]types.Value, builtLeft bool, batches int, err error) {
	l, err := Build(ctx, n.Left)
	if err != nil {
		return nil, false, 0, err
	}
	r, err := Build(ctx, n.Right)
	if err != nil {
		l.Close()
		return nil, false, 0, err
	}
	j := &join{left: l, right: r, node: n}
	defer j.Close()
	for {
		b, err := j.Next(ctx)
		if err != nil {
			return nil, false, 0, err
		}
		if b.Len == 0 {
			return rows, j.buildLeft, batches, nil
		}
		batches++
		for i := 0; i < b.Len; i++ {
			rows = append(rows, b.Row(nil, i))
		}
	}
}
