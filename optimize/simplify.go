package optimize

import (
	"github.com/nectar-dev/nectar/plan"
)

// Simplify removes the scaffolding the binder leaves between operators, so
// that one query has one plan whichever syntax wrote it: a pipe query
// binds one node per |> step where the SQL form binds one per clause.
// It merges adjacent projections and adjacent filters, drops projections
// that pass their input through unchanged, and moves a filter below a
// projection that only renames the columns it tests, and a limit below
// any projection.
func Simplify(n plan.Node) plan.Node {
	return plan.Transform(n, simplifyNode)
}

// simplifyNode rewrites n, whose children are already simplified.
func simplifyNode(n plan.Node) plan.Node {
	switch n := n.(type) {
	case *plan.Project:
		if in, ok := n.Input.(*plan.Project); ok {
			if exprs, ok := substitute(n.Exprs, in.Exprs); ok {
				return simplifyNode(&plan.Project{Input: in.Input, Exprs: exprs, Names: n.Names})
			}
		}
		if isIdentity(n) {
			return n.Input
		}
	case *plan.Limit:
		// Projections work row by row, so they commute with LIMIT; below
		// it they see fewer rows, and the limit meets the sort it can
		// fold into (top-N).
		if in, ok := n.Input.(*plan.Project); ok {
			l := simplifyNode(&plan.Limit{Input: in.Input, Count: n.Count, Offset: n.Offset})
			return simplifyNode(&plan.Project{Input: l, Exprs: in.Exprs, Names: in.Names})
		}
	case *plan.Filter:
		switch in := n.Input.(type) {
		case *plan.Filter:
			cond := &plan.Op{Op: plan.OpAnd, Args: []plan.Expr{in.Cond, n.Cond}, K: n.Cond.Kind()}
			return simplifyNode(&plan.Filter{Input: in.Input, Cond: cond})
		case *plan.Project:
			// Only through columns the projection passes as they are, so
			// no expression is computed twice.
			if cond, ok := substituteRefs(n.Cond, in.Exprs); ok {
				f := simplifyNode(&plan.Filter{Input: in.Input, Cond: cond})
				return simplifyNode(&plan.Project{Input: f, Exprs: in.Exprs, Names: in.Names})
			}
		}
	}
	return n
}

// substitute rewrites outer, which reads the columns inner computes, to
// read inner's input instead. It declines when that would compute one of
// inner's non-trivial expressions more than once.
func substitute(outer, inner []plan.Expr) ([]plan.Expr, bool) {
	uses := map[int]int{}
	for _, e := range outer {
		plan.Walk(e, func(x plan.Expr) {
			if c, ok := x.(*plan.ColRef); ok {
				uses[c.Idx]++
			}
		})
	}
	for i, n := range uses {
		if i >= len(inner) {
			return nil, false
		}
		if n > 1 && !trivial(inner[i]) {
			return nil, false
		}
	}
	out := make([]plan.Expr, len(outer))
	for i, e := range outer {
		out[i] = inline(e, inner)
	}
	return out, true
}

// substituteRefs rewrites cond over inner's input when every column it
// reads is a plain column or constant of inner.
func substituteRefs(cond plan.Expr, inner []plan.Expr) (plan.Expr, bool) {
	ok := true
	plan.Walk(cond, func(x plan.Expr) {
		if c, isRef := x.(*plan.ColRef); isRef && (c.Idx >= len(inner) || !trivial(inner[c.Idx])) {
			ok = false
		}
	})
	if !ok {
		return nil, false
	}
	return inline(cond, inner), true
}

func inline(e plan.Expr, inner []plan.Expr) plan.Expr {
	return plan.Rewrite(e, func(x plan.Expr) plan.Expr {
		if c, ok := x.(*plan.ColRef); ok {
			return inner[c.Idx]
		}
		return x
	})
}

func trivial(e plan.Expr) bool {
	switch e.(type) {
	case *plan.ColRef, *plan.Const:
		return true
	}
	return false
}

// isIdentity reports whether p outputs exactly its input's columns, with
// the same names and kinds, in order.
func isIdentity(p *plan.Project) bool {
	in := p.Input.Schema()
	if len(p.Exprs) != len(in) {
		return false
	}
	for i, e := range p.Exprs {
		c, ok := e.(*plan.ColRef)
		if !ok || c.Idx != i || p.Names[i] != in[i].Name || c.K != in[i].Kind {
			return false
		}
	}
	return true
}
