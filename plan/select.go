package plan

import (
	"slices"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/syntax"
)

type selectOpts struct {
	keepHidden bool // SELECT *, as in |> EXTEND, keeps hidden columns (still hidden)
	// pipeAggregate: the SELECT is |> AGGREGATE, whose GROUP BY items
	// begin its select list. It aggregates even without aggregate calls,
	// and a GROUP BY position numbers the input's columns.
	pipeAggregate bool
}

// item is one select-list entry after star expansion: an expression to
// bind, or an input column taken as it is.
type item struct {
	expr   syntax.Expr
	col    int // input column for star-expanded items, else -1
	name   string
	hidden bool
}

// winBase marks placeholder column indexes for window results, rewritten
// once the node under the Window is known.
const winBase = -1 << 20

// selectOn binds a SELECT block (or a pipe operator expressed as one) over
// an already bound input.
func (b *binder) selectOn(in Node, sc scope, sel *syntax.Select, opts selectOpts) (Node, scope, error) {
	if sel.Where != nil {
		c := &exprCtx{b: b, sc: sc, clause: "WHERE"}
		cond, err := c.bindBool(sel.Where)
		if err != nil {
			return nil, nil, err
		}
		in = &Filter{Input: in, Cond: cond}
	}
	in, sc, sel, err := b.timeWindows(in, sc, sel)
	if err != nil {
		return nil, nil, err
	}
	if in, sc, sel, err = b.selectGenerator(in, sc, sel); err != nil {
		return nil, nil, err
	}
	groupBy, setIDs := groupingKeys(sel)
	if len(groupBy) == 0 && len(setIDs) == 1 {
		// GROUPING SETS (()) is the global aggregation: one row even over
		// no input, as in Spark.
		setIDs = nil
	}
	hasAgg := opts.pipeAggregate || len(groupBy) > 0 || sel.GroupAll || sel.GroupingSets != nil || sel.Having != nil
	for _, it := range sel.Items {
		hasAgg = hasAgg || containsAggregate(it.Expr)
	}
	for _, o := range sel.OrderBy {
		hasAgg = hasAgg || containsAggregate(o.Expr)
	}
	// * passes hidden columns (and resolved nested paths) through, still
	// hidden, so a view or subquery over read_json(…) keeps _file and every
	// path of its source. Not under DISTINCT or aggregation, where they
	// would change which rows are equal.
	items, err := expandStars(lateralAliases(sel.Items, sc), sc, opts.keepHidden || (!sel.Distinct && !hasAgg))
	if err != nil {
		return nil, nil, err
	}

	c := &exprCtx{b: b, sc: sc, clause: "SELECT", win: &winState{}}
	var ag *aggState
	if hasAgg {
		ag = &aggState{pre: &exprCtx{b: b, sc: sc, clause: "GROUP BY"}, gid: -1, sets: sel.GroupingSets != nil}
		if sel.GroupAll {
			if err := ag.groupAll(items, sc); err != nil {
				return nil, nil, err
			}
		}
		for i, g := range groupBy {
			var bound Expr
			name := exprName(g)
			if opts.pipeAggregate {
				// |> AGGREGATE … GROUP BY 2 groups by the input's second
				// column, and an alias makes a number a constant (Spark's
				// pipe-operators.sql); select-list aliases are not visible.
				if idx, ok := ordinal(g); ok && sel.Items[i].Alias == "" {
					v := visible(sc)
					if idx < 1 || idx > len(v) {
						return nil, nil, syntax.Errorf(g.Position(), "GROUP BY position %d is not among the input's columns (1..%d)", idx, len(v))
					}
					j := v[idx-1]
					bound, name = &ColRef{Idx: j, Name: sc[j].Name, K: sc[j].Kind}, sc[j].Name
					items[i] = item{col: j, name: name}
				}
			} else if g, err = resolveGroupItem(g, items, sc); err != nil {
				return nil, nil, err
			}
			if bound == nil {
				if bound, err = ag.pre.bind(g); err != nil {
					return nil, nil, err
				}
			}
			if err := orderable(g.Position(), "group by", bound.Kind()); err != nil {
				return nil, nil, err
			}
			ag.groups = append(ag.groups, bound)
			ag.groupText = append(ag.groupText, bound.String())
			ag.groupNames = append(ag.groupNames, name)
		}
		if setIDs != nil {
			in = ag.expand(in, len(sc), setIDs)
		}
		c.agg = ag
	}

	exprs := make([]Expr, len(items))
	names := make([]string, len(items))
	aliases := map[string]Expr{}
	for i, it := range items {
		var e Expr
		if it.col >= 0 {
			col := &ColRef{Idx: it.col, Name: sc[it.col].Name, K: sc[it.col].Kind}
			e = col
			if ag != nil {
				if e, err = ag.mapBound(col, it.name, syntax.NoPos); err != nil {
					return nil, nil, err
				}
			}
		} else if e, err = c.bind(it.expr); err != nil {
			return nil, nil, err
		}
		exprs[i], names[i] = e, it.name
		aliases[strings.ToLower(it.name)] = e
	}

	// QUALIFY filters on window results (Spark: QUALIFY_REQUIRES_WINDOW_
	// FUNCTION, QUALIFY_AGGREGATE_NOT_ALLOWED); it sees the select list's
	// aliases, and its own window calls join the select list's.
	var qualify Expr
	if sel.Qualify != nil {
		if pos, ok := firstAggregate(sel.Qualify); ok {
			return nil, nil, syntax.Errorf(pos, "QUALIFY cannot hold an aggregate outside a window; filter on aggregates with HAVING")
		}
		qc := *c
		qc.clause, qc.aliases = "QUALIFY", aliases
		if qualify, err = qc.bindBool(sel.Qualify); err != nil {
			return nil, nil, err
		}
		if len(c.win.calls) == 0 {
			return nil, nil, syntax.Errorf(sel.Qualify.Position(), "QUALIFY needs a window function in the select list or in its condition; use WHERE or HAVING")
		}
	}

	var having Expr
	if sel.Having != nil {
		hc := *c
		hc.clause, hc.aliases, hc.win = "HAVING", aliases, nil
		if having, err = hc.bindBool(sel.Having); err != nil {
			return nil, nil, err
		}
	}

	// ORDER BY keys refer to output columns by position or alias, or are
	// expressions; those not in the select list ride along as extra columns
	// dropped after the sort.
	var keys []SortKey
	nOut := len(exprs)
	oc := *c
	oc.clause, oc.aliases = "ORDER BY", aliases
	windowed := len(c.win.calls) > 0
	for _, o := range sel.OrderBy {
		var e Expr
		if windowed && containsAggregate(o.Expr) {
			// Spark resolves ORDER BY above the window operator, where
			// an aggregate is no longer an expression it can compute
			// (UNSUPPORTED_EXPR_FOR_OPERATOR); its alias it can.
			return nil, nil, syntax.Errorf(o.Expr.Position(), "[UNSUPPORTED_EXPR_FOR_OPERATOR] a query with window functions cannot ORDER BY an aggregate: select it with an alias and order by the alias")
		}
		if idx, ok := ordinal(o.Expr); ok {
			if idx < 1 || idx > nOut {
				return nil, nil, syntax.Errorf(o.Expr.Position(), "ORDER BY position %d is not in the select list (1..%d)", idx, nOut)
			}
			e = exprs[idx-1]
		} else if e, err = oc.bind(o.Expr); err != nil {
			return nil, nil, err
		}
		if err := orderable(o.Expr.Position(), "order by", e.Kind()); err != nil {
			return nil, nil, err
		}
		keys = append(keys, sortKey(e, o))
	}

	var node Node = in
	if ag != nil {
		anames := append(append([]string{}, ag.groupNames...), ag.aggText...)
		node = &Aggregate{Input: in, Groups: ag.groups, Aggs: ag.aggs, Names: anames}
		if having != nil {
			node = &Filter{Input: node, Cond: having}
		}
	}
	if calls := c.win.calls; len(calls) > 0 {
		base := len(node.Schema())
		fix := func(e Expr) Expr {
			return Rewrite(e, func(x Expr) Expr {
				if r, ok := x.(*ColRef); ok && r.Idx < winBase/2 {
					n := *r
					n.Idx = base + (r.Idx - winBase)
					return &n
				}
				return x
			})
		}
		for i := range exprs {
			exprs[i] = fix(exprs[i])
		}
		for i := range keys {
			keys[i].Expr = fix(keys[i].Expr)
		}
		node = &Window{Input: node, Calls: calls, Names: c.win.names}
		if qualify != nil {
			node = &Filter{Input: node, Cond: fix(qualify)}
		}
	}

	// Sort keys become columns of the projection so the sort runs after it.
	projExprs, projNames := append([]Expr{}, exprs...), append([]string{}, names...)
	for i, k := range keys {
		found := -1
		for j, e := range exprs {
			if e.String() == k.Expr.String() {
				found = j
				break
			}
		}
		if found < 0 {
			if sel.Distinct {
				return nil, nil, syntax.Errorf(sel.OrderBy[i].Expr.Position(), "with SELECT DISTINCT, ORDER BY expressions must appear in the select list")
			}
			found = len(projExprs)
			projExprs = append(projExprs, k.Expr)
			projNames = append(projNames, "_order"+strconv.Itoa(i))
		}
		keys[i].Expr = &ColRef{Idx: found, Name: projNames[found], K: projExprs[found].Kind()}
	}
	node = &Project{Input: node, Exprs: projExprs, Names: projNames}
	if sel.Distinct {
		for _, e := range exprs {
			if err := orderable(sel.Position(), "select DISTINCT", e.Kind()); err != nil {
				return nil, nil, err
			}
		}
		node = &Distinct{Input: node}
	}
	if len(keys) > 0 {
		node = &Sort{Input: node, Keys: keys, Limit: -1}
	}
	if len(projExprs) > nOut {
		node = &Project{Input: node, Exprs: (scope(nil)).refsOf(node, nOut), Names: names}
	}
	out := make(scope, nOut)
	for i := range out {
		out[i] = scopeCol{Name: names[i], Kind: exprs[i].Kind(), Hidden: items[i].hidden}
		if c := items[i].col; c >= 0 && ag == nil {
			out[i].Path = sc[c].Path
		}
	}
	return b.limit(node, out, sel.Limit, sel.Offset)
}

// refsOf returns references to the first n columns of node.
func (scope) refsOf(node Node, n int) []Expr {
	s := node.Schema()
	out := make([]Expr, n)
	for i := 0; i < n; i++ {
		out[i] = &ColRef{Idx: i, Name: s[i].Name, K: s[i].Kind}
	}
	return out
}

func expandStars(in []syntax.SelectItem, sc scope, keepHidden bool) ([]item, error) {
	var out []item
	for _, it := range in {
		star, ok := it.Expr.(*syntax.Star)
		if !ok {
			name := it.Alias
			if name == "" {
				name = exprName(it.Expr)
			}
			out = append(out, item{expr: it.Expr, col: -1, name: name})
			continue
		}
		n := len(out)
		for i, c := range sc {
			if star.Table != "" && !strings.EqualFold(c.Table, star.Table) {
				continue
			}
			switch {
			case c.Shadow && star.Table != "":
				// b.* is all of b's columns, its own JOIN … USING key
				// included, as in Spark.
				out = append(out, item{col: i, name: c.Name})
				continue
			case c.Shadow:
				// * shows a JOIN … USING key once, merged.
				continue
			case c.Hidden && !keepHidden:
				continue
			}
			out = append(out, item{col: i, name: c.Name, hidden: c.Hidden})
		}
		if len(out) == n && star.Table != "" {
			return nil, syntax.Errorf(star.Position(), "unknown table %s in %s.*", syntax.QuoteIdent(star.Table), star.Table)
		}
	}
	return out, nil
}

// resolveGroupItem turns GROUP BY 2 and GROUP BY alias into the select
// item's expression, as Spark does (aliases only when no input column has
// the name). A position outside the select list is an error, as is one
// used with * in the select list (Spark's group-by-ordinal.sql), rather than
// a constant key.
func resolveGroupItem(g syntax.Expr, items []item, sc scope) (syntax.Expr, error) {
	if idx, ok := ordinal(g); ok {
		if idx < 1 || idx > len(items) {
			return nil, syntax.Errorf(g.Position(), "GROUP BY position %d is not in the select list (1..%d)", idx, len(items))
		}
		for _, it := range items {
			if it.expr == nil {
				return nil, syntax.Errorf(g.Position(), "GROUP BY position %d cannot be used with * in the select list", idx)
			}
		}
		return items[idx-1].expr, nil
	}
	if id, ok := g.(*syntax.Ident); ok && len(id.Parts) == 1 {
		if _, err := sc.lookup(id.Parts, syntax.NoPos); err != nil {
			for _, it := range items {
				if it.expr != nil && strings.EqualFold(it.name, id.Parts[0]) {
					return it.expr, nil
				}
			}
		}
	}
	return g, nil
}

// exprName is the column name Spark gives an unaliased expression.
func exprName(e syntax.Expr) string {
	switch e := e.(type) {
	case *syntax.Ident:
		return e.Parts[len(e.Parts)-1]
	case *syntax.Field:
		return e.Name
	case *syntax.Binary:
		return "(" + e.String() + ")"
	case *syntax.Call:
		if len(e.Args) == 1 && e.Over == nil {
			if _, ok := e.Args[0].(*syntax.Star); ok {
				return e.Name + "(1)"
			}
		}
	}
	return e.String()
}

// lateralAliases reads a name in a select item that is no input column
// but an earlier item's alias as that item's expression, as Spark's
// lateral column aliases do (SELECT x + 1 AS z, z * 2 AS w). An item
// keeps the name it would have had. Items with a subquery, and names a
// lambda of the item binds, are left alone.
func lateralAliases(items []syntax.SelectItem, sc scope) []syntax.SelectItem {
	aliases := map[string]syntax.Expr{}
	var out []syntax.SelectItem
	for i, it := range items {
		if len(aliases) > 0 && it.Expr != nil {
			if x, ok := substituteAliases(it.Expr, aliases, sc); ok {
				if out == nil {
					out = slices.Clone(items)
				}
				if it.Alias == "" {
					out[i].Alias = exprName(it.Expr)
				}
				out[i].Expr = x
				it.Expr = x
			}
		}
		if _, star := it.Expr.(*syntax.Star); it.Alias != "" && !star {
			if _, err := sc.lookup([]string{it.Alias}, syntax.NoPos); err != nil {
				aliases[strings.ToLower(it.Alias)] = it.Expr
			}
		}
	}
	if out == nil {
		return items
	}
	return out
}

// substituteAliases rewrites e's references to aliases; ok is false when
// there are none (or e holds a subquery).
func substituteAliases(e syntax.Expr, aliases map[string]syntax.Expr, sc scope) (syntax.Expr, bool) {
	bound := map[string]bool{}
	found, sub := false, false
	syntax.Inspect(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.SubqueryExpr:
			sub = true
		case *syntax.Lambda:
			for _, p := range n.Params {
				bound[strings.ToLower(p)] = true
			}
		case *syntax.Ident:
			if len(n.Parts) == 1 && aliases[strings.ToLower(n.Parts[0])] != nil {
				if _, err := sc.lookup(n.Parts, syntax.NoPos); err != nil {
					found = true
				}
			}
		}
		return !sub
	})
	if !found || sub {
		return e, false
	}
	x, err := syntax.Rewrite(e, func(n syntax.Node) (syntax.Node, error) {
		id, ok := n.(*syntax.Ident)
		if !ok || len(id.Parts) != 1 || bound[strings.ToLower(id.Parts[0])] {
			return n, nil
		}
		a := aliases[strings.ToLower(id.Parts[0])]
		if a == nil {
			return n, nil
		}
		if _, err := sc.lookup(id.Parts, syntax.NoPos); err == nil {
			return n, nil
		}
		return a, nil
	})
	if err != nil {
		return e, false
	}
	return x.(syntax.Expr), true
}
