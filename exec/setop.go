package exec

import (
	"context"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// setOp runs UNION, INTERSECT and EXCEPT by counting rows per side.
type setOp struct {
	left, right Operator
	node        *plan.SetOp
	out         *rowSource
	leftDone    bool
}

func (s *setOp) Next(ctx context.Context) (*types.Batch, error) {
	n := s.node
	if n.Op == "UNION" && n.All {
		// Stream: left, then right.
		if !s.leftDone {
			b, err := s.left.Next(ctx)
			if err != nil || (b != nil && b.Len > 0) {
				return b, err
			}
			s.leftDone = true
		}
		return s.right.Next(ctx)
	}
	if s.out == nil {
		rows, err := s.run(ctx)
		if err != nil {
			return nil, err
		}
		s.out = newRowSource(n.Schema(), rows)
	}
	return s.out.Next(ctx)
}

func (s *setOp) run(ctx context.Context) ([][]types.Value, error) {
	left, err := collect(ctx, s.left, s.node.Op)
	if err != nil {
		return nil, err
	}
	right, err := collect(ctx, s.right, s.node.Op)
	if err != nil {
		return nil, err
	}
	var out [][]types.Value
	switch s.node.Op {
	case "UNION":
		// The rows are counted against the budget by collect already.
		seen := newRowSet()
		for _, r := range append(left, right...) {
			if !seen.hasValues(r) {
				seen.add()
				out = append(out, r)
			}
		}
	case "INTERSECT", "EXCEPT":
		var key []byte
		counts := map[string]int{}
		for _, r := range right {
			counts[string(valuesKey(key[:0], r))]++
		}
		emitted := map[string]bool{}
		for _, r := range left {
			k := string(valuesKey(key[:0], r))
			inRight := counts[k] > 0
			keep := inRight == (s.node.Op == "INTERSECT")
			if s.node.All {
				if inRight {
					counts[k]--
				}
			} else {
				if emitted[k] {
					continue
				}
				if keep {
					emitted[k] = true
				}
			}
			if keep {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func (s *setOp) Close() error { return closeAll([]Operator{s.left, s.right}) }
