package plan

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Scalar expression binding: names, operators, CASE, CAST, LIKE, calls of
// the scalar catalogue and subqueries. Aggregate calls are bound in
// aggbind.go, window calls in winbind.go; bind dispatches to them.

// exprCtx binds expressions of one clause.
type exprCtx struct {
	b       *binder
	sc      scope
	clause  string          // for messages: WHERE, SELECT, …
	agg     *aggState       // set after GROUP BY: references must be grouped or aggregated
	win     *winState       // set where window functions are allowed
	aliases map[string]Expr // select-list aliases visible in HAVING and ORDER BY
	lambdas []*LambdaVar    // parameters of the lambda functions around, outermost first
	// outside are the parameters of lambdas around an aggregate call whose
	// argument is being bound: the aggregate runs over rows, not over a
	// lambda's elements, so its argument cannot read them.
	outside []*LambdaVar
}

func (c *exprCtx) quiet() *exprCtx {
	q := *c
	q.win = nil
	return &q
}

func (c *exprCtx) bindBool(e syntax.Expr) (Expr, error) {
	x, err := c.bind(e)
	if err != nil {
		return nil, err
	}
	if k := x.Kind(); k == types.Int && c.clause == "HAVING" {
		// Spark reads an integer HAVING condition as true when it is not
		// zero (having.sql: HAVING SUM(v) + 1); WHERE refuses one.
		return castExpr(x, types.Bool), nil
	}
	if k := x.Kind(); k != types.Bool && k != types.Null {
		return nil, syntax.Errorf(e.Position(), "%s expects a boolean condition, got %s", c.clause, k)
	}
	return x, nil
}

func (c *exprCtx) bind(e syntax.Expr) (Expr, error) {
	if c.agg != nil {
		if g, ok := c.agg.matchGroup(e); ok {
			return g, nil
		}
	}
	switch e := e.(type) {
	case *syntax.Literal:
		return &Const{V: e.Value}, nil
	case *syntax.Interval:
		return &Const{V: e.Value}, nil
	case *syntax.Ident:
		x, err := c.column(e.Parts, e.Position())
		if err != nil && len(e.Parts) == 1 && niladic[strings.ToLower(e.Parts[0])] {
			// current_date and its kin need no parentheses in Spark; a
			// column of the name comes first.
			return c.bind(&syntax.Call{At: e.At, Name: strings.ToLower(e.Parts[0])})
		}
		if err != nil && len(e.Parts) == 1 && strings.EqualFold(e.Parts[0], "grouping__id") && c.agg != nil && c.agg.gid >= 0 {
			// Hive's virtual column, which Spark keeps: grouping_id()
			// under GROUPING SETS, ROLLUP or CUBE.
			return c.grouping(&syntax.Call{At: e.At, Name: "grouping_id"})
		}
		if err != nil && len(e.Parts) > 1 {
			if y := c.prefixPath(e.Parts, e.Position()); y != nil {
				return y, nil
			}
		}
		return x, err
	case *syntax.Field, *syntax.Subscript:
		// A path the scan can read (properties.products[0].price) is one
		// column, so the scanner extracts only that value; anything
		// else is element access over the value of X.
		parts, ok := pathParts(e)
		if !ok {
			return c.access(e)
		}
		x, err := c.column(parts, e.Position())
		if err != nil {
			if y := c.prefixPath(parts, e.Position()); y != nil {
				return y, nil
			}
		}
		return x, err
	case *syntax.Lambda:
		return nil, syntax.Errorf(e.Position(), "a lambda function can only be an argument of a higher-order function such as transform(a, x -> x + 1)")
	case *syntax.Star:
		return nil, syntax.Errorf(e.Position(), "* is only allowed in a select list or in count(*)")
	case *syntax.Unary:
		x, err := c.bind(e.X)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case "NOT":
			if k := x.Kind(); k != types.Bool && k != types.Null {
				return nil, syntax.Errorf(e.Position(), "NOT expects a boolean, got %s", k)
			}
			return &Op{Op: OpNot, Args: []Expr{x}, K: types.Bool}, nil
		case "-":
			if k := x.Kind(); !k.IsNumeric() && k != types.Null && !k.IsInterval() {
				return nil, syntax.Errorf(e.Position(), "unary minus expects a number or an interval, got %s", k)
			}
			if lit, ok := x.(*Const); ok {
				switch lit.V.K {
				case types.Int:
					return &Const{V: types.IntValue(-lit.V.I)}, nil
				case types.Float:
					return &Const{V: types.FloatValue(-lit.V.F)}, nil
				}
			}
			return &Op{Op: OpNeg, Args: []Expr{x}, K: x.Kind()}, nil
		}
		return x, nil
	case *syntax.Binary:
		return c.binary(e)
	case *syntax.Call:
		if e.WithinGroup != nil {
			if fn, ok := functions.LookupAggregate(e.Name); !ok || fn.WithinGroup == functions.WithinGroupNever {
				return nil, syntax.Errorf(e.Position(), "%s does not take WITHIN GROUP (ORDER BY …); percentile_cont, percentile_disc and mode do", e.Name)
			}
			if e.Over != nil {
				return nil, syntax.Errorf(e.Position(), "%s … WITHIN GROUP does not run over a window in nectar; aggregate in a subquery and join", e.Name)
			}
		}
		if e.Over != nil {
			return c.window(e)
		}
		if e.IgnoreNulls {
			return nil, syntax.Errorf(e.Position(), "%s … IGNORE NULLS is supported over a window only (first_value, last_value, nth_value, lead, lag … OVER (…))", e.Name)
		}
		if fn, ok := functions.LookupAggregate(e.Name); ok {
			return c.aggregate(e, fn)
		}
		if e.Name == "grouping" || e.Name == "grouping_id" {
			return c.grouping(e)
		}
		if x, ok := lazyForm(e); ok {
			return c.bind(x)
		}
		return c.call(e)
	case *syntax.Case:
		return c.caseExpr(e)
	case *syntax.Cast:
		x, err := c.bind(e.X)
		if err != nil {
			return nil, err
		}
		op := OpCast
		if e.Try {
			op = OpTryCast
		}
		o := &Op{Op: op, Args: []Expr{x}, K: e.Type.Kind, Bits: e.Type.Bits, Precision: e.Type.Precision, Scale: e.Type.Scale}
		if decimalOK := o.Precision > 0 && x.Kind().IsInterval(); !decimalOK && (x.Kind().IsInterval() || o.K.IsInterval()) && !types.CanCast(x.Kind(), o.K) {
			return nil, syntax.Errorf(e.Position(), "[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] cannot cast %s to %s", x.Kind(), o.K)
		}
		if o.IdentityCast() {
			return x, nil
		}
		return o, nil
	case *syntax.In:
		if e.Query != nil {
			return c.inSubquery(e)
		}
		args, err := c.bindAll(append([]syntax.Expr{e.X}, e.List...))
		if err != nil {
			return nil, err
		}
		k := types.Null
		for _, a := range args {
			k = types.Widen(k, a.Kind())
		}
		if err := intervalsWiden(e.Position(), k, args); err != nil {
			return nil, err
		}
		for i := range args {
			args[i] = castExpr(args[i], k)
		}
		var x Expr = &Op{Op: OpIn, Args: args, K: types.Bool}
		if e.Not {
			x = &Op{Op: OpNot, Args: []Expr{x}, K: types.Bool}
		}
		return x, nil
	case *syntax.Like:
		return c.like(e)
	case *syntax.Between:
		x, err := c.bind(e.X)
		if err != nil {
			return nil, err
		}
		lo, err := c.bind(e.Lo)
		if err != nil {
			return nil, err
		}
		hi, err := c.bind(e.Hi)
		if err != nil {
			return nil, err
		}
		ge, err := c.b.compare(e.Position(), OpGe, x, lo)
		if err != nil {
			return nil, err
		}
		le, err := c.b.compare(e.Position(), OpLe, x, hi)
		if err != nil {
			return nil, err
		}
		var r Expr = &Op{Op: OpAnd, Args: []Expr{ge, le}, K: types.Bool}
		if e.Not {
			r = &Op{Op: OpNot, Args: []Expr{r}, K: types.Bool}
		}
		return r, nil
	case *syntax.IsNull:
		x, err := c.bind(e.X)
		if err != nil {
			return nil, err
		}
		op := OpIsNull
		if e.Not {
			op = OpIsNotNull
		}
		return &Op{Op: op, Args: []Expr{x}, K: types.Bool}, nil
	case *syntax.SubqueryExpr:
		mode, k := ScalarSubquery, types.Null
		if e.Exists {
			mode, k = ExistsSubquery, types.Bool
		}
		n, err := c.subquery(e.Query, e.Position(), !e.Exists)
		if err != nil {
			return nil, err
		}
		if mode == ScalarSubquery {
			k = n.Schema()[0].Kind
		}
		return &Subquery{Plan: n, Mode: mode, K: k}, nil
	}
	return nil, syntax.Errorf(e.Position(), "unsupported expression %T", e)
}

// subquery binds an uncorrelated subquery; oneColumn demands a single
// column, as scalar and IN subqueries need.
func (c *exprCtx) subquery(q syntax.Query, pos syntax.Pos, oneColumn bool) (Node, error) {
	n, sc, err := c.b.query(q)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) && strings.HasPrefix(se.Msg, "unknown column") && se.Hint == "" {
			se.Hint = "a subquery cannot refer to the outer query's columns yet (correlated subqueries); use a JOIN"
		}
		return nil, err
	}
	if v := visible(sc); oneColumn && len(v) != 1 {
		return nil, syntax.Errorf(pos, "a subquery used as a value must return one column, this one returns %d", len(v))
	}
	return n, nil
}

func (c *exprCtx) inSubquery(e *syntax.In) (Expr, error) {
	x, err := c.bind(e.X)
	if err != nil {
		return nil, err
	}
	n, err := c.subquery(e.Query, e.Position(), true)
	if err != nil {
		return nil, err
	}
	k := types.Widen(x.Kind(), n.Schema()[0].Kind)
	var r Expr = &Subquery{Plan: n, Mode: InSubquery, X: castExpr(x, k), K: types.Bool}
	if e.Not {
		r = &Op{Op: OpNot, Args: []Expr{r}, K: types.Bool}
	}
	return r, nil
}

func (c *exprCtx) bindAll(es []syntax.Expr) ([]Expr, error) {
	out := make([]Expr, len(es))
	for i, e := range es {
		x, err := c.bind(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func (c *exprCtx) column(parts []string, pos syntax.Pos) (Expr, error) {
	if x, ok, err := c.lambdaVar(parts, pos); ok {
		return x, err
	}
	if name, _, ok := splitIndexes(parts[0]); ok {
		for _, v := range c.outside {
			if strings.EqualFold(v.Name, name) {
				return nil, syntax.Errorf(pos, "an aggregate inside a lambda function cannot read the lambda's parameter %s", syntax.QuoteIdent(v.Name))
			}
		}
	}
	if c.aliases != nil && len(parts) == 1 {
		if a, ok := c.aliases[strings.ToLower(parts[0])]; ok {
			return a, nil
		}
	}
	if c.agg != nil {
		if _, err := c.agg.pre.sc.lookup(parts, pos); err != nil {
			return nil, err
		}
		return nil, notGrouped(strings.Join(parts, "."), pos)
	}
	idx, err := c.sc.lookup(parts, pos)
	if err != nil {
		return nil, err
	}
	col := c.sc[idx]
	return &ColRef{Idx: idx, Name: col.Name, K: col.Kind}, nil
}

// pathParts flattens a.b[0].c into the name parts ["a", "b[0]", "c"].
func pathParts(e syntax.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *syntax.Ident:
		return append([]string{}, e.Parts...), true
	case *syntax.Field:
		p, ok := pathParts(e.X)
		return append(p, e.Name), ok
	case *syntax.Subscript:
		p, ok := pathParts(e.X)
		lit, isLit := e.Index.(*syntax.Literal)
		if !ok || !isLit || lit.Value.K != types.Int || len(p) == 0 {
			return nil, false
		}
		p[len(p)-1] += "[" + strconv.FormatInt(lit.Value.I, 10) + "]"
		return p, true
	}
	return nil, false
}

func castExpr(e Expr, k types.Kind) Expr {
	if e.Kind() == k || k == types.Null {
		return e
	}
	if c, ok := e.(*Const); ok {
		if v, err := types.Cast(c.V, k); err == nil {
			return &Const{V: v}
		}
	}
	return &Op{Op: OpCast, Args: []Expr{e}, K: k}
}

// niladic are the functions Spark calls without parentheses.
var niladic = map[string]bool{"current_date": true, "current_timestamp": true, "localtimestamp": true}

var arith = map[string]OpCode{"+": OpAdd, "-": OpSub, "*": OpMul, "/": OpDiv, "DIV": OpIntDiv, "%": OpMod}
var comparisons = map[string]OpCode{"=": OpEq, "==": OpEq, "!=": OpNe, "<>": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe, "<=>": OpNullSafeEq}

func (c *exprCtx) binary(e *syntax.Binary) (Expr, error) {
	l, err := c.bind(e.L)
	if err != nil {
		return nil, err
	}
	r, err := c.bind(e.R)
	if err != nil {
		return nil, err
	}
	if op, ok := comparisons[e.Op]; ok {
		return c.b.compare(e.Position(), op, l, r)
	}
	if op, ok := arith[e.Op]; ok {
		return arithmetic(e.Position(), op, l, r)
	}
	switch e.Op {
	case "AND", "OR":
		for _, x := range []Expr{l, r} {
			if k := x.Kind(); k != types.Bool && k != types.Null {
				return nil, syntax.Errorf(e.Position(), "%s expects booleans, got %s", e.Op, k)
			}
		}
		op := OpAnd
		if e.Op == "OR" {
			op = OpOr
		}
		return &Op{Op: op, Args: []Expr{l, r}, K: types.Bool}, nil
	case "||":
		if l.Kind().IsNested() || r.Kind().IsNested() {
			// a || b of ARRAYs is concat(a, b), as in Spark; other nested
			// values have no string form to join.
			fn, _ := functions.Lookup("concat")
			k, err := fn.Check([]types.Kind{l.Kind(), r.Kind()})
			if err != nil {
				return nil, syntax.Errorf(e.Position(), "|| joins strings or ARRAYs, got %s and %s", l.Kind(), r.Kind())
			}
			return &Call{Fn: fn, Args: []Expr{l, r}, K: k}, nil
		}
		return &Op{Op: OpConcat, Args: []Expr{castExpr(l, types.String), castExpr(r, types.String)}, K: types.String}, nil
	}
	return nil, syntax.Errorf(e.Position(), "unknown operator %s", e.Op)
}

// arithmetic types + - * / DIV %: strings are read as DOUBLE, as in Spark;
// / always gives DOUBLE.
func arithmetic(pos syntax.Pos, op OpCode, l, r Expr) (Expr, error) {
	if x, ok, err := intervalArithmetic(pos, op, l, r); ok {
		return x, err
	}
	lk, rk := l.Kind(), r.Kind()
	if op == OpAdd && lk == types.Int && rk == types.Date {
		l, r, lk, rk = r, l, rk, lk // 7 + d is date_add(d, 7), as in Spark
	}
	if (lk == types.Date || lk == types.Timestamp) && (op == OpAdd || op == OpSub) && rk == types.Int {
		name := "date_add"
		if op == OpSub {
			name = "date_sub"
		}
		if fn, ok := functions.Lookup(name); ok {
			return &Call{Fn: fn, Args: []Expr{l, r}, K: types.Date}, nil
		}
	}
	for _, k := range []types.Kind{lk, rk} {
		if !k.IsNumeric() && k != types.Null && k != types.String {
			return nil, syntax.Errorf(pos, "%s expects numbers, got %s and %s", op, lk, rk)
		}
	}
	if lk == types.String {
		l, lk = castExpr(l, types.Float), types.Float
	}
	if rk == types.String {
		r, rk = castExpr(r, types.Float), types.Float
	}
	k := types.Int
	if lk == types.Float || rk == types.Float {
		k = types.Float
	}
	switch op {
	case OpDiv:
		k = types.Float
	case OpIntDiv:
		k = types.Int
	}
	if k == types.Float {
		l, r = castExpr(l, types.Float), castExpr(r, types.Float)
	}
	return &Op{Op: op, Args: []Expr{l, r}, K: k}, nil
}

// compare types a comparison, casting a string side to the other side's
// kind (numbers, timestamps, dates, booleans) as Spark does.
func (b *binder) compare(pos syntax.Pos, op OpCode, l, r Expr) (Expr, error) {
	lk, rk := l.Kind(), r.Kind()
	if err := orderable(pos, "compare", lk, rk); err != nil {
		return nil, err
	}
	if lk.IsInterval() || rk.IsInterval() {
		l, r, err := compareIntervals(pos, l, r)
		if err != nil {
			return nil, err
		}
		return &Op{Op: op, Args: []Expr{l, r}, K: types.Bool}, nil
	}
	switch {
	case lk.IsNested() && rk == types.String, rk.IsNested() && lk == types.String:
		return nil, syntax.Errorf(pos, "[DATATYPE_MISMATCH] cannot compare %s with %s", lk, rk)
	case lk.IsNested() && rk.IsNested() && lk != rk:
		w := types.Widen(lk, rk)
		if w == types.String {
			return nil, syntax.Errorf(pos, "[DATATYPE_MISMATCH] cannot compare %s with %s", lk, rk)
		}
		l, r = castExpr(l, w), castExpr(r, w)
	case lk == rk, lk == types.Null, rk == types.Null, lk.IsNumeric() && rk.IsNumeric():
	case isTime(lk) && isTime(rk):
	case lk == types.String:
		l = castExpr(l, comparableKind(rk))
	case rk == types.String:
		r = castExpr(r, comparableKind(lk))
	default:
		return nil, syntax.Errorf(pos, "cannot compare %s with %s", lk, rk)
	}
	return &Op{Op: op, Args: []Expr{l, r}, K: types.Bool}, nil
}

// comparableKind is the kind a STRING is cast to for comparing with k:
// k itself, as Spark's ANSI coercion does, so 2 > '1.0' is an invalid
// integer (CAST_INVALID_INPUT) rather than a fractional comparison.
func comparableKind(k types.Kind) types.Kind {
	return k
}

func isTime(k types.Kind) bool { return k == types.Timestamp || k == types.Date }

func (c *exprCtx) like(e *syntax.Like) (Expr, error) {
	if e.Quantifier != "" {
		return c.likeQuantified(e)
	}
	x, err := c.bind(e.X)
	if err != nil {
		return nil, err
	}
	p, err := c.bind(e.Pattern)
	if err != nil {
		return nil, err
	}
	x, p = castExpr(x, types.String), castExpr(p, types.String)
	if e.Op == "ILIKE" {
		// Spark defines x ILIKE p as lower(x) LIKE lower(p) (ILike in
		// regexpExpressions.scala), which is not the same as matching
		// case-insensitively: ΣΑΣ ILIKE 'σασ' is false because lower
		// makes the last sigma final.
		x, p = lowerExpr(x), lowerExpr(p)
	}
	o := &Op{Op: OpLike, Args: []Expr{x, p}, K: types.Bool}
	if e.Op == "RLIKE" || e.Op == "REGEXP" {
		o.Op = OpRLike
	}
	if lit, ok := p.(*Const); ok && lit.V.K == types.String {
		src := lit.V.S
		if o.Op == OpLike {
			src = functions.LikeToRegexp(src)
		}
		re, err := regexp.Compile(src)
		if err != nil {
			return nil, syntax.Errorf(e.Pattern.Position(), "bad pattern: %v", err)
		}
		o.Re = re
	}
	if e.Not {
		return &Op{Op: OpNot, Args: []Expr{o}, K: types.Bool}, nil
	}
	return o, nil
}

// likeQuantified binds x [NOT] LIKE ANY|ALL (p1, …) as Spark's LikeAny,
// LikeAll, NotLikeAny and NotLikeAll compute it: ANY is true when some
// pattern matches (NOT LIKE ANY: when some pattern does not), ALL when
// every one does (NOT LIKE ALL: when none does); otherwise a NULL pattern
// makes it NULL. That is the OR (ANY) or AND (ALL) of the single LIKEs.
func (c *exprCtx) likeQuantified(e *syntax.Like) (Expr, error) {
	var out Expr
	for _, p := range e.Patterns {
		one, err := c.like(&syntax.Like{At: e.At, Op: e.Op, X: e.X, Pattern: p, Not: e.Not})
		if err != nil {
			return nil, err
		}
		switch {
		case out == nil:
			out = one
		case e.Quantifier == "ALL":
			out = &Op{Op: OpAnd, Args: []Expr{out, one}, K: types.Bool}
		default:
			out = &Op{Op: OpOr, Args: []Expr{out, one}, K: types.Bool}
		}
	}
	return out, nil
}

// lowerExpr is lower(e), computed now when e is a constant.
func lowerExpr(e Expr) Expr {
	if c, ok := e.(*Const); ok {
		if c.V.K == types.String {
			return &Const{V: types.StringValue(functions.Lower(c.V.S))}
		}
		return c
	}
	fn, _ := functions.Lookup("lower")
	return &Call{Fn: fn, Args: []Expr{e}, K: types.String}
}

func (c *exprCtx) caseExpr(e *syntax.Case) (Expr, error) {
	var operand Expr
	var err error
	if e.Operand != nil {
		if operand, err = c.bind(e.Operand); err != nil {
			return nil, err
		}
	}
	var args []Expr
	k := types.Null
	for _, w := range e.Whens {
		var cond Expr
		if operand != nil {
			v, err := c.bind(w.Cond)
			if err != nil {
				return nil, err
			}
			if cond, err = c.b.compare(w.Cond.Position(), OpEq, operand, v); err != nil {
				return nil, err
			}
		} else if cond, err = c.bindBool(w.Cond); err != nil {
			return nil, err
		}
		res, err := c.bind(w.Result)
		if err != nil {
			return nil, err
		}
		k = types.Widen(k, res.Kind())
		args = append(args, cond, res)
	}
	var els Expr = &Const{}
	if e.Else != nil {
		if els, err = c.bind(e.Else); err != nil {
			return nil, err
		}
		k = types.Widen(k, els.Kind())
	}
	args = append(args, els)
	results := []Expr{els}
	for i := 1; i < len(args); i += 2 {
		results = append(results, args[i])
	}
	if err := intervalsWiden(e.Position(), k, results); err != nil {
		return nil, err
	}
	for i := 1; i < len(args); i += 2 {
		args[i] = castExpr(args[i], k)
	}
	args[len(args)-1] = castExpr(args[len(args)-1], k)
	return &Op{Op: OpCase, Args: args, K: k}, nil
}

func (c *exprCtx) call(e *syntax.Call) (Expr, error) {
	if e.Distinct || e.Filter != nil {
		return nil, syntax.Errorf(e.Position(), "DISTINCT and FILTER apply only to aggregate functions, and %s is not one", e.Name)
	}
	if x, ok, err := c.tryArithmetic(e); ok {
		return x, err
	}
	if e.Name == "coalesce" {
		args, err := c.bindAll(e.Args)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, syntax.Errorf(e.Position(), "coalesce needs at least one argument")
		}
		k := types.Null
		for _, a := range args {
			k = types.Widen(k, a.Kind())
		}
		if err := intervalsWiden(e.Position(), k, args); err != nil {
			return nil, err
		}
		for i := range args {
			args[i] = castExpr(args[i], k)
		}
		return &Op{Op: OpCoalesce, Args: args, K: k}, nil
	}
	if x, ok, err := c.nestedCall(e); ok {
		return x, err
	}
	fn, ok := functions.Lookup(e.Name)
	if !ok && strings.EqualFold(e.Name, "window") {
		return nil, syntax.Errorf(e.Position(), "window(time, size[, slide]) is a GROUP BY key: group by it, and select it or window.start and window.end")
	}
	if !ok {
		err := syntax.Errorf(e.Position(), "unknown function %s", e.Name)
		if s := closestFunction(e.Name); s != "" {
			err.Hint = "did you mean " + s + "?"
		}
		return nil, err
	}
	args, err := c.bindCallArgs(fn, e)
	if err != nil {
		return nil, err
	}
	if len(args) < fn.MinArgs || (fn.MaxArgs >= 0 && len(args) > fn.MaxArgs) {
		return nil, syntax.Errorf(e.Position(), "%s takes %s, got %d", e.Name, argCount(fn.MinArgs, fn.MaxArgs), len(args))
	}
	kinds := make([]types.Kind, len(args))
	for i, a := range args {
		kinds[i] = a.Kind()
	}
	if x, ok, err := datePart(e, fn, args); ok {
		return x, err
	}
	if fn.Name == "schema_of_json" {
		// Spark infers the schema once, from a constant
		// (DATATYPE_MISMATCH.NON_FOLDABLE_INPUT, UNEXPECTED_NULL).
		if cst, ok := args[0].(*Const); !ok || cst.V.IsNull() {
			return nil, syntax.Errorf(e.Position(), "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] schema_of_json takes a constant, non-NULL JSON text")
		}
	}
	k, err := fn.Check(kinds)

	if err != nil {
		return nil, syntax.Errorf(e.Position(), "%v", err)
	}
	return &Call{Fn: fn, Args: args, K: k}, nil
}

func argCount(lo, hi int) string {
	switch {
	case hi < 0:
		return strconv.Itoa(lo) + " or more arguments"
	case lo == hi && lo == 1:
		return "1 argument"
	case lo == hi:
		return strconv.Itoa(lo) + " arguments"
	}
	return strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + " arguments"
}

func closestFunction(name string) string {
	best, bestD := "", len(name)/3+2
	consider := func(n string) {
		if d := syntax.EditDistance(n, name); d < bestD {
			best, bestD = n, d
		}
	}
	for _, f := range functions.All() {
		consider(f.Name)
	}
	for _, a := range functions.Aggregates() {
		consider(a.Name)
	}
	for _, n := range functions.BinderFuncs {
		consider(n)
	}
	return best
}

// orderable refuses kinds Spark cannot compare, sort or group: a MAP, or
// a value holding one (INVALID_ORDERING_TYPE).
func orderable(pos syntax.Pos, what string, kinds ...types.Kind) error {
	for _, k := range kinds {
		if !k.Orderable() {
			return syntax.Errorf(pos, "[DATATYPE_MISMATCH.INVALID_ORDERING_TYPE] cannot %s values of %s: Spark neither compares, sorts nor groups maps", what, k)
		}
	}
	return nil
}

// lazyForm rewrites the functions that evaluate an argument only when
// they need it as the CASE they are, so an argument a row does not need
// is never evaluated, as in Spark: if(1 = 1, 1, 1/0) is 1, and
// nanvl(x, y) reads y only where x is NaN (and is x, not NULL, when y
// is NULL and x is not NaN).
func lazyForm(e *syntax.Call) (syntax.Expr, bool) {
	fn, ok := functions.Lookup(e.Name)
	if !ok || e.Distinct || e.Filter != nil {
		return nil, false
	}
	name := fn.Name
	if fn.AliasOf != "" {
		name = fn.AliasOf
	}
	switch {
	case name == "if" && len(e.Args) == 3:
		return &syntax.Case{At: e.At, Whens: []syntax.When{{Cond: e.Args[0], Result: e.Args[1]}}, Else: e.Args[2]}, true
	case name == "nanvl" && len(e.Args) == 2:
		double := func(x syntax.Expr) syntax.Expr {
			return &syntax.Cast{At: e.At, X: x, Type: types.Type{Kind: types.Float}}
		}
		isNaN := &syntax.Call{At: e.At, Name: "isnan", Args: []syntax.Expr{e.Args[0]}}
		return &syntax.Case{At: e.At, Whens: []syntax.When{{Cond: isNaN, Result: double(e.Args[1])}}, Else: double(e.Args[0])}, true
	}
	return nil, false
}
