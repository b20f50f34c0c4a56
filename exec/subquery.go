package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// ErrScalarSubquery is returned when a scalar subquery yields several rows.
var ErrScalarSubquery = errors.New("a scalar subquery returned more than one row")

// resolveSubqueries runs every uncorrelated subquery in n's tree once and
// replaces it by its result: a constant, or an IN list.
func resolveSubqueries(ctx context.Context, n plan.Node) (plan.Node, error) {
	var firstErr error
	out := plan.Transform(n, func(node plan.Node) plan.Node {
		return plan.MapExprs(node, func(e plan.Expr) plan.Expr {
			return plan.Rewrite(e, func(x plan.Expr) plan.Expr {
				s, ok := x.(*plan.Subquery)
				if !ok || firstErr != nil {
					return x
				}
				r, err := runSubquery(ctx, s)
				if err != nil {
					firstErr = err
					return x
				}
				return r
			})
		})
	})
	return out, firstErr
}

func runSubquery(ctx context.Context, s *plan.Subquery) (plan.Expr, error) {
	p, err := resolveSubqueries(ctx, s.Plan)
	if err != nil {
		return nil, err
	}
	op, err := Build(ctx, p)
	if err != nil {
		return nil, err
	}
	rows, err := Collect(ctx, op)
	if cerr := op.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("subquery: %w", err)
	}
	switch s.Mode {
	case plan.ExistsSubquery:
		return &plan.Const{V: types.BoolValue(len(rows) > 0)}, nil
	case plan.InSubquery:
		args := []plan.Expr{s.X}
		k := s.X.Kind()
		for _, r := range rows {
			v, err := types.Cast(r[0], k)
			if err != nil {
				return nil, fmt.Errorf("subquery: %w", err)
			}
			args = append(args, &plan.Const{V: v})
		}
		if len(rows) == 0 {
			return &plan.Op{Op: plan.OpAnd, Args: []plan.Expr{&plan.Const{V: types.BoolValue(false)}, &plan.Const{V: types.BoolValue(false)}}, K: types.Bool}, nil
		}
		return &plan.Op{Op: plan.OpIn, Args: args, K: types.Bool}, nil
	}
	switch len(rows) {
	case 0:
		return &plan.Const{}, nil
	case 1:
		return &plan.Const{V: rows[0][0]}, nil
	}
	return nil, ErrScalarSubquery
}
