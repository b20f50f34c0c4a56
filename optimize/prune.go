package optimize

import (
	"github.com/nectar-dev/nectar/plan"
)

// PruneColumns removes every column no ancestor reads, down to the scans,
// so sources read only the columns (JSON paths) the query needs.
//
// It walks the plan from the root down. Each node kind has one function
// below that is told which of its output columns are read (req), says
// which columns of its input it needs for them, prunes the input with
// that, and rebuilds itself over the pruned input: the shape of
// VictoriaLogs' per-pipe updateNeededFields, with the rewrite attached.
func PruneColumns(n plan.Node) plan.Node {
	all := allOf(n)
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
// the map from n's old column indexes to the new node's. Every prune*
// function has this contract.
func (p *pruner) prune(n plan.Node, req map[int]bool) (plan.Node, map[int]int) {
	switch n := n.(type) {
	case *plan.Shared:
		return p.pruneShared(n, req)
	case *plan.Scan:
		return pruneScan(n, req)
	case *plan.OneRow:
		return n, map[int]int{}
	case *plan.Filter:
		return p.pruneFilter(n, req)
	case *plan.Project:
		return p.pruneProject(n, req)
	case *plan.Aggregate:
		return p.pruneAggregate(n, req)
	case *plan.Window:
		return p.pruneWindow(n, req)
	case *plan.Sort:
		return p.pruneSort(n, req)
	case *plan.Limit:
		return p.pruneLimit(n, req)
	case *plan.Distinct:
		return p.pruneDistinct(n)
	case *plan.SetOp:
		return p.pruneSetOp(n)
	case *plan.Join:
		return p.pruneJoin(n, req)
	case *plan.Watermark:
		return p.pruneWatermark(n, req)
	case *plan.TimeWindows:
		return p.pruneTimeWindows(n, req)
	case *plan.Generate:
		return p.pruneGenerate(n, req)
	case *plan.Expand:
		return p.pruneExpand(n, req)
	}
	// A node kind without a function here keeps its input whole.
	return n, identity(len(n.Schema()))
}

// pruneShared: the subplan needs the union of what every reference reads
// (p.need, grown here); this reference passes on only what it reads.
func (p *pruner) pruneShared(n *plan.Shared, req map[int]bool) (plan.Node, map[int]int) {
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
}

// pruneScan is where pruning pays: the source reads only the required
// columns. Pushed filters that read a dropped column are dropped with it
// (the Filter above still holds them).
func pruneScan(n *plan.Scan, req map[int]bool) (plan.Node, map[int]int) {
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
}

// pruneFilter needs what is read above it plus the condition's columns.
func (p *pruner) pruneFilter(n *plan.Filter, req map[int]bool) (plan.Node, map[int]int) {
	need := copySet(req)
	plan.Columns(n.Cond, need)
	in, m := p.prune(n.Input, need)
	return &plan.Filter{Input: in, Cond: plan.Remap(n.Cond, m)}, m
}

// pruneWatermark passes the required columns through; a stream reads
// the event time, so it needs its columns too.
func (p *pruner) pruneWatermark(n *plan.Watermark, req map[int]bool) (plan.Node, map[int]int) {
	need := copySet(req)
	plan.Columns(n.Time, need)
	in, m := p.prune(n.Input, need)
	w := *n
	w.Input, w.Time = in, plan.Remap(n.Time, m)
	return &w, m
}

// pruneTimeWindows needs the required input columns and those of the
// event time; the two bounds it adds follow the input's.
func (p *pruner) pruneTimeWindows(n *plan.TimeWindows, req map[int]bool) (plan.Node, map[int]int) {
	width := len(n.Input.Schema())
	need := map[int]bool{}
	for i := range req {
		if i < width {
			need[i] = true
		}
	}
	plan.Columns(n.Time, need)
	in, m := p.prune(n.Input, need)
	out := copyMap(m)
	w := len(in.Schema())
	out[width], out[width+1] = w, w+1
	return &plan.TimeWindows{Input: in, Time: plan.Remap(n.Time, m), Size: n.Size, Slide: n.Slide}, out
}

// pruneGenerate needs the required input columns and its argument's;
// the columns it makes follow the input's.
func (p *pruner) pruneGenerate(n *plan.Generate, req map[int]bool) (plan.Node, map[int]int) {
	width := len(n.Input.Schema())
	need := map[int]bool{}
	for i := range req {
		if i < width {
			need[i] = true
		}
	}
	plan.Columns(n.Arg, need)
	in, m := p.prune(n.Input, need)
	out := copyMap(m)
	w := len(in.Schema())
	for j := range len(n.Schema()) - width {
		out[width+j] = w + j
	}
	g := *n
	g.Input, g.Arg = in, plan.Remap(n.Arg, m)
	return &g, out
}

// pruneExpand passes on the input columns read above it and needs the
// keys' columns; it keeps every key, id and position column it makes
// (they define the groups above).
func (p *pruner) pruneExpand(n *plan.Expand, req map[int]bool) (plan.Node, map[int]int) {
	width := len(n.Input.Schema())
	need := map[int]bool{}
	for i := range req {
		if i < width {
			need[i] = true
		}
	}
	for _, k := range n.Keys {
		plan.Columns(k, need)
	}
	in, m := p.prune(n.Input, need)
	out := copyMap(m)
	w := len(in.Schema())
	for i := width; i < len(n.Schema()); i++ {
		out[i] = w + i - width
	}
	keys := make([]plan.Expr, len(n.Keys))
	for i, k := range n.Keys {
		keys[i] = plan.Remap(k, m)
	}
	return &plan.Expand{Input: in, Keys: keys, Names: n.Names, Sets: n.Sets, Positions: n.Positions}, out
}

// pruneProject keeps the required expressions only, and needs their
// columns.
func (p *pruner) pruneProject(n *plan.Project, req map[int]bool) (plan.Node, map[int]int) {
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
}

// pruneAggregate keeps every grouping key (they define the groups) and
// the required aggregates; it needs the columns of both.
func (p *pruner) pruneAggregate(n *plan.Aggregate, req map[int]bool) (plan.Node, map[int]int) {
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
		addColumns(need, a.Arg, a.Ord, a.Filter)
	}
	in, im := p.prune(n.Input, need)
	groups := make([]plan.Expr, ng)
	for i, g := range n.Groups {
		groups[i] = plan.Remap(g, im)
	}
	for i := range aggs {
		aggs[i].Arg = remapOpt(aggs[i].Arg, im)
		aggs[i].Ord = remapOpt(aggs[i].Ord, im)
		aggs[i].Filter = remapOpt(aggs[i].Filter, im)
	}
	return &plan.Aggregate{Input: in, Groups: groups, Aggs: aggs, Names: names}, m
}

// pruneWindow passes the required input columns through and keeps the
// required window calls, needing their arguments, filters, partitions and
// orders. With no call required, the window disappears.
func (p *pruner) pruneWindow(n *plan.Window, req map[int]bool) (plan.Node, map[int]int) {
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
		addColumns(need, c.Args...)
		addColumns(need, c.Filter)
		addColumns(need, c.PartitionBy...)
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
}

// pruneSort needs what is read above it plus the keys' columns.
func (p *pruner) pruneSort(n *plan.Sort, req map[int]bool) (plan.Node, map[int]int) {
	need := copySet(req)
	for _, k := range n.Keys {
		plan.Columns(k.Expr, need)
	}
	in, m := p.prune(n.Input, need)
	return &plan.Sort{Input: in, Keys: remapKeys(n.Keys, m), Limit: n.Limit}, m
}

// pruneLimit needs exactly what is read above it.
func (p *pruner) pruneLimit(n *plan.Limit, req map[int]bool) (plan.Node, map[int]int) {
	in, m := p.prune(n.Input, req)
	return &plan.Limit{Input: in, Count: n.Count, Offset: n.Offset}, m
}

// pruneDistinct needs every input column: all of them decide which rows
// are distinct.
func (p *pruner) pruneDistinct(n *plan.Distinct) (plan.Node, map[int]int) {
	in, m := p.prune(n.Input, allOf(n.Input))
	return &plan.Distinct{Input: in}, m
}

// pruneSetOp needs every column of both sides: rows are compared whole,
// and UNION ALL lines the sides up by position.
func (p *pruner) pruneSetOp(n *plan.SetOp) (plan.Node, map[int]int) {
	l, _ := p.prune(n.Left, allOf(n.Left))
	r, _ := p.prune(n.Right, allOf(n.Right))
	c := *n
	c.Left, c.Right = l, r
	return &c, identity(len(n.Names))
}

// pruneJoin splits what is read above it between the sides (a semi or
// anti join outputs the left side only), and each side also needs its
// keys' columns and its share of the residual condition's.
func (p *pruner) pruneJoin(n *plan.Join, req map[int]bool) (plan.Node, map[int]int) {
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
	addColumns(lneed, n.LeftKeys...)
	addColumns(rneed, n.RightKeys...)
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
	j.Residual = remapOpt(n.Residual, m)
	if semi {
		return j, lm
	}
	return j, m
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
	c.Args, c.PartitionBy, c.OrderBy = args, parts, remapKeys(c.OrderBy, m)
	c.Filter = remapOpt(c.Filter, m)
	return c
}

// remapKeys returns sort keys over the pruned input in a new slice,
// leaving the old plan's untouched: plans are immutable.
func remapKeys(keys []plan.SortKey, m map[int]int) []plan.SortKey {
	out := make([]plan.SortKey, len(keys))
	for i, k := range keys {
		k.Expr = plan.Remap(k.Expr, m)
		out[i] = k
	}
	return out
}

// addColumns adds the columns the expressions read to need; nil
// expressions (an absent FILTER, count(*)'s argument) read none.
func addColumns(need map[int]bool, es ...plan.Expr) {
	for _, e := range es {
		if e != nil {
			plan.Columns(e, need)
		}
	}
}

// remapOpt remaps an optional expression, leaving nil as nil.
func remapOpt(e plan.Expr, m map[int]int) plan.Expr {
	if e == nil {
		return nil
	}
	return plan.Remap(e, m)
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
