package plan

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Catalog is what the binder needs to know about names: views and named
// sources by name, and table functions by call.
type Catalog interface {
	// Table returns a view's query or a named source.
	Table(name string) (view syntax.Query, src Source, ok bool)
	// TableFunc opens read_json(…), read_parquet(…) and friends.
	TableFunc(ctx context.Context, call TableCall) (Source, error)
}

// TableCall is a table function call with constant arguments.
type TableCall struct {
	Name  string                 // lower case
	Args  []types.Value          // positional
	Named map[string]types.Value // by lower-cased name
}

// String is the call as query text, read_json('x', schema => 'a INT'): the
// same call always prints the same, so it can key a cache.
func (c TableCall) String() string {
	var b strings.Builder
	b.WriteString(c.Name)
	b.WriteByte('(')
	for i, a := range c.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(syntax.FormatValue(a))
	}
	names := make([]string, 0, len(c.Named))
	for n := range c.Named {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		if i > 0 || len(c.Args) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(syntax.QuoteIdent(n) + " => " + syntax.FormatValue(c.Named[n]))
	}
	b.WriteByte(')')
	return b.String()
}

// bindOnce binds q and lists the open-schema sources it read.
func bindOnce(ctx context.Context, cat Catalog, q syntax.Query, admitted map[OpenSchema][]admittedName) (Node, []openRef, error) {
	b := &binder{ctx: ctx, cat: cat, paths: map[string]bool{}, admitted: admitted}
	collectPaths(q, b.paths)
	n, sc, err := b.query(q)
	if err != nil {
		return nil, b.open, err
	}
	// Hidden columns that rode along (SELECT * keeps them) end here.
	if v := visible(sc); len(v) < len(sc) {
		exprs := make([]Expr, len(v))
		names := make([]string, len(v))
		for i, j := range v {
			exprs[i], names[i] = &ColRef{Idx: j, Name: sc[j].Name, K: sc[j].Kind}, sc[j].Name
		}
		n = &Project{Input: n, Exprs: exprs, Names: names}
	}
	return n, b.open, nil
}

type binder struct {
	ctx        context.Context
	cat        Catalog
	ctes       []map[string]*cte
	nextShared int
	paths      map[string]bool // every name the statement mentions, for sources to resolve nested paths up front
	depth      int
	open       []openRef                     // the open-schema sources read, for names that resolve nowhere
	admitted   map[OpenSchema][]admittedName // names admitted to them as provisional columns
}

// query binds any query form to a node and the scope of its output.
func (b *binder) query(q syntax.Query) (Node, scope, error) {
	b.depth++
	defer func() { b.depth-- }()
	if b.depth > 64 {
		return nil, nil, syntax.Errorf(q.Position(), "query nests too deeply (a view that refers to itself?)")
	}
	switch q := q.(type) {
	case *syntax.Select:
		var in Node
		var sc scope
		if q.From == nil {
			in = &OneRow{}
		} else {
			var err error
			if in, sc, err = b.from(q.From); err != nil {
				return nil, nil, err
			}
		}
		return b.selectOn(in, sc, q, selectOpts{})
	case *syntax.FromQuery:
		return b.from(q.From)
	case *syntax.Values:
		return b.values(q)
	case *syntax.With:
		m := map[string]*cte{}
		b.ctes = append(b.ctes, m)
		defer func() { b.ctes = b.ctes[:len(b.ctes)-1] }()
		var defs []*cte
		for _, c := range q.CTEs {
			collectPaths(c.Query, b.paths)
			refs := countTableRefs(q.Body, c.Name)
			for _, other := range q.CTEs {
				refs += countTableRefs(other.Query, c.Name)
			}
			// A WITH query sees the ones defined before it, as in Spark.
			d := &cte{name: c.Name, q: c.Query, cols: c.Columns, refs: refs, vis: maps.Clone(m)}
			m[strings.ToLower(c.Name)] = d
			defs = append(defs, d)
		}
		for _, d := range defs {
			if d.refs == 0 {
				// Spark analyses a WITH query nobody reads too: its
				// errors (an unknown table) are the statement's.
				if _, _, err := b.withQuery(d, len(b.ctes)-1); err != nil {
					return nil, nil, err
				}
			}
		}
		return b.query(q.Body)
	case *syntax.SetOp:
		n, sc, err := b.setOp(q.Op, q.All, q.Left, q.Right, q.Position())
		if err != nil {
			return nil, nil, err
		}
		return b.orderLimit(n, sc, q.OrderBy, q.Limit, q.Offset)
	case *syntax.Pipe:
		in, sc, err := b.query(q.Input)
		if err != nil {
			return nil, nil, err
		}
		return b.pipe(in, sc, q.Op)
	}
	return nil, nil, syntax.Errorf(q.Position(), "unsupported query form %T", q)
}

// ---- FROM ----

func (b *binder) from(t syntax.TableExpr) (Node, scope, error) {
	switch t := t.(type) {
	case *syntax.TableName:
		alias := nonEmpty(t.Alias, lastPart(t.Name))
		for i := len(b.ctes) - 1; i >= 0; i-- {
			if c, ok := b.ctes[i][strings.ToLower(t.Name)]; ok {
				n, sc, err := b.withQuery(c, i)
				return n, sc.qualify(alias), err
			}
		}
		view, src, ok := b.cat.Table(t.Name)
		if !ok {
			e := syntax.Errorf(t.Position(), "unknown table %s", syntax.QuoteIdent(t.Name))
			e.Hint = "read files with read_json('path/**/*.gz') or name a source in nectar.yaml"
			return nil, nil, e
		}
		if view != nil {
			// A view means what it meant where it was defined: the WITH
			// queries around this reference must not capture the tables
			// it names (Spark: sql-tests cte.sql, a view read under a CTE
			// of the same name as its table).
			collectPaths(view, b.paths)
			saved, mark := b.ctes, len(b.open)
			b.ctes = nil
			n, sc, err := b.query(view)
			b.ctes = saved
			b.aliasOpen(mark, alias)
			return n, sc.qualify(alias), err
		}
		return b.scan(src, alias)
	case *syntax.TableFunc:
		call, err := constantCall(t)
		if err != nil {
			return nil, nil, err
		}
		src, err := b.cat.TableFunc(b.ctx, call)
		if err != nil {
			return nil, nil, &syntax.Error{Pos: t.Position(), Msg: err.Error(), Err: err}
		}
		return b.scan(src, t.Alias)
	case *syntax.SubqueryTable:
		mark := len(b.open)
		n, sc, err := b.query(t.Query)
		b.aliasOpen(mark, t.Alias)
		if err == nil && t.Columns != nil {
			n, sc, err = renameColumns(n, sc, t.Columns, t.Position())
		}
		return n, sc.qualify(t.Alias), err
	case *syntax.Values:
		return b.values(t)
	case *syntax.WatermarkTable:
		return b.watermark(t)
	case *syntax.LateralView:
		return b.lateralView(t)
	case *syntax.Pivot:
		in, sc, err := b.from(t.Input)
		if err != nil {
			return nil, nil, err
		}
		return b.pivot(in, sc, t)
	case *syntax.Unpivot:
		in, sc, err := b.from(t.Input)
		if err != nil {
			return nil, nil, err
		}
		return b.unpivot(in, sc, t)
	case *syntax.Join:
		left, ls, err := b.from(t.Left)
		if err != nil {
			return nil, nil, err
		}
		if t.Natural {
			return b.naturalJoin(left, ls, t.Kind, t.Right, t.Position())
		}
		return b.join(left, ls, t.Kind, t.Right, t.On, t.Using, t.Position())
	}
	return nil, nil, syntax.Errorf(t.Position(), "unsupported FROM item %T", t)
}

// aliasOpen gives alias to the open-schema source read since mark, when
// there is exactly one and it has none: FROM logs, a view over
// read_json(…), qualifies that source's names as logs.name.
func (b *binder) aliasOpen(mark int, alias string) {
	if alias != "" && len(b.open) == mark+1 && b.open[mark].alias == "" {
		b.open[mark].alias = alias
	}
}

func lastPart(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// scan makes a Scan of every column of src: the ones SELECT * sees, its
// hidden ones, and every nested path the statement mentions that src can
// resolve. Column pruning later keeps only what the query uses.
func (b *binder) scan(src Source, alias string) (Node, scope, error) {
	cols := append([]SourceColumn{}, src.Columns()...)
	have := map[string]bool{}
	for _, c := range cols {
		have[strings.ToLower(c.Name)] = true
	}
	for _, p := range sortedKeys(b.paths) {
		if have[strings.ToLower(p)] {
			continue
		}
		if k, ok := src.Resolve(p); ok {
			cols = append(cols, SourceColumn{Name: p, Kind: k, Hidden: true})
			have[strings.ToLower(p)] = true
		}
	}
	if o, ok := src.(OpenSchema); ok {
		for _, a := range b.admitted[o] {
			if !have[strings.ToLower(a.path)] {
				cols = append(cols, SourceColumn{Name: a.path, Kind: a.kind, Hidden: true, Provisional: true})
				have[strings.ToLower(a.path)] = true
			}
		}
	}
	sc := make(scope, len(cols))
	for i, c := range cols {
		sc[i] = scopeCol{Table: alias, Name: c.Name, Kind: c.Kind, Hidden: c.Hidden, Path: true}
	}
	if o, ok := src.(OpenSchema); ok {
		b.open = append(b.open, openRef{o, alias})
	}
	return &Scan{Source: src, Columns: cols}, sc, nil
}

// joinKinds converts the syntax tree's join kinds to the plan's; the
// parser makes no others.
var joinKinds = map[syntax.JoinKind]JoinKind{
	syntax.InnerJoin: InnerJoin, syntax.LeftJoin: LeftJoin, syntax.RightJoin: RightJoin, syntax.FullJoin: FullJoin,
	syntax.SemiJoin: SemiJoin, syntax.AntiJoin: AntiJoin, syntax.CrossJoin: CrossJoin,
}

func (b *binder) join(left Node, ls scope, kind syntax.JoinKind, right syntax.TableExpr, on syntax.Expr, using []string, pos syntax.Pos) (Node, scope, error) {
	rn, rs, err := b.from(right)
	if err != nil {
		return nil, nil, err
	}
	if len(using) > 0 {
		return b.usingJoin(left, ls, kind, rn, rs, using, pos)
	}
	all := append(append(scope{}, ls...), rs...)
	var cond Expr
	if on != nil {
		c := &exprCtx{b: b, sc: all, clause: "ON"}
		if cond, err = c.bindBool(on); err != nil {
			return nil, nil, err
		}
	}
	// Without ON every pair of rows matches, as in Spark: JOIN t is CROSS
	// JOIN t, and LEFT JOIN t keeps unmatched rows only when t is empty.
	j := &Join{Left: left, Right: rn, Kind: joinKinds[kind]}
	j.LeftKeys, j.RightKeys, j.Residual = splitEquiKeys(cond, len(ls))
	if kind == syntax.SemiJoin || kind == syntax.AntiJoin {
		return j, ls, nil
	}
	// Kinds stay for outer joins: a missing match is a NULL of the
	// column's kind.
	return j, all, nil
}

// naturalJoin binds NATURAL JOIN as JOIN … USING the visible columns both
// sides have, in the left side's order (Spark's commonNaturalJoinProcessing);
// with none in common it is a cross join.
func (b *binder) naturalJoin(left Node, ls scope, kind syntax.JoinKind, right syntax.TableExpr, pos syntax.Pos) (Node, scope, error) {
	rn, rs, err := b.from(right)
	if err != nil {
		return nil, nil, err
	}
	var using []string
	for _, i := range visible(ls) {
		for _, j := range visible(rs) {
			if strings.EqualFold(ls[i].Name, rs[j].Name) {
				using = append(using, ls[i].Name)
				break
			}
		}
	}
	if len(using) == 0 {
		all := append(append(scope{}, ls...), rs...)
		return &Join{Left: left, Right: rn, Kind: joinKinds[kind]}, all, nil
	}
	return b.usingJoin(left, ls, kind, rn, rs, using, pos)
}

// usingJoin binds JOIN … USING (keys) as Spark does (Analyzer's
// commonNaturalJoinProcessing; sql-tests using-join.sql): a projection over
// the join puts one column per key first, then every column of the left
// side and, unless the join is a semi or anti join, of the right side. The
// key is the left side's for inner, left, semi and anti joins, the right
// side's for right joins, and coalesce(left, right) for full joins, so a
// row found on one side only still shows its key. Each side's own key
// columns stay in place, hidden and marked Shadow: a qualified name (b.k)
// or star (b.*) reaches them, a bare k and * mean the merged key.
func (b *binder) usingJoin(left Node, ls scope, kind syntax.JoinKind, rn Node, rs scope, using []string, pos syntax.Pos) (Node, scope, error) {
	var cond Expr
	var keys []Expr
	var keyScope scope
	lkeys, rkeys := map[int]bool{}, map[int]bool{}
	for _, name := range using {
		li, err := ls.lookup([]string{name}, pos)
		if err != nil {
			return nil, nil, err
		}
		ri, err := rs.lookup([]string{name}, pos)
		if err != nil {
			return nil, nil, err
		}
		l := &ColRef{Idx: li, Name: ls[li].Name, K: ls[li].Kind}
		r := &ColRef{Idx: len(ls) + ri, Name: rs[ri].Name, K: rs[ri].Kind}
		eq, err := b.compare(syntax.NoPos, OpEq, l, r)
		if err != nil {
			return nil, nil, err
		}
		cond = and(cond, eq)
		lkeys[li], rkeys[ri] = true, true
		var key Expr = l
		switch kind {
		case syntax.RightJoin:
			key = r
		case syntax.FullJoin:
			k := types.Widen(l.K, r.K)
			key = &Op{Op: OpCoalesce, Args: []Expr{castExpr(l, k), castExpr(r, k)}, K: k}
		}
		keys = append(keys, key)
		keyScope = append(keyScope, scopeCol{Name: ls[li].Name, Kind: key.Kind()})
		if kind == syntax.RightJoin {
			keyScope[len(keyScope)-1].Name = rs[ri].Name
		}
	}
	j := &Join{Left: left, Right: rn, Kind: joinKinds[kind]}
	j.LeftKeys, j.RightKeys, j.Residual = splitEquiKeys(cond, len(ls))
	sides := ls
	if kind != syntax.SemiJoin && kind != syntax.AntiJoin {
		sides = append(append(scope{}, ls...), rs...)
	}
	exprs := append(keys, sides.refs()...)
	out := append(keyScope, sides...)
	for i := range sides {
		if i < len(ls) && lkeys[i] || i >= len(ls) && rkeys[i-len(ls)] {
			out[len(keys)+i].Hidden, out[len(keys)+i].Shadow = true, true
		}
	}
	names := make([]string, len(out))
	for i, c := range out {
		names[i] = c.Name
	}
	return &Project{Input: j, Exprs: exprs, Names: names}, out, nil
}

func and(a, b Expr) Expr {
	if a == nil {
		return b
	}
	return &Op{Op: OpAnd, Args: []Expr{a, b}, K: types.Bool}
}

// splitEquiKeys pulls "left = right" conjuncts out of cond so the executor
// can hash-join on them; what remains is the residual condition.
func splitEquiKeys(cond Expr, nLeft int) (lk, rk []Expr, residual Expr) {
	var conj []Expr
	var flatten func(Expr)
	flatten = func(e Expr) {
		if o, ok := e.(*Op); ok && o.Op == OpAnd {
			flatten(o.Args[0])
			flatten(o.Args[1])
			return
		}
		conj = append(conj, e)
	}
	if cond != nil {
		flatten(cond)
	}
	for _, c := range conj {
		if o, ok := c.(*Op); ok && o.Op == OpEq {
			l, r := side(o.Args[0], nLeft), side(o.Args[1], nLeft)
			if l == 1 && r == 2 {
				lk, rk = append(lk, o.Args[0]), append(rk, Shift(o.Args[1], -nLeft))
				continue
			}
			if l == 2 && r == 1 {
				lk, rk = append(lk, o.Args[1]), append(rk, Shift(o.Args[0], -nLeft))
				continue
			}
		}
		residual = and(residual, c)
	}
	return lk, rk, residual
}

// side reports whether e reads only left columns (1), only right (2),
// neither or both (0).
func side(e Expr, nLeft int) int {
	cols := map[int]bool{}
	Columns(e, cols)
	s := 0
	for i := range cols {
		cur := 1
		if i >= nLeft {
			cur = 2
		}
		if s != 0 && s != cur {
			return 0
		}
		s = cur
	}
	return s
}

// ---- set operations ----

func (b *binder) setOp(op string, all bool, lq, rq syntax.Query, pos syntax.Pos) (Node, scope, error) {
	l, ls, err := b.query(lq)
	if err != nil {
		return nil, nil, err
	}
	r, rs, err := b.query(rq)
	if err != nil {
		return nil, nil, err
	}
	return b.combine(op, all, l, ls, r, rs, pos)
}

func (b *binder) combine(op string, all bool, l Node, ls scope, r Node, rs scope, pos syntax.Pos) (Node, scope, error) {
	lv, rv := visible(ls), visible(rs)
	if len(lv) != len(rv) {
		return nil, nil, syntax.Errorf(pos, "%s needs the same number of columns on both sides, got %d and %d", op, len(lv), len(rv))
	}
	kinds := make([]types.Kind, len(lv))
	for i := range lv {
		k, ok := setOpKind(ls[lv[i]].Kind, rs[rv[i]].Kind)
		if !ok {
			return nil, nil, syntax.Errorf(pos, "[INCOMPATIBLE_COLUMN_TYPE] %s can only be performed on columns of compatible types: column %d is %s on the left and %s on the right", op, i+1, ls[lv[i]].Kind, rs[rv[i]].Kind)
		}
		kinds[i] = k
	}
	l, r = castTo(l, ls, lv, kinds), castTo(r, rs, rv, kinds)
	names := make([]string, len(lv))
	out := make(scope, len(lv))
	for i, j := range lv {
		names[i] = ls[j].Name
		out[i] = scopeCol{Name: ls[j].Name, Kind: kinds[i]}
	}
	return &SetOp{Op: op, All: all, Left: l, Right: r, Names: names, Kinds: kinds}, out, nil
}

// setOpKind is the kind a column of a UNION, INTERSECT or EXCEPT takes,
// as Spark 4's ANSI coercion (AnsiTypeCoercion.findWiderTypeForTwo) finds
// it: a STRING beside a number, boolean, date, timestamp or binary is
// cast to that type (so 'a' UNION 1 fails as CAST('a' AS BIGINT) does),
// and kinds with no common type (a number and a boolean, an array and a
// number) are an error rather than STRING.
func setOpKind(a, b types.Kind) (types.Kind, bool) {
	switch {
	case a == b || b == types.Null:
		return a, true
	case a == types.Null:
		return b, true
	case a == types.String && b != types.String:
		return stringPromotion(b)
	case b == types.String:
		return stringPromotion(a)
	}
	w := types.Widen(a, b)
	return w, w != types.String || a == types.String || b == types.String
}

// stringPromotion is the type a STRING beside k takes: k itself for the
// scalar kinds; none for intervals (which one?) and nested kinds.
func stringPromotion(k types.Kind) (types.Kind, bool) {
	if k.IsInterval() || k.IsNested() {
		return types.Null, false
	}
	return k, true
}

func visible(s scope) []int {
	var out []int
	for i, c := range s {
		if !c.Hidden {
			out = append(out, i)
		}
	}
	return out
}

// castTo projects the columns idx of n, cast to kinds where they differ.
func castTo(n Node, s scope, idx []int, kinds []types.Kind) Node {
	exprs := make([]Expr, len(idx))
	names := make([]string, len(idx))
	for i, j := range idx {
		var e Expr = &ColRef{Idx: j, Name: s[j].Name, K: s[j].Kind}
		if s[j].Kind != kinds[i] {
			e = &Op{Op: OpCast, Args: []Expr{e}, K: kinds[i]}
		}
		exprs[i], names[i] = e, s[j].Name
	}
	return &Project{Input: n, Exprs: exprs, Names: names}
}

// ---- pipe operators ----

func (b *binder) pipe(in Node, sc scope, op syntax.PipeOp) (Node, scope, error) {
	switch op := op.(type) {
	case *syntax.PipeWhere:
		c := &exprCtx{b: b, sc: sc, clause: "WHERE"}
		cond, err := c.bindBool(op.Cond)
		if err != nil {
			return nil, nil, err
		}
		return &Filter{Input: in, Cond: cond}, sc, nil
	case *syntax.PipeSelect:
		// A position in |> SELECT … GROUP BY numbers the input's columns,
		// as in Spark; it is read as that column's name here.
		var groupBy []syntax.Expr
		for _, g := range op.GroupBy {
			if idx, ok := ordinal(g); ok {
				v := visible(sc)
				if idx < 1 || idx > len(v) {
					return nil, nil, syntax.Errorf(g.Position(), "GROUP BY position %d is not among the input's columns (1..%d)", idx, len(v))
				}
				g = &syntax.Ident{At: syntax.At{P: g.Position()}, Parts: []string{sc[v[idx-1]].Name}}
			}
			groupBy = append(groupBy, g)
		}
		return b.selectOn(in, sc, &syntax.Select{At: op.At, Distinct: op.Distinct, Items: op.Items, GroupBy: groupBy}, selectOpts{})
	case *syntax.PipeExtend:
		for _, it := range op.Items {
			if st, ok := it.Expr.(*syntax.Star); ok {
				return nil, nil, syntax.Errorf(st.Position(), "[INVALID_USAGE_OF_STAR_OR_REGEX] |> EXTEND adds expressions; * is not one (the input's columns are kept anyway)")
			}
		}
		items := append([]syntax.SelectItem{{Expr: &syntax.Star{At: op.At}}}, op.Items...)
		return b.selectOn(in, sc, &syntax.Select{At: op.At, Items: items}, selectOpts{keepHidden: true})
	case *syntax.PipeSet:
		// Assignments apply in order, each seeing the ones before it, as
		// Spark's |> SET does (SET z = x + 1, zz = z + 1 reads the new z).
		for i, name := range op.Names {
			c := &exprCtx{b: b, sc: sc, clause: "SET"}
			idx, err := sc.lookup([]string{name}, op.Position())
			if err != nil {
				return nil, nil, notAdmissible(err)
			}
			e, err := c.bind(op.Exprs[i])
			if err != nil {
				return nil, nil, err
			}
			exprs, names := sc.refs(), sc.names()
			out := append(scope{}, sc...)
			exprs[idx] = e
			out[idx].Kind = e.Kind()
			in, sc = &Project{Input: in, Exprs: exprs, Names: names}, out
		}
		return in, sc, nil
	case *syntax.PipeDrop:
		drop := map[int]bool{}
		for _, name := range op.Names {
			idx, err := sc.lookup(strings.Split(name, "."), op.Position())
			if err != nil {
				return nil, nil, notAdmissible(err)
			}
			if drop[idx] {
				return nil, nil, syntax.Errorf(op.Position(), "[EXCEPT_OVERLAPPING_COLUMNS] |> DROP names %s twice", name)
			}
			drop[idx] = true
		}
		var exprs []Expr
		var names []string
		var out scope
		for i, c := range sc {
			if !drop[i] {
				exprs = append(exprs, &ColRef{Idx: i, Name: c.Name, K: c.Kind})
				names = append(names, c.Name)
				out = append(out, c)
			}
		}
		return &Project{Input: in, Exprs: exprs, Names: names}, out, nil
	case *syntax.PipeAs:
		return in, sc.qualify(op.Alias), nil
	case *syntax.PipeAggregate:
		sel := &syntax.Select{At: op.At}
		for _, g := range op.GroupBy {
			sel.Items = append(sel.Items, g)
			sel.GroupBy = append(sel.GroupBy, g.Expr)
		}
		for _, a := range op.Aggs {
			if !containsAggregate(a.Expr) {
				return nil, nil, syntax.Errorf(a.Expr.Position(), "[PIPE_OPERATOR_AGGREGATE_EXPRESSION_CONTAINS_NO_AGGREGATE_FUNCTION] |> AGGREGATE's %s has no aggregate function: put grouping keys after GROUP BY", a.Expr)
			}
		}
		sel.Items = append(sel.Items, op.Aggs...)
		if len(sel.Items) == 0 {
			return nil, nil, syntax.Errorf(op.Position(), "AGGREGATE needs at least one aggregate or grouping key")
		}
		return b.selectOn(in, sc, sel, selectOpts{pipeAggregate: true})
	case *syntax.PipeOrderBy:
		return b.orderLimit(in, sc, op.Items, nil, nil)
	case *syntax.PipeLimit:
		return b.orderLimit(in, sc, nil, op.Limit, op.Offset)
	case *syntax.PipeJoin:
		if op.Natural {
			return b.naturalJoin(in, sc, op.Kind, op.Right, op.Position())
		}
		return b.join(in, sc, op.Kind, op.Right, op.On, op.Using, op.Position())
	case *syntax.PipeSetOp:
		n, s := in, sc
		for _, rq := range op.Right {
			r, rs, err := b.query(rq)
			if err != nil {
				return nil, nil, err
			}
			if n, s, err = b.combine(op.Op, op.All, n, s, r, rs, op.Position()); err != nil {
				return nil, nil, err
			}
		}
		return n, s, nil
	case *syntax.Pivot:
		return b.pivot(in, sc, op)
	case *syntax.Unpivot:
		return b.unpivot(in, sc, op)
	}
	return nil, nil, syntax.Errorf(op.Position(), "unsupported pipe operator %T", op)
}

// orderLimit applies ORDER BY, LIMIT and OFFSET over a node whose columns
// are all addressable by name (a set operation's result or a pipe input).
func (b *binder) orderLimit(n Node, sc scope, order []syntax.OrderItem, limit, offset syntax.Expr) (Node, scope, error) {
	if len(order) > 0 {
		c := &exprCtx{b: b, sc: sc, clause: "ORDER BY"}
		keys := make([]SortKey, len(order))
		for i, o := range order {
			var e Expr
			if idx, ok := ordinal(o.Expr); ok {
				v := visible(sc)
				if idx < 1 || idx > len(v) {
					return nil, nil, syntax.Errorf(o.Expr.Position(), "ORDER BY position %d is not in the select list (1..%d)", idx, len(v))
				}
				e = &ColRef{Idx: v[idx-1], Name: sc[v[idx-1]].Name, K: sc[v[idx-1]].Kind}
			} else {
				var err error
				if e, err = c.bind(o.Expr); err != nil {
					return nil, nil, err
				}
			}
			keys[i] = sortKey(e, o)
		}
		n = &Sort{Input: n, Keys: keys, Limit: -1}
	}
	return b.limit(n, sc, limit, offset)
}

func (b *binder) limit(n Node, sc scope, limit, offset syntax.Expr) (Node, scope, error) {
	if limit == nil && offset == nil {
		return n, sc, nil
	}
	l := &Limit{Input: n, Count: -1}
	var err error
	if limit != nil {
		if l.Count, err = constInt(limit, "LIMIT"); err != nil {
			return nil, nil, err
		}
	}
	if offset != nil {
		if l.Offset, err = constInt(offset, "OFFSET"); err != nil {
			return nil, nil, err
		}
	}
	return l, sc, nil
}

func constInt(e syntax.Expr, what string) (int64, error) {
	lit, ok := e.(*syntax.Literal)
	if !ok || lit.Value.K != types.Int || lit.Value.I < 0 {
		return 0, syntax.Errorf(e.Position(), "%s takes a non-negative integer constant", what)
	}
	return lit.Value.I, nil
}

func ordinal(e syntax.Expr) (int, bool) {
	if lit, ok := e.(*syntax.Literal); ok && lit.Value.K == types.Int {
		return int(lit.Value.I), true
	}
	return 0, false
}

// sortKey applies Spark's default NULL placement: first when ascending,
// last when descending.
func sortKey(e Expr, o syntax.OrderItem) SortKey {
	k := SortKey{Expr: e, Desc: o.Desc, NullsFirst: !o.Desc}
	if o.NullsFirst != nil {
		k.NullsFirst = *o.NullsFirst
	}
	return k
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	// Sorting keeps scans' column order, and so EXPLAIN, deterministic.
	sort.Strings(out)
	return out
}

var _ = fmt.Sprintf

// cte is one WITH query of the binder's scope stack.
type cte struct {
	name string
	q    syntax.Query
	cols []string // WITH name(col, …): the names given to its columns
	refs int      // how often the statement names it
	// vis holds the WITH queries defined before it in its clause, the
	// only ones of the clause it can read.
	vis map[string]*cte

	// Set once bound, when refs > 1: every reference shares one subplan.
	node Node
	sc   scope
}

// withQuery binds a reference to a WITH query. A query named once is
// inlined; one named more often is bound once and wrapped in Shared, so it
// runs once however many times the statement reads it.
func (b *binder) withQuery(c *cte, level int) (Node, scope, error) {
	// Bind with the WITH scopes visible where the query was defined: the
	// enclosing clauses' and the earlier queries of its own.
	bind := func() (Node, scope, error) {
		saved := b.ctes
		b.ctes = append(append([]map[string]*cte{}, b.ctes[:level]...), c.vis)
		n, sc, err := b.query(c.q)
		b.ctes = saved
		if err == nil && c.cols != nil {
			n, sc, err = renameColumns(n, sc, c.cols, c.q.Position())
		}
		return n, sc, err
	}
	if c.refs <= 1 {
		return bind()
	}
	if c.node == nil {
		n, sc, err := bind()
		if err != nil {
			return nil, nil, err
		}
		b.nextShared++
		c.node, c.sc = &Shared{ID: b.nextShared, Name: c.name, Input: n}, sc
	}
	return c.node, c.sc, nil
}
