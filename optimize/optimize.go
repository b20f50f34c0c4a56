package optimize

import (
	"github.com/nectar-dev/nectar/plan"
)

// Rule is one named rewrite. It returns the node unchanged when it does not
// apply.
type Rule struct {
	Name  string
	Apply func(plan.Node) plan.Node
}

// Rules run in order, once each.
var Rules = []Rule{
	{Name: "simplify", Apply: Simplify},
	// Before push-filters, so that a condition that is always false stops
	// the read instead of reaching the scan as a hint.
	{Name: "fold-filters", Apply: FoldFilters},
	{Name: "push-filters", Apply: PushFilters},
	{Name: "prune-columns", Apply: PruneColumns},
	{Name: "top-n", Apply: TopN},
	// Pruning leaves projections that keep every column they are given.
	{Name: "simplify-pruned", Apply: Simplify},
}

// Optimize applies every rule, to n and to the plans of subqueries it
// holds.
func Optimize(n plan.Node) plan.Node {
	n = plan.Transform(n, func(node plan.Node) plan.Node {
		return plan.MapExprs(node, func(e plan.Expr) plan.Expr {
			return plan.Rewrite(e, func(x plan.Expr) plan.Expr {
				if s, ok := x.(*plan.Subquery); ok {
					c := *s
					c.Plan = Optimize(s.Plan)
					return &c
				}
				return x
			})
		})
	})
	for _, r := range Rules {
		n = r.Apply(n)
	}
	return n
}
