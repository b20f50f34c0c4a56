package optimize

import (
	"github.com/nectar-dev/nectar/plan"
)

// PruneColumns removes every column no ancestor reads, down to the scans,
// so sources read only the columns (JSON paths) the query needs.
func PruneColumns(n plan.Node) plan.Node {
	all := map[int]bool{}
	for i := range n.Schema() {
		all[i] = true
	}
	// A Shared subplan is computed once for all its references, so it must
	// keep the union of what they need, with one column layout for all.
	// Dry runs gather that union (until it stops growing: a Shared inside
	// another's input learns more as the outer union grows); the last run
	// prunes with it.
	p := &pruner{need: map[int]map[int]bool{}}
	for p.changed = true; p.changed; {
		p.changed = false
		p.prune(n, all)
	}
	out, _ := p.prune(n, all)
	return out
}

// pruner carries what the references of each Shared subplan need.
type pruner struct {
	need    map[int]map[int]bool
	changed bool
}

// prune returns n rewritten to produce at least the required columns, and
// the map from n's old column indexes to the new node's.
func (p *pruner) prune(n plan.Node, req map[int]bool) (plan.Node, map[int]int) {
	switch n := n.(type) {
	case *plan.Shared:
		need := p.need[n.ID]
		if need == nil {
			need = map[int]bool{}
			p.need[n.ID] = need
		}
		for i := range req {
			if !need[i] {
				need[i], p.changed = true, true
			}
		}
		in, m := p.prune(n.Input, need)
		shared := &plan.Shared{ID: n.ID, Name: n.Name, Input: in}
		schema := in.Schema()
		if len(req) == 0 || len(req) >= len(schema) {
			return shared, m
		}
		// This reference reads fewer columns than the union the subplan
		// keeps for all of them: pass on only those, so that the operators
		// above (a join copying every column of its output) do not carry
		// the others.
		var exprs []plan.Expr
		var names []string
		narrow := map[int]int{}
		for i := range len(n.Schema()) {
			if !req[i] {
				continue
			}
			j := m[i]
			narrow[i] = len(exprs)
			exprs = append(exprs, &plan.ColRef{Idx: j, Name: schema[j].Name, K: schema[j].Kind})
			names = append(names, schema[j].Name)
		}
		return &plan.Project{Input: shared, Exprs: exprs, Names: names}, narrow
	case *plan.Scan:
		var cols []plan.SourceColumn
		m := map[int]int{}
		for i, c := range n.Columns {
			if req[i] {
				m[i] = len(cols)
				cols = append(cols, c)
			}
		}
		if len(cols) == 0 && len(n.Columns) > 0 {
			// Keep one column so batches still count rows (count(*)).
			m[0], cols = 0, n.Columns[:1]
		}
		var filters []plan.Expr
		for _, f := range n.Filters {
			used := map[int]bool{}
			plan.Columns(f, used)
			kept := true
			for i := range used {
				_, ok := m[i]
				kept = kept && ok
			}
			if kept {
				filters = append(filters, plan.Remap(f, m))
			}
		}
		return &plan.Scan{Source: n.Source, Columns: cols, Filters: filters}, m
	case *plan.OneRow:
		return n, map[int]int{}
	case *plan.Filter:
		need := copySet(req)
		plan.Columns(n.Cond, need)
		in, m := p.prune(n.Input, need)
		return &plan.Filter{Input: in, Cond: plan.Remap(n.Cond, m)}, m
	case *plan.Project:
		need := map[int]bool{}
		var exprs []plan.Expr
		var names []string
		m := map[int]int{}
		for i, e := range n.Exprs {
			if req[i] {
				m[i] = len(exprs)
				exprs = append(exprs, e)
				names = append(names, n.Names[i])
				plan.Columns(e, need)
			}
		}
		in, im := p.prune(n.Input, need)
		for i, e := range exprs {
			exprs[i] = plan.Remap(e, im)
		}
		return &plan.Project{Input: in, Exprs: exprs, Names: names}, m
	case *plan.Aggregate:
		need := map[int]bool{}
		for _, g := range n.Groups {
			plan.Columns(g, need)
		}
		ng := len(n.Groups)
		m := map[int]int{}
		names := append([]string{}, n.Names[:ng]...)
		for i := 0; i < ng; i++ {
			m[i] = i
		}
		var aggs []plan.AggCall
		for i, a := range n.Aggs {
			if !req[ng+i] {
				continue
			}
			m[ng+i] = ng + len(aggs)
			aggs = append(aggs, a)
			names = append(names, n.Names[ng+i])
			if a.Arg != nil {
				plan.Columns(a.Arg, need)
			}
			if a.Ord != nil {
				plan.Columns(a.Ord, need)
			}
			if a.Filter != nil {
				plan.Columns(a.Filter, need)
			}
		}
		in, im := p.prune(n.Input, need)
		groups := make([]plan.Expr, ng)
		for i, g := range n.Groups {
			groups[i] = plan.Remap(g, im)
		}
		for i := range aggs {
			if aggs[i].Arg != nil {
				aggs[i].Arg = plan.Remap(aggs[i].Arg, im)
			}
			if aggs[i].Ord != nil {
				aggs[i].Ord = plan.Remap(aggs[i].Ord, im)
			}
			if aggs[i].Filter != nil {
				aggs[i].Filter = plan.Remap(aggs[i].Filter, im)
			}
		}
		return &plan.Aggregate{Input: in, Groups: groups, Aggs: aggs, Names: names}, m
	case *plan.Window:
		width := len(n.Input.Schema())
		need := map[int]bool{}
		for i := range req {
			if i < width {
				need[i] = true
			}
		}
		var calls []plan.WindowCall
		var names []string
		var keep []int
		for i, c := range n.Calls {
			if !req[width+i] {
				continue
			}
			keep = append(keep, i)
			calls = append(calls, c)
			names = append(names, n.Names[i])
			for _, e := range c.Args {
				plan.Columns(e, need)
			}
			if c.Filter != nil {
				plan.Columns(c.Filter, need)
			}
			for _, e := range c.PartitionBy {
				plan.Columns(e, need)
			}
			for _, k := range c.OrderBy {
				plan.Columns(k.Expr, need)
			}
		}
		in, im := p.prune(n.Input, need)
		if len(calls) == 0 {
			// No window result is read: skip the sort and materialisation.
			return in, im
		}
		for i := range calls {
			calls[i] = remapWindow(calls[i], im)
		}
		newWidth := len(in.Schema())
		m := copyMap(im)
		for j, i := range keep {
			m[width+i] = newWidth + j
		}
		return &plan.Window{Input: in, Calls: calls, Names: names}, m
	case *plan.Sort:
		need := copySet(req)
		for _, k := range n.Keys {
			plan.Columns(k.Expr, need)
		}
		in, m := p.prune(n.Input, need)
		keys := make([]plan.SortKey, len(n.Keys))
		for i, k := range n.Keys {
			k.Expr = plan.Remap(k.Expr, m)
			keys[i] = k
		}
		return &plan.Sort{Input: in, Keys: keys, Limit: n.Limit}, m
	case *plan.Limit:
		in, m := p.prune(n.Input, req)
		return &plan.Limit{Input: in, Count: n.Count, Offset: n.Offset}, m
	case *plan.Distinct:
		in, m := p.prune(n.Input, allOf(n.Input))
		return &plan.Distinct{Input: in}, m
	case *plan.SetOp:
		l, _ := p.prune(n.Left, allOf(n.Left))
		r, _ := p.prune(n.Right, allOf(n.Right))
		c := *n
		c.Left, c.Right = l, r
		return &c, identity(len(n.Names))
	case *plan.Join:
		nl := len(n.Left.Schema())
		lneed, rneed := map[int]bool{}, map[int]bool{}
		semi := n.Kind == plan.JoinKind("LEFT SEMI") || n.Kind == plan.JoinKind("LEFT ANTI")
		for i := range req {
			if i < nl {
				lneed[i] = true
			} else if !semi {
				rneed[i-nl] = true
			}
		}
		for _, k := range n.LeftKeys {
			plan.Columns(k, lneed)
		}
		for _, k := range n.RightKeys {
			plan.Columns(k, rneed)
		}
		if n.Residual != nil {
			both := map[int]bool{}
			plan.Columns(n.Residual, both)
			for i := range both {
				if i < nl {
					lneed[i] = true
				} else {
					rneed[i-nl] = true
				}
			}
		}
		l, lm := p.prune(n.Left, lneed)
		r, rm := p.prune(n.Right, rneed)
		newL := len(l.Schema())
		m := copyMap(lm)
		for i, j := range rm {
			m[nl+i] = newL + j
		}
		j := &plan.Join{Left: l, Right: r, Kind: n.Kind}
		for _, k := range n.LeftKeys {
			j.LeftKeys = append(j.LeftKeys, plan.Remap(k, lm))
		}
		for _, k := range n.RightKeys {
			j.RightKeys = append(j.RightKeys, plan.Remap(k, rm))
		}
		if n.Residual != nil {
			j.Residual = plan.Remap(n.Residual, m)
		}
		if semi {
			return j, lm
		}
		return j, m
	}
	return n, identity(len(n.Schema()))
}

func remapWindow(c plan.WindowCall, m map[int]int) plan.WindowCall {
	args := make([]plan.Expr, len(c.Args))
	for i, e := range c.Args {
		args[i] = plan.Remap(e, m)
	}
	parts := make([]plan.Expr, len(c.PartitionBy))
	for i, e := range c.PartitionBy {
		parts[i] = plan.Remap(e, m)
	}
	keys := make([]plan.SortKey, len(c.OrderBy))
	for i, k := range c.OrderBy {
		k.Expr = plan.Remap(k.Expr, m)
		keys[i] = k
	}
	c.Args, c.PartitionBy, c.OrderBy = args, parts, keys
	if c.Filter != nil {
		c.Filter = plan.Remap(c.Filter, m)
	}
	return c
}

func allOf(n plan.Node) map[int]bool {
	s := map[int]bool{}
	for i := range n.Schema() {
		s[i] = true
	}
	return s
}

func identity(n int) map[int]int {
	m := make(map[int]int, n)
	for i := 0; i < n; i++ {
		m[i] = i
	}
	return m
}

func copySet(s map[int]bool) map[int]bool {
	out := make(map[int]bool, len(s))
	for k := range s {
		out[k] = true
	}
	return out
}

func copyMap(m map[int]int) map[int]int {
	out := make(map[int]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
