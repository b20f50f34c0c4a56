package optimize

import "github.com/nectar-dev/nectar/plan"

// PushFilters moves filter conditions toward the scans: through projections
// that merely pass columns on, and then into the scan as pruning hints, so
// a source can skip whole files (a Segment day folder outside a receivedAt
// range) before reading a byte. The Filter itself stays where the data
// flows past it, so correctness never depends on a source using the hints.
func PushFilters(n plan.Node) plan.Node {
	return plan.Transform(n, func(node plan.Node) plan.Node {
		f, ok := node.(*plan.Filter)
		if !ok {
			return node
		}
		switch in := f.Input.(type) {
		case *plan.Project:
			if m, ok := passthrough(in, f.Cond); ok {
				inner := PushFilters(&plan.Filter{Input: in.Input, Cond: plan.Remap(f.Cond, m)})
				return &plan.Project{Input: inner, Exprs: in.Exprs, Names: in.Names}
			}
		case *plan.Scan:
			s := *in
			s.Filters = append(append([]plan.Expr{}, in.Filters...), conjuncts(f.Cond)...)
			return &plan.Filter{Input: &s, Cond: f.Cond}
		}
		return node
	})
}

// passthrough reports whether every column cond reads is a plain column
// reference in p, and maps p's output indexes to p's input indexes.
func passthrough(p *plan.Project, cond plan.Expr) (map[int]int, bool) {
	used := map[int]bool{}
	plan.Columns(cond, used)
	m := map[int]int{}
	for i := range used {
		c, ok := p.Exprs[i].(*plan.ColRef)
		if !ok {
			return nil, false
		}
		m[i] = c.Idx
	}
	return m, true
}

func conjuncts(e plan.Expr) []plan.Expr {
	if o, ok := e.(*plan.Op); ok && o.Op == plan.OpAnd {
		return append(conjuncts(o.Args[0]), conjuncts(o.Args[1])...)
	}
	return []plan.Expr{e}
}
