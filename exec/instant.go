package exec

import (
	"context"
	"time"

	"github.com/nectar-dev/nectar/plan"
)

type instantKey struct{}

// WithInstant fixes the instant that current_timestamp(), current_date()
// and the other functions of the clock report in the statements built with
// ctx. Build takes the time itself when ctx carries none; a caller that
// builds several plans for one statement (a stream's micro-batch) or a
// test that wants a known time sets it.
func WithInstant(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, instantKey{}, t)
}

// statementInstant returns ctx's instant, fixing it now if ctx has none,
// and the context that carries it to the subqueries Build runs.
func statementInstant(ctx context.Context) (context.Context, time.Time) {
	if t, ok := ctx.Value(instantKey{}).(time.Time); ok {
		return ctx, t
	}
	t := time.Now()
	return WithInstant(ctx, t), t
}

// pinInstant replaces every call of a clock function (functions.Func's
// Instant) in n, its scan hints and its subqueries with its value at t, so
// that one statement sees one instant, however many rows, calls and
// subqueries read the clock: Spark's ComputeCurrentTime rule
// (sql/catalyst/.../optimizer/finishAnalysis.scala; sql-tests
// timestamp.sql checks current_timestamp() = current_timestamp()).
func pinInstant(n plan.Node, t time.Time) plan.Node {
	pinExpr := func(e plan.Expr) plan.Expr {
		return plan.Rewrite(e, func(x plan.Expr) plan.Expr {
			switch x := x.(type) {
			case *plan.Call:
				if x.Fn.Instant != nil && len(x.Args) == 0 {
					return &plan.Const{V: coerce(x.Fn.Instant(t), x.K)}
				}
			case *plan.Subquery:
				s := *x
				s.Plan = pinInstant(x.Plan, t)
				return &s
			}
			return x
		})
	}
	return plan.Transform(n, func(node plan.Node) plan.Node {
		if s, ok := node.(*plan.Scan); ok && len(s.Filters) > 0 {
			c := *s
			c.Filters = make([]plan.Expr, len(s.Filters))
			for i, f := range s.Filters {
				c.Filters[i] = pinExpr(f)
			}
			return &c
		}
		return plan.MapExprs(node, pinExpr)
	})
}
