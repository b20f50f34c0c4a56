package exec

import (
	"context"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// join is a hash join: the right side is built into a table keyed by its
// equality keys, then left rows probe it. Without equality keys it falls
// back to comparing every pair. NULL keys never match, as in SQL.
type join struct {
	left, right Operator
	node        *plan.Join
	out         *rowSource
}

func (j *join) Next(ctx context.Context) (*types.Batch, error) {
	if j.out == nil {
		rows, err := j.run(ctx)
		if err != nil {
			return nil, err
		}
		j.out = newRowSource(j.node.Schema(), rows)
	}
	return j.out.Next(ctx)
}

func (j *join) Close() error { return closeAll([]Operator{j.left, j.right}) }

func (j *join) run(ctx context.Context) ([][]types.Value, error) {
	n := j.node
	right, err := collect(ctx, j.right, "a join's right side")
	if err != nil {
		return nil, err
	}
	left, err := collect(ctx, j.left, "a join's left side")
	if err != nil {
		return nil, err
	}
	nl, nr := len(n.Left.Schema()), len(n.Right.Schema())

	table := map[string][]int{}
	var key []byte
	for i, r := range right {
		k, ok, err := joinKey(key[:0], n.RightKeys, r)
		if err != nil {
			return nil, err
		}
		if ok {
			table[string(k)] = append(table[string(k)], i)
		}
		key = k
	}
	all := make([]int, len(right))
	for i := range all {
		all[i] = i
	}

	matchedRight := make([]bool, len(right))
	var out [][]types.Value
	nullsRight := make([]types.Value, nr)
	for _, l := range left {
		var cands []int
		if len(n.LeftKeys) == 0 {
			cands = all
		} else {
			k, ok, err := joinKey(key[:0], n.LeftKeys, l)
			if err != nil {
				return nil, err
			}
			key = k
			if ok {
				cands = table[string(k)]
			}
		}
		matched := false
		for _, ri := range cands {
			row := append(append(make([]types.Value, 0, nl+nr), l...), right[ri]...)
			if n.Residual != nil {
				v, err := EvalRow(n.Residual, row)
				if err != nil {
					return nil, err
				}
				if v.IsNull() || !v.Bool() {
					continue
				}
			}
			matched = true
			matchedRight[ri] = true
			switch n.Kind {
			case syntax.SemiJoin, syntax.AntiJoin:
			default:
				out = append(out, row)
			}
			if n.Kind == syntax.SemiJoin {
				break
			}
		}
		switch {
		case n.Kind == syntax.SemiJoin && matched:
			out = append(out, l)
		case n.Kind == syntax.AntiJoin && !matched:
			out = append(out, l)
		case !matched && (n.Kind == syntax.LeftJoin || n.Kind == syntax.FullJoin):
			out = append(out, append(append(make([]types.Value, 0, nl+nr), l...), nullsRight...))
		}
	}
	if n.Kind == syntax.RightJoin || n.Kind == syntax.FullJoin {
		nullsLeft := make([]types.Value, nl)
		for ri, r := range right {
			if !matchedRight[ri] {
				out = append(out, append(append(make([]types.Value, 0, nl+nr), nullsLeft...), r...))
			}
		}
	}
	return out, nil
}

// joinKey encodes a row's join key; ok is false when any key is NULL.
// Numbers are compared as DOUBLE so that 1 matches 1.0.
func joinKey(buf []byte, keys []plan.Expr, row []types.Value) ([]byte, bool, error) {
	for _, k := range keys {
		v, err := EvalRow(k, row)
		if err != nil {
			return buf, false, err
		}
		if v.IsNull() {
			return buf, false, nil
		}
		if v.K == types.Int {
			v = types.FloatValue(float64(v.I))
		}
		buf = types.AppendKey(buf, v)
	}
	return buf, true, nil
}
