package exec

import (
	"context"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// expand emits each input batch once per grouping set (plan.Expand): the
// input's vectors shared as they are, the keys evaluated once per batch
// and replaced by NULLs where the set leaves them out, and the set's id.
type expand struct {
	in    Operator
	node  *plan.Expand
	keys  []*types.Vector
	nulls []*types.Vector
	set   int
	b     *types.Batch
	out   types.Batch
}

func (x *expand) Next(ctx context.Context) (*types.Batch, error) {
	if x.b == nil || x.set == len(x.node.Sets) {
		b, err := x.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return nil, err
		}
		x.b, x.set = b, 0
		x.keys = x.keys[:0]
		x.nulls = x.nulls[:0]
		for _, k := range x.node.Keys {
			v, err := Eval(k, b)
			if err != nil {
				return nil, err
			}
			x.keys = append(x.keys, v)
			n := types.NewVector(k.Kind(), b.Len)
			for range b.Len {
				n.AppendNull()
			}
			x.nulls = append(x.nulls, n)
		}
	}
	id := x.node.Sets[x.set]
	x.set++
	x.out.Len = x.b.Len
	x.out.Cols = append(x.out.Cols[:0], x.b.Cols...)
	for i := range x.node.Keys {
		if x.node.Has(id, i) {
			x.out.Cols = append(x.out.Cols, x.keys[i])
		} else {
			x.out.Cols = append(x.out.Cols, x.nulls[i])
		}
	}
	g := types.NewVector(types.Int, x.b.Len)
	for range x.b.Len {
		g.Append(types.IntValue(id))
	}
	x.out.Cols = append(x.out.Cols, g)
	if x.node.Positions {
		p := types.NewVector(types.Int, x.b.Len)
		for range x.b.Len {
			p.Append(types.IntValue(int64(x.set - 1)))
		}
		x.out.Cols = append(x.out.Cols, p)
	}
	return &x.out, nil
}

func (x *expand) Close() error { return x.in.Close() }
