package plan

import (
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// PIVOT and UNPIVOT have no plan nodes of their own: PIVOT is a grouping
// with filtered aggregates, UNPIVOT a generator, as Spark's analyzer
// rewrites them (ResolvePivot, ResolveUnpivot). Both bind over an input
// already bound: the FROM clause before them, or a pipe's rows.

// pivot binds `PIVOT (aggs FOR cols IN (values) [GROUP BY keys])`. The
// keys are given, or they are the input's columns that neither the pivot
// columns nor the aggregates read; each value and aggregate makes one column, the aggregate over the
// group's rows whose pivot columns hold the value.
//
// Spark computes a pivot one of two ways, which differ on a value no row
// has: when every aggregate is numeric or boolean (PivotFirst's types) it
// aggregates per group and value and then picks, so a missing value gives
// NULL even for count; otherwise it aggregates `if(col <=> value, x,
// NULL)`, so count gives 0. Both are kept here, and so is the difference
// between them on a NULL pivot value: PivotFirst never matches it.
func (b *binder) pivot(in Node, sc scope, t *syntax.Pivot) (Node, scope, error) {
	pos := t.Position()
	used := map[int]bool{}
	forIdx := make([]int, len(t.For))
	for i, name := range t.For {
		idx, err := sc.lookup([]string{name}, pos)
		if err != nil {
			return nil, nil, err
		}
		forIdx[i], used[idx] = idx, true
	}
	for _, a := range t.Aggs {
		if _, ok := a.Expr.(*syntax.Star); ok || !containsAggregate(a.Expr) {
			return nil, nil, syntax.Errorf(a.Expr.Position(), "[NOT_AGGREGATE_EXPRESSION_IN_PIVOT] PIVOT takes aggregate expressions, not %s", a.Expr)
		}
	}
	// The aggregates bound once over the input: the columns they read
	// (not the names they spell: a lambda's parameter may share a
	// column's) leave the implicit keys, and their kinds decide which way
	// Spark computes the pivot.
	probe, psc, err := b.selectOn(in, sc, &syntax.Select{At: t.At, Items: t.Aggs}, selectOpts{})
	if err != nil {
		return nil, nil, err
	}
	aggInputs(probe, in, used)
	pickFirst := true
	for _, c := range psc {
		pickFirst = pickFirst && (c.Kind.IsNumeric() || c.Kind == types.Bool)
	}

	// The values, cast to their pivot columns' kinds, and their names.
	type value struct {
		consts []syntax.Expr // one per pivot column
		name   string
	}
	values := make([]value, len(t.Values))
	// Bound over the input, so that a column given as a value is named as
	// what it is, not as an unknown column.
	vc := &exprCtx{b: b, sc: sc, clause: "PIVOT"}
	for i, v := range t.Values {
		if len(v.Exprs) != len(t.For) {
			return nil, nil, syntax.Errorf(v.Exprs[0].Position(), "[PIVOT_VALUE_DATA_TYPE_MISMATCH] a PIVOT value needs %d parts, one per pivot column, got %d", len(t.For), len(v.Exprs))
		}
		var texts []string
		for j, x := range v.Exprs {
			e, err := vc.bind(x)
			if err != nil {
				return nil, nil, err
			}
			c, ok := e.(*Const)
			if !ok {
				return nil, nil, syntax.Errorf(x.Position(), "[NON_LITERAL_PIVOT_VALUES] PIVOT values must be constants, got %s", x)
			}
			k := sc[forIdx[j]].Kind
			cv, err := types.Cast(c.V, k)
			if err != nil {
				return nil, nil, syntax.Errorf(x.Position(), "[PIVOT_VALUE_DATA_TYPE_MISMATCH] the PIVOT value %s does not fit the pivot column %s's type %s: %v", x, syntax.QuoteIdent(t.For[j]), k, err)
			}
			values[i].consts = append(values[i].consts, constExpr(cv, x.Position()))
			texts = append(texts, pivotText(c.V))
		}
		values[i].name = v.Alias
		if v.Alias == "" {
			values[i].name = texts[0]
			if len(texts) > 1 {
				values[i].name = "{" + strings.Join(texts, ", ") + "}"
			}
		}
	}

	sel := &syntax.Select{At: t.At}
	for _, g := range t.GroupBy {
		sel.Items = append(sel.Items, g)
		sel.GroupBy = append(sel.GroupBy, g.Expr)
	}
	for i, c := range sc {
		if t.GroupBy != nil || c.Hidden || c.Shadow || used[i] {
			continue
		}
		ref := columnIdent(c, pos)
		sel.Items = append(sel.Items, syntax.SelectItem{Expr: ref, Alias: c.Name})
		sel.GroupBy = append(sel.GroupBy, ref)
	}
	keys := len(sel.Items)

	for _, v := range values {
		var match syntax.Expr
		for j, idx := range forIdx {
			op := "<=>"
			if pickFirst && len(forIdx) == 1 {
				op = "="
			}
			eq := &syntax.Binary{At: t.At, Op: op, L: columnIdent(sc[idx], pos), R: v.consts[j]}
			match = andExpr(match, eq)
		}
		for _, a := range t.Aggs {
			e, err := filterAggregates(a.Expr, match, !pickFirst)
			if err != nil {
				return nil, nil, err
			}
			if pickFirst {
				// NULL where the group has no row of this value.
				count := &syntax.Call{At: t.At, Name: "count", Args: []syntax.Expr{&syntax.Star{At: t.At}}, Filter: match}
				e = &syntax.Case{At: t.At, Whens: []syntax.When{{
					Cond:   &syntax.Binary{At: t.At, Op: ">", L: count, R: constExpr(types.IntValue(0), pos)},
					Result: e,
				}}}
			}
			name := v.name
			if len(t.Aggs) > 1 {
				name += "_" + nonEmpty(a.Alias, exprName(a.Expr))
			}
			sel.Items = append(sel.Items, syntax.SelectItem{Expr: e, Alias: name})
		}
	}
	if len(sel.Items) == keys {
		return nil, nil, syntax.Errorf(pos, "PIVOT makes no columns")
	}
	n, out, err := b.selectOn(in, sc, sel, selectOpts{})
	return n, out.qualify(t.Alias), err
}

// filterAggregates returns e with every aggregate call in it (outside
// windows and subqueries) restricted to the rows where match holds. With
// skipNulls, first, last and any_value also skip NULL arguments, as
// Spark's pivot makes them (First(if(…), ignoreNulls = true)).
func filterAggregates(e, match syntax.Expr, skipNulls bool) (syntax.Expr, error) {
	out, err := syntax.Rewrite(e, func(n syntax.Node) (syntax.Node, error) {
		call, ok := n.(*syntax.Call)
		if !ok || call.Over != nil {
			return n, nil
		}
		if _, agg := functions.LookupAggregate(call.Name); !agg {
			return n, nil
		}
		c := *call
		cond := andExpr(c.Filter, match)
		switch c.Name {
		case "first", "last", "any_value":
			if skipNulls && len(c.Args) == 1 {
				cond = andExpr(cond, &syntax.IsNull{At: c.At, X: c.Args[0], Not: true})
			}
		}
		c.Filter = cond
		return &c, nil
	})
	if err != nil {
		return nil, err
	}
	return out.(syntax.Expr), nil
}

// unpivot binds `UNPIVOT (vals FOR name IN (cols AS label, …))`: each
// input row becomes one row per IN entry, with the input's other columns,
// the entry's label and its columns' values (their common type), as an
// inline generator over an array of structs. EXCLUDE NULLS (the default)
// leaves out the rows whose values are all NULL.
func (b *binder) unpivot(in Node, sc scope, t *syntax.Unpivot) (Node, scope, error) {
	pos := t.Position()
	nv := len(t.ValueColumns)
	used := map[int]bool{}
	idx := make([][]int, len(t.Columns))
	kinds := make([]types.Kind, nv)
	for i, c := range t.Columns {
		if len(c.Names) != nv {
			return nil, nil, syntax.Errorf(pos, "[UNPIVOT_VALUE_SIZE_MISMATCH] every UNPIVOT entry needs %d columns, one per value column, got %d", nv, len(c.Names))
		}
		for j, parts := range c.Names {
			k, err := sc.lookup(parts, pos)
			if err != nil {
				return nil, nil, err
			}
			idx[i] = append(idx[i], k)
			used[k] = true
			kinds[j] = types.Widen(kinds[j], sc[k].Kind)
		}
	}
	for i := range t.Columns {
		for j, k := range idx[i] {
			if kinds[j] == types.String && sc[k].Kind != types.String && sc[k].Kind != types.Null {
				return nil, nil, syntax.Errorf(pos, "[UNPIVOT_VALUE_DATA_TYPE_MISMATCH] the columns unpivoted into %s have no common type (%s is %s)", syntax.QuoteIdent(t.ValueColumns[j]), syntax.QuoteIdent(sc[k].Name), sc[k].Kind)
			}
		}
	}

	// inline(array(named_struct('n', label, 'v0', CAST(c AS kind), …), …))
	entries := make([]syntax.Expr, len(t.Columns))
	for i, c := range t.Columns {
		label := c.Alias
		if label == "" {
			parts := make([]string, len(c.Names))
			for j, n := range c.Names {
				parts[j] = n[len(n)-1]
			}
			label = strings.Join(parts, "_")
		}
		args := []syntax.Expr{constExpr(types.StringValue("n"), pos), constExpr(types.StringValue(label), pos)}
		for j, k := range idx[i] {
			args = append(args, constExpr(types.StringValue(fmt.Sprintf("v%d", j)), pos),
				&syntax.Cast{At: t.At, X: columnIdent(sc[k], pos), Type: types.Type{Kind: kinds[j]}})
		}
		entries[i] = &syntax.Call{At: t.At, Name: "named_struct", Args: args}
	}
	gen := &syntax.Call{At: t.At, Name: "inline", Args: []syntax.Expr{&syntax.Call{At: t.At, Name: "array", Args: entries}}}
	c := &exprCtx{b: b, sc: sc, clause: "UNPIVOT"}
	g, err := c.generator(gen, false, append([]string{t.NameColumn}, t.ValueColumns...))
	if err != nil {
		return nil, nil, err
	}
	g.Input = in
	var out Node = g
	if !t.IncludeNulls {
		var allNull Expr
		for j := range nv {
			col := len(sc) + 1 + j
			allNull = and(allNull, &Op{Op: OpIsNull, Args: []Expr{&ColRef{Idx: col, Name: t.ValueColumns[j], K: kinds[j]}}, K: types.Bool})
		}
		out = &Filter{Input: out, Cond: &Op{Op: OpNot, Args: []Expr{allNull}, K: types.Bool}}
	}
	p := &Project{Input: out}
	var osc scope
	for i, col := range sc {
		if col.Hidden || col.Shadow || used[i] {
			continue
		}
		p.Exprs = append(p.Exprs, &ColRef{Idx: i, Name: col.Name, K: col.Kind})
		p.Names = append(p.Names, col.Name)
		osc = append(osc, scopeCol{Name: col.Name, Kind: col.Kind})
	}
	for j, gc := range g.Generated() {
		p.Exprs = append(p.Exprs, &ColRef{Idx: len(sc) + j, Name: gc.Name, K: gc.Kind})
		p.Names = append(p.Names, gc.Name)
		osc = append(osc, scopeCol{Name: gc.Name, Kind: gc.Kind})
	}
	return p, osc.qualify(t.Alias), nil
}

// aggInputs marks the columns of in that the aggregates bound over it
// read: their arguments, orderings and filters.
func aggInputs(n, in Node, used map[int]bool) {
	if a, ok := n.(*Aggregate); ok && a.Input == in {
		mark := func(e Expr) {
			if e == nil {
				return
			}
			Walk(e, func(x Expr) {
				if c, ok := x.(*ColRef); ok {
					used[c.Idx] = true
				}
			})
		}
		for _, call := range a.Aggs {
			mark(call.Arg)
			mark(call.Ord)
			mark(call.Filter)
		}
		return
	}
	for _, c := range n.Children() {
		aggInputs(c, in, used)
	}
}

// columnIdent is a reference to scope column c, qualified when it has a
// table.
func columnIdent(c scopeCol, pos syntax.Pos) *syntax.Ident {
	parts := strings.Split(c.Name, ".")
	if c.Table != "" {
		parts = append([]string{c.Table}, parts...)
	}
	return &syntax.Ident{At: syntax.At{P: pos}, Parts: parts}
}

// constExpr is a constant as syntax: a literal, or an interval literal.
func constExpr(v types.Value, pos syntax.Pos) syntax.Expr {
	if v.K.IsInterval() {
		return &syntax.Interval{At: syntax.At{P: pos}, Value: v}
	}
	return &syntax.Literal{At: syntax.At{P: pos}, Value: v}
}

// pivotText is a PIVOT value as its column's name: CAST(v AS STRING), and
// "null" for NULL, as Spark names them.
func pivotText(v types.Value) string {
	if v.IsNull() {
		return "null"
	}
	return functions.ToString(v)
}

// andExpr is a AND b, where a nil side is absent.
func andExpr(a, b syntax.Expr) syntax.Expr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &syntax.Binary{At: syntax.At{P: a.Position()}, Op: "AND", L: a, R: b}
}
