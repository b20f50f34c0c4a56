package optimize

import "github.com/nectar-dev/nectar/plan"

// PushFilters moves filter conditions toward the scans: through projections
// that merely pass columns on, and then into the scan as pruning hints, so
// a source can skip whole files (a Segment day folder outside a receivedAt
// range) before reading a byte. The Filter itself stays where the data
// flows past it, so correctness never depends on a source using the hints.
func PushFilters(n plan.Node) plan.Node {
	return plan.Transform(n, func(node plan.Node) plan.Node {
		if f, ok := node.(*plan.Filter); ok && !plan.ReadsNothing(f) {
			return pushFilter(f)
		}
		return node
	})
}

// pushFilter moves one filter down. Transform has already pushed the
// filters below it, so only the filters this step creates are pushed
// further; running the whole rule again over the input would hand a scan
// its conditions a second time.
func pushFilter(f *plan.Filter) plan.Node {
	switch in := f.Input.(type) {
	case *plan.Project:
		if m, ok := passthrough(in, f.Cond); ok {
			inner := pushFilter(&plan.Filter{Input: in.Input, Cond: plan.Remap(f.Cond, m)})
			return &plan.Project{Input: inner, Exprs: in.Exprs, Names: in.Names}
		}
	case *plan.Watermark:
		// Under the watermark the filter reaches the scan (day pruning);
		// a stream's event time is read after the filter either way.
		w := *in
		w.Input = pushFilter(&plan.Filter{Input: in.Input, Cond: f.Cond})
		return &w
	case *plan.Join:
		return pushIntoJoin(f, in)
	case *plan.Generate:
		return pushIntoGenerate(f, in)
	case *plan.Scan:
		s := *in
		s.Filters = append(append([]plan.Expr{}, in.Filters...), conjuncts(f.Cond)...)
		return &plan.Filter{Input: &s, Cond: f.Cond}
	}
	return f
}

// pushIntoJoin sends each conjunct that reads only one side of a join to
// that side, where the join does not add NULL rows for it: the left side
// of INNER, LEFT, SEMI and ANTI joins, the right side of INNER and RIGHT
// joins. What stays above is what needs both sides.
func pushIntoJoin(f *plan.Filter, j *plan.Join) plan.Node {
	nl := len(j.Left.Schema())
	leftOK := j.Kind == "INNER" || j.Kind == "LEFT" || j.Kind == "LEFT SEMI" || j.Kind == "LEFT ANTI" || j.Kind == "CROSS"
	rightOK := j.Kind == "INNER" || j.Kind == "RIGHT" || j.Kind == "CROSS"
	var left, right, keep []plan.Expr
	for _, c := range conjuncts(f.Cond) {
		used := map[int]bool{}
		plan.Columns(c, used)
		onlyLeft, onlyRight := len(used) > 0, len(used) > 0
		for i := range used {
			onlyLeft = onlyLeft && i < nl
			onlyRight = onlyRight && i >= nl
		}
		switch {
		case onlyLeft && leftOK:
			left = append(left, c)
		case onlyRight && rightOK:
			right = append(right, plan.Shift(c, -nl))
		default:
			keep = append(keep, c)
		}
	}
	if len(left) == 0 && len(right) == 0 {
		return f
	}
	nj := *j
	if len(left) > 0 {
		nj.Left = pushFilter(&plan.Filter{Input: j.Left, Cond: andAll(left)})
	}
	if len(right) > 0 {
		nj.Right = pushFilter(&plan.Filter{Input: j.Right, Cond: andAll(right)})
	}
	if len(keep) == 0 {
		return &nj
	}
	return &plan.Filter{Input: &nj, Cond: andAll(keep)}
}

func andAll(es []plan.Expr) plan.Expr {
	out := es[0]
	for _, e := range es[1:] {
		out = &plan.Op{Op: plan.OpAnd, Args: []plan.Expr{out, e}, K: out.Kind()}
	}
	return out
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

// pushIntoGenerate sends the conjuncts that read only the generator's
// input below it: such a condition holds for all the rows made of one
// input row or for none, OUTER or not, so filtering first saves making
// rows only to drop them.
func pushIntoGenerate(f *plan.Filter, g *plan.Generate) plan.Node {
	width := len(g.Input.Schema())
	var below, keep []plan.Expr
	for _, c := range conjuncts(f.Cond) {
		used := map[int]bool{}
		plan.Columns(c, used)
		ok := true
		for i := range used {
			ok = ok && i < width
		}
		if ok {
			below = append(below, c)
		} else {
			keep = append(keep, c)
		}
	}
	if len(below) == 0 {
		return f
	}
	ng := *g
	ng.Input = pushFilter(&plan.Filter{Input: g.Input, Cond: andAll(below)})
	if len(keep) == 0 {
		return &ng
	}
	return &plan.Filter{Input: &ng, Cond: andAll(keep)}
}
