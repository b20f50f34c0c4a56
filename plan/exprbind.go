package plan

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// exprCtx binds expressions of one clause.
type exprCtx struct {
	b       *binder
	sc      scope
	clause  string          // for messages: WHERE, SELECT, …
	agg     *aggState       // set after GROUP BY: references must be grouped or aggregated
	win     *winState       // set where window functions are allowed
	aliases map[string]Expr // select-list aliases visible in HAVING and ORDER BY
}

type aggState struct {
	pre        *exprCtx // binds over the aggregate's input
	groups     []Expr
	groupText  []string
	groupNames []string
	aggs       []AggCall
	aggText    []string
}

type winState struct {
	calls []WindowCall
	names []string
}

// matchGroup reports whether e, bound over the aggregate's input, is one of
// the grouping keys, and if so returns a reference to that key.
func (a *aggState) matchGroup(e syntax.Expr) (Expr, bool) {
	if _, ok := e.(*syntax.Literal); ok {
		return nil, false
	}
	bound, err := a.pre.quiet().bind(e)
	if err != nil {
		return nil, false
	}
	for i, t := range a.groupText {
		if t == bound.String() {
			return &ColRef{Idx: i, Name: a.groupNames[i], K: a.groups[i].Kind()}, true
		}
	}
	return nil, false
}

// mapBound maps an input column (from SELECT *) onto a grouping key.
func (a *aggState) mapBound(col *ColRef, name string, pos syntax.Pos) (Expr, error) {
	for i, t := range a.groupText {
		if t == col.String() {
			return &ColRef{Idx: i, Name: a.groupNames[i], K: col.K}, nil
		}
	}
	return nil, notGrouped(name, pos)
}

func notGrouped(name string, pos syntax.Pos) error {
	e := syntax.Errorf(pos, "column %s must be aggregated or appear in GROUP BY", syntax.QuoteIdent(name))
	e.Hint = "add it to GROUP BY or wrap it in an aggregate such as first(" + syntax.QuoteIdent(name) + ")"
	return e
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
		return nil, syntax.Errorf(e.Position(), "an INTERVAL can only be added to or subtracted from a timestamp")
	case *syntax.Ident:
		return c.column(e.Parts, e.Position())
	case *syntax.Field, *syntax.Subscript:
		parts, ok := pathParts(e)
		if !ok {
			return nil, syntax.Errorf(e.Position(), "only constant array indexes on column paths are supported, such as properties.products[0].price")
		}
		return c.column(parts, e.Position())
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
			if k := x.Kind(); !k.IsNumeric() && k != types.Null {
				return nil, syntax.Errorf(e.Position(), "unary minus expects a number, got %s", k)
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
		switch {
		case e.Over != nil:
			return c.window(e)
		case isAggregate(e.Name):
			return c.aggregate(e)
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
		o := &Op{Op: op, Args: []Expr{x}, K: e.Type.Kind, Bits: e.Type.Bits}
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

var arith = map[string]OpCode{"+": OpAdd, "-": OpSub, "*": OpMul, "/": OpDiv, "DIV": OpIntDiv, "%": OpMod}
var comparisons = map[string]OpCode{"=": OpEq, "==": OpEq, "!=": OpNe, "<>": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe, "<=>": OpNullSafeEq}

func (c *exprCtx) binary(e *syntax.Binary) (Expr, error) {
	if iv, ok := e.R.(*syntax.Interval); ok && (e.Op == "+" || e.Op == "-") {
		l, err := c.bind(e.L)
		if err != nil {
			return nil, err
		}
		micros, err := IntervalMicros(iv.Text)
		if err != nil {
			return nil, syntax.Errorf(iv.Position(), "%v", err)
		}
		if e.Op == "-" {
			micros = -micros
		}
		switch l.Kind() {
		case types.Timestamp, types.String, types.Date, types.Null:
		default:
			return nil, syntax.Errorf(e.Position(), "cannot add an INTERVAL to %s", l.Kind())
		}
		return &Op{Op: OpAddInterval, Args: []Expr{castExpr(l, types.Timestamp), &Const{V: types.IntValue(micros)}}, K: types.Timestamp}, nil
	}
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
		return &Op{Op: OpConcat, Args: []Expr{castExpr(l, types.String), castExpr(r, types.String)}, K: types.String}, nil
	}
	return nil, syntax.Errorf(e.Position(), "unknown operator %s", e.Op)
}

// arithmetic types + - * / DIV %: strings are read as DOUBLE, as in Spark;
// / always gives DOUBLE.
func arithmetic(pos syntax.Pos, op OpCode, l, r Expr) (Expr, error) {
	lk, rk := l.Kind(), r.Kind()
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
	switch {
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

func comparableKind(k types.Kind) types.Kind {
	if k == types.Int {
		return types.Float
	}
	return k
}

func isTime(k types.Kind) bool { return k == types.Timestamp || k == types.Date }

func (c *exprCtx) like(e *syntax.Like) (Expr, error) {
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
			src = LikeToRegexp(src)
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

// LikeToRegexp translates a SQL LIKE pattern (% any run, _ one character,
// backslash escapes) into an anchored regular expression. It works on
// characters, not bytes: _ matches one character however many bytes it
// takes, as in Spark.
func LikeToRegexp(p string) string {
	var b strings.Builder
	b.WriteString("(?s)^")
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(regexp.QuoteMeta(string(rs[i])))
			} else {
				b.WriteString(`\\`)
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return b.String()
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
		for i := range args {
			args[i] = castExpr(args[i], k)
		}
		return &Op{Op: OpCoalesce, Args: args, K: k}, nil
	}
	fn, ok := functions.Lookup(e.Name)
	if !ok {
		err := syntax.Errorf(e.Position(), "unknown function %s", e.Name)
		if s := closestFunction(e.Name); s != "" {
			err.Hint = "did you mean " + s + "?"
		}
		return nil, err
	}
	args, err := c.bindAll(e.Args)
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
	for n := range aggregates {
		consider(n)
	}
	return best
}

// ---- aggregates ----

// aggregates maps each aggregate function to its result kind given its
// argument's kind.
var aggregates = map[string]func(arg types.Kind) types.Kind{
	"count":                 func(types.Kind) types.Kind { return types.Int },
	"count_if":              func(types.Kind) types.Kind { return types.Int },
	"approx_count_distinct": func(types.Kind) types.Kind { return types.Int },
	"sum":                   sumKind,
	"avg":                   floatKind,
	"mean":                  floatKind,
	"stddev":                floatKind,
	"stddev_samp":           floatKind,
	"stddev_pop":            floatKind,
	"variance":              floatKind,
	"var_samp":              floatKind,
	"var_pop":               floatKind,
	"min":                   sameKind,
	"max":                   sameKind,
	"first":                 sameKind,
	"last":                  sameKind,
	"any_value":             sameKind,
	"min_by":                sameKind,
	"max_by":                sameKind,
	"percentile_approx":     sameKind,
	"approx_percentile":     sameKind,
}

func sumKind(k types.Kind) types.Kind {
	if k == types.Int || k == types.Bool {
		return types.Int
	}
	return types.Float
}
func floatKind(types.Kind) types.Kind  { return types.Float }
func sameKind(k types.Kind) types.Kind { return k }

func isAggregate(name string) bool { _, ok := aggregates[name]; return ok }

func (c *exprCtx) aggregate(e *syntax.Call) (Expr, error) {
	if c.agg == nil {
		return nil, syntax.Errorf(e.Position(), "aggregate function %s is not allowed in %s", e.Name, c.clause)
	}
	pre := c.agg.pre.quiet()
	pre.clause = "an aggregate's argument"
	a := AggCall{Name: e.Name, Distinct: e.Distinct}
	if a.Name == "mean" {
		a.Name = "avg"
	}
	if a.Name == "approx_percentile" {
		a.Name = "percentile_approx"
	}
	args := e.Args
	switch {
	case a.Name == "min_by" || a.Name == "max_by":
		if len(args) != 2 {
			return nil, syntax.Errorf(e.Position(), "%s takes two arguments (a value and its ordering), got %d", e.Name, len(args))
		}
		if a.Distinct {
			return nil, syntax.Errorf(e.Position(), "%s does not take DISTINCT", e.Name)
		}
		if containsAggregate(args[1]) {
			return nil, syntax.Errorf(args[1].Position(), "aggregate functions cannot be nested")
		}
		ord, err := pre.bind(args[1])
		if err != nil {
			return nil, err
		}
		a.Ord = ord
		args = args[:1]
	case len(args) == 1:
		if _, ok := args[0].(*syntax.Star); ok {
			if e.Name != "count" {
				return nil, syntax.Errorf(e.Position(), "only count takes *")
			}
			args = nil
		}
	case len(args) == 0 && e.Name == "count":
	case (a.Name == "percentile_approx") && (len(args) == 2 || len(args) == 3):
		lit, ok := args[1].(*syntax.Literal)
		if !ok || !lit.Value.K.IsNumeric() || lit.Value.AsFloat() < 0 || lit.Value.AsFloat() > 1 {
			return nil, syntax.Errorf(args[1].Position(), "percentile_approx takes a constant percentage between 0 and 1")
		}
		a.Param = lit.Value.AsFloat()
		args = args[:1]
	default:
		return nil, syntax.Errorf(e.Position(), "%s takes one argument, got %d", e.Name, len(args))
	}
	argKind := types.Int
	if len(args) == 1 {
		if containsAggregate(args[0]) {
			return nil, syntax.Errorf(args[0].Position(), "aggregate functions cannot be nested")
		}
		x, err := pre.bind(args[0])
		if err != nil {
			return nil, err
		}
		argKind = x.Kind()
		switch a.Name {
		case "sum", "avg", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "percentile_approx":
			if !argKind.IsNumeric() && argKind != types.Null {
				if argKind != types.String {
					return nil, syntax.Errorf(e.Position(), "%s expects a number, got %s", e.Name, argKind)
				}
				x, argKind = castExpr(x, types.Float), types.Float
			}
		case "count_if":
			if argKind != types.Bool && argKind != types.Null {
				return nil, syntax.Errorf(e.Position(), "count_if expects a boolean, got %s", argKind)
			}
		}
		a.Arg = x
	} else if e.Name != "count" {
		return nil, syntax.Errorf(e.Position(), "%s takes one argument", e.Name)
	}
	if e.Filter != nil {
		f, err := pre.bindBool(e.Filter)
		if err != nil {
			return nil, err
		}
		a.Filter = f
	}
	a.K = aggregates[a.Name](argKind)
	text := a.String()
	for i, t := range c.agg.aggText {
		if t == text {
			return &ColRef{Idx: len(c.agg.groups) + i, Name: t, K: a.K}, nil
		}
	}
	c.agg.aggs = append(c.agg.aggs, a)
	c.agg.aggText = append(c.agg.aggText, text)
	return &ColRef{Idx: len(c.agg.groups) + len(c.agg.aggs) - 1, Name: text, K: a.K}, nil
}

// ---- window functions ----

var windowOnly = map[string]bool{"row_number": true, "rank": true, "dense_rank": true, "percent_rank": true, "cume_dist": true, "ntile": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true}

func (c *exprCtx) window(e *syntax.Call) (Expr, error) {
	if c.win == nil {
		return nil, syntax.Errorf(e.Position(), "window function %s is not allowed in %s", e.Name, c.clause)
	}
	if !windowOnly[e.Name] && !isAggregate(e.Name) {
		return nil, syntax.Errorf(e.Position(), "%s is not a window or aggregate function", e.Name)
	}
	if e.Name == "min_by" || e.Name == "max_by" {
		// The window operator folds frames with one-argument accumulators;
		// first_value(x) OVER (… ORDER BY ord) gives the same answer.
		err := syntax.Errorf(e.Position(), "%s is not supported as a window function", e.Name)
		err.Hint = "first_value(x) OVER (PARTITION BY … ORDER BY ord NULLS LAST, x) takes the same value"
		return nil, err
	}
	if e.Distinct {
		return nil, syntax.Errorf(e.Position(), "DISTINCT is not supported in window functions (%s(DISTINCT …) OVER …)", e.Name)
	}
	inner := c.quiet()
	w := WindowCall{Name: e.Name}
	if e.Filter != nil {
		// Spark takes FILTER on aggregates, and so on first_value and
		// last_value, but not on ranking or offset functions
		// (FUNCTION_WITH_UNSUPPORTED_SYNTAX).
		if windowOnly[e.Name] && e.Name != "first_value" && e.Name != "last_value" {
			return nil, syntax.Errorf(e.Position(), "%s does not take FILTER; only aggregate functions do", e.Name)
		}
		f, err := inner.bindBool(e.Filter)
		if err != nil {
			return nil, err
		}
		w.Filter = f
	}
	args := e.Args
	if len(args) == 1 {
		if _, ok := args[0].(*syntax.Star); ok && e.Name == "count" {
			args = nil
		}
	}
	var err error
	if w.Args, err = inner.bindAll(args); err != nil {
		return nil, err
	}
	if w.PartitionBy, err = inner.bindAll(e.Over.PartitionBy); err != nil {
		return nil, err
	}
	for _, o := range e.Over.OrderBy {
		x, err := inner.bind(o.Expr)
		if err != nil {
			return nil, err
		}
		w.OrderBy = append(w.OrderBy, sortKey(x, o))
	}
	switch e.Name {
	case "row_number", "rank", "dense_rank", "ntile":
		w.K = types.Int
	case "percent_rank", "cume_dist":
		w.K = types.Float
	case "lag", "lead", "first_value", "last_value", "nth_value":
		if len(w.Args) == 0 {
			return nil, syntax.Errorf(e.Position(), "%s needs an argument", e.Name)
		}
		w.K = w.Args[0].Kind()
		if (e.Name == "lag" || e.Name == "lead") && len(w.Args) == 3 {
			w.K = types.Widen(w.K, w.Args[2].Kind())
			w.Args[0], w.Args[2] = castExpr(w.Args[0], w.K), castExpr(w.Args[2], w.K)
		}
	default:
		ak := types.Int
		if len(w.Args) > 0 {
			ak = w.Args[0].Kind()
			if (e.Name == "sum" || e.Name == "avg") && ak == types.String {
				w.Args[0], ak = castExpr(w.Args[0], types.Float), types.Float
			}
		}
		w.K = aggregates[e.Name](ak)
	}
	if (e.Name == "lag" || e.Name == "lead" || e.Name == "ntile" || e.Name == "nth_value") && len(w.Args) > 1 {
		if _, ok := w.Args[1].(*Const); !ok {
			return nil, syntax.Errorf(e.Position(), "%s takes a constant offset", e.Name)
		}
	}
	// Frames: Spark's default is the whole partition without ORDER BY and
	// RANGE UNBOUNDED PRECEDING to CURRENT ROW with it.
	w.Start = Bound{Kind: syntax.UnboundedPreceding}
	w.End = Bound{Kind: syntax.UnboundedFollowing}
	if len(w.OrderBy) > 0 {
		w.End = Bound{Kind: syntax.CurrentRow}
	}
	if f := e.Over.Frame; f != nil {
		w.Rows, w.Start, w.End = f.Unit == "ROWS", f.Start, f.End
		if !w.Rows && (f.Start.Kind == syntax.OffsetPreceding || f.Start.Kind == syntax.OffsetFollowing || f.End.Kind == syntax.OffsetPreceding || f.End.Kind == syntax.OffsetFollowing) {
			return nil, syntax.Errorf(e.Position(), "RANGE frames with offsets are not supported; use ROWS")
		}
	}
	text := w.String()
	for i, t := range c.win.names {
		if c.win.calls[i].String() == text {
			return &ColRef{Idx: winBase + i, Name: t, K: w.K}, nil
		}
	}
	c.win.calls = append(c.win.calls, w)
	name := "_w" + strconv.Itoa(len(c.win.names))
	c.win.names = append(c.win.names, name)
	return &ColRef{Idx: winBase + len(c.win.calls) - 1, Name: name, K: w.K}, nil
}

// ---- helpers over syntax trees ----

// walkSyntax visits e and its subexpressions; fn returns false to skip a
// node's children.
func walkSyntax(e syntax.Expr, fn func(syntax.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *syntax.Subscript:
		walkSyntax(e.X, fn)
		walkSyntax(e.Index, fn)
	case *syntax.Field:
		walkSyntax(e.X, fn)
	case *syntax.Unary:
		walkSyntax(e.X, fn)
	case *syntax.Binary:
		walkSyntax(e.L, fn)
		walkSyntax(e.R, fn)
	case *syntax.Call:
		for _, a := range e.Args {
			walkSyntax(a, fn)
		}
		walkSyntax(e.Filter, fn)
		if e.Over != nil {
			for _, p := range e.Over.PartitionBy {
				walkSyntax(p, fn)
			}
			for _, o := range e.Over.OrderBy {
				walkSyntax(o.Expr, fn)
			}
		}
	case *syntax.Case:
		walkSyntax(e.Operand, fn)
		for _, w := range e.Whens {
			walkSyntax(w.Cond, fn)
			walkSyntax(w.Result, fn)
		}
		walkSyntax(e.Else, fn)
	case *syntax.Cast:
		walkSyntax(e.X, fn)
	case *syntax.In:
		walkSyntax(e.X, fn)
		for _, x := range e.List {
			walkSyntax(x, fn)
		}
	case *syntax.Like:
		walkSyntax(e.X, fn)
		walkSyntax(e.Pattern, fn)
	case *syntax.Between:
		walkSyntax(e.X, fn)
		walkSyntax(e.Lo, fn)
		walkSyntax(e.Hi, fn)
	case *syntax.IsNull:
		walkSyntax(e.X, fn)
	}
}

// collectPaths records every column name q mentions, with and without a
// leading qualifier, so sources can resolve nested JSON paths up front.
func collectPaths(q syntax.Node, into map[string]bool) {
	visitExprs(q, func(e syntax.Expr) {
		walkSyntax(e, func(x syntax.Expr) bool {
			switch x.(type) {
			case *syntax.Ident, *syntax.Field, *syntax.Subscript:
				if parts, ok := pathParts(x); ok {
					for i := 0; i < len(parts) && i < 2; i++ {
						into[strings.Join(parts[i:], ".")] = true
					}
				}
			}
			return true
		})
	})
}

// visitExprs calls fn on every top-level expression in a query tree.
func visitExprs(n syntax.Node, fn func(syntax.Expr)) {
	if n == nil {
		return
	}
	each := func(es ...syntax.Expr) {
		for _, e := range es {
			if e != nil {
				fn(e)
			}
		}
	}
	items := func(its []syntax.SelectItem) {
		for _, it := range its {
			each(it.Expr)
		}
	}
	orders := func(os []syntax.OrderItem) {
		for _, o := range os {
			each(o.Expr)
		}
	}
	switch n := n.(type) {
	case *syntax.Select:
		items(n.Items)
		visitExprs(n.From, fn)
		each(n.Where, n.Having)
		each(n.GroupBy...)
		orders(n.OrderBy)
	case *syntax.SetOp:
		visitExprs(n.Left, fn)
		visitExprs(n.Right, fn)
		orders(n.OrderBy)
	case *syntax.With:
		for _, c := range n.CTEs {
			visitExprs(c.Query, fn)
		}
		visitExprs(n.Body, fn)
	case *syntax.FromQuery:
		visitExprs(n.From, fn)
	case *syntax.Pipe:
		visitExprs(n.Input, fn)
		switch op := n.Op.(type) {
		case *syntax.PipeWhere:
			each(op.Cond)
		case *syntax.PipeSelect:
			items(op.Items)
		case *syntax.PipeExtend:
			items(op.Items)
		case *syntax.PipeSet:
			each(op.Exprs...)
		case *syntax.PipeAggregate:
			items(op.Aggs)
			items(op.GroupBy)
		case *syntax.PipeOrderBy:
			orders(op.Items)
		case *syntax.PipeJoin:
			visitExprs(op.Right, fn)
			each(op.On)
		case *syntax.PipeSetOp:
			for _, q := range op.Right {
				visitExprs(q, fn)
			}
		}
	case *syntax.SubqueryTable:
		visitExprs(n.Query, fn)
	case *syntax.WatermarkTable:
		visitExprs(n.Unwrap(), fn)
	case *syntax.Join:
		visitExprs(n.Left, fn)
		visitExprs(n.Right, fn)
		each(n.On)
	}
}

func sortStrings(s []string) { sort.Strings(s) }

// IntervalMicros reads an interval's normalised text ("1 hour",
// "90 minute") as microseconds.
func IntervalMicros(text string) (int64, error) {
	f := strings.Fields(strings.ToLower(text))
	if len(f) != 2 {
		return 0, syntax.Errorf(syntax.NoPos, "cannot read interval %q", text)
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, syntax.Errorf(syntax.NoPos, "cannot read interval %q", text)
	}
	unit := strings.TrimSuffix(f[1], "s")
	var d time.Duration
	switch unit {
	case "microsecond":
		return n, nil
	case "millisecond":
		d = time.Millisecond
	case "second":
		d = time.Second
	case "minute":
		d = time.Minute
	case "hour":
		d = time.Hour
	case "day":
		d = 24 * time.Hour
	case "week":
		d = 7 * 24 * time.Hour
	default:
		return 0, syntax.Errorf(syntax.NoPos, "unsupported interval unit %q (use microsecond … week)", f[1])
	}
	return n * d.Microseconds(), nil
}
