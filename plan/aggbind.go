package plan

import (
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Aggregate binding: GROUP BY scopes and calls of the aggregate catalogue
// (functions.LookupAggregate). What an aggregate accepts and returns is the
// catalogue's; the binder applies it and checks the SQL around the call.

type aggState struct {
	pre        *exprCtx // binds over the aggregate's input
	groups     []Expr
	groupText  []string
	groupNames []string
	aggs       []AggCall
	aggText    []string
	// Under GROUPING SETS: the grouping id's group index (-1 without),
	// how many keys precede it, and the keys' text over the input.
	gid      int
	nKeys    int
	origText []string
	// sets: the query has GROUP BY GROUPING SETS, ROLLUP or CUBE (a
	// global GROUPING SETS (()) has no grouping id column but is one).
	sets bool
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

// aggArgs is an aggregate call's arguments by the roles its shape gives
// them.
type aggArgs struct {
	value syntax.Expr // nil for count(*)
	ord   syntax.Expr // OrderedArgs: the ordering
	param syntax.Expr // FractionArgs: the fraction, a literal in [0, 1]
}

// splitAggArgs checks a call's arguments against its aggregate's shape.
// e.Name, not fn's canonical name, is in the errors: it is what the user
// typed.
func splitAggArgs(e *syntax.Call, fn *functions.Aggregate) (aggArgs, error) {
	args := e.Args
	var a aggArgs
	switch {
	case fn.Shape == functions.OrderedArgs:
		if len(args) != 2 {
			return a, syntax.Errorf(e.Position(), "%s takes two arguments (a value and its ordering), got %d", e.Name, len(args))
		}
		if e.Distinct {
			return a, syntax.Errorf(e.Position(), "%s does not take DISTINCT", e.Name)
		}
		a.value, a.ord = args[0], args[1]
	case len(args) == 1:
		if _, ok := args[0].(*syntax.Star); ok {
			if fn.Shape != functions.CountArgs {
				return a, syntax.Errorf(e.Position(), "only count takes *")
			}
			return a, nil
		}
		if fn.Shape == functions.FractionArgs {
			return a, syntax.Errorf(e.Position(), "%s takes a value and a constant percentage between 0 and 1, got one argument", e.Name)
		}
		a.value = args[0]
	case len(args) == 0 && fn.Shape == functions.CountArgs:
		// count() is count(*) in nectar's older dialect; Spark requires
		// an argument (WRONG_NUM_ARGS).
		return a, syntax.Errorf(e.Position(), "count() needs an argument: count(*) counts rows")
	case fn.Shape == functions.FractionArgs && (len(args) == 2 || len(args) == 3):
		lit, ok := args[1].(*syntax.Literal)
		if !ok || !lit.Value.K.IsNumeric() || lit.Value.AsFloat() < 0 || lit.Value.AsFloat() > 1 {
			return a, syntax.Errorf(args[1].Position(), "%s takes a constant percentage between 0 and 1", e.Name)
		}
		a.value, a.param = args[0], lit
	default:
		return a, syntax.Errorf(e.Position(), "%s takes one argument, got %d", e.Name, len(args))
	}
	return a, nil
}

// countMany binds Spark's count(a, b, …), the rows where no argument is
// NULL, and count(DISTINCT a, b, …), the distinct tuples among them, as a
// count of one expression: 1, or for DISTINCT a text key that encodes the
// tuple without ambiguity (each value's length, then the value). -0.0 is
// 0.0 first, as Spark normalizes it in grouping. The column keeps the
// call's own name.
func (c *exprCtx) countMany(e *syntax.Call, fn *functions.Aggregate, pre *exprCtx) (Expr, error) {
	var conds, parts []string
	for _, a := range e.Args {
		if _, ok := a.(*syntax.Star); ok {
			return nil, syntax.Errorf(a.Position(), "count takes * alone")
		}
		if containsAggregate(a) {
			return nil, syntax.Errorf(a.Position(), "aggregate functions cannot be nested")
		}
		x, err := pre.bind(a)
		if err != nil {
			return nil, err
		}
		s := "(" + a.String() + ")"
		if x.Kind() == types.Float {
			s = "(" + s + " + 0.0)"
		}
		conds = append(conds, s+" IS NOT NULL")
		v := "CAST(" + s + " AS STRING)"
		parts = append(parts, "CAST(length("+v+") AS STRING)", "':'", v)
	}
	then := "1"
	if e.Distinct {
		then = "concat(" + strings.Join(parts, ", ") + ")"
	}
	filter := ""
	if e.Filter != nil {
		filter = " FILTER (WHERE " + e.Filter.String() + ")"
	}
	src := "count(" + map[bool]string{true: "DISTINCT ", false: ""}[e.Distinct] + "CASE WHEN " + strings.Join(conds, " AND ") + " THEN " + then + " END)" + filter
	x, err := syntax.ParseExpr(src)
	if err != nil {
		return nil, syntax.Errorf(e.Position(), "count of several arguments: %v", err)
	}
	return c.aggregate(x.(*syntax.Call), fn)
}

// withinGroupArgs reads f(p) WITHIN GROUP (ORDER BY x [DESC]): the value
// is the one ordering key, the fraction (for percentiles) the argument.
// As in Spark, the ordered-set aggregates need the clause, no other
// function takes it, and DISTINCT does not go with it.
func withinGroupArgs(e *syntax.Call, fn *functions.Aggregate) (aggArgs, bool, error) {
	var a aggArgs
	switch {
	case fn.WithinGroup == functions.WithinGroupNever:
		return a, false, syntax.Errorf(e.Position(), "%s does not take WITHIN GROUP (ORDER BY …)", e.Name)
	case e.WithinGroup == nil:
		return a, false, syntax.Errorf(e.Position(), "%s needs WITHIN GROUP (ORDER BY …): %s(0.5) WITHIN GROUP (ORDER BY x)", e.Name, e.Name)
	case e.Distinct:
		return a, false, syntax.Errorf(e.Position(), "%s … WITHIN GROUP does not take DISTINCT", e.Name)
	case len(e.WithinGroup) != 1:
		return a, false, syntax.Errorf(e.Position(), "%s … WITHIN GROUP orders by one expression, got %d", e.Name, len(e.WithinGroup))
	}
	o := e.WithinGroup[0]
	if o.NullsFirst != nil {
		return a, false, syntax.Errorf(o.Expr.Position(), "NULLS FIRST/LAST has no meaning in WITHIN GROUP: NULLs are skipped")
	}
	a.value = o.Expr
	if fn.Shape == functions.FractionArgs {
		if len(e.Args) != 1 {
			return a, false, syntax.Errorf(e.Position(), "%s takes one constant percentage between 0 and 1 before WITHIN GROUP, got %d arguments", e.Name, len(e.Args))
		}
		lit, ok := e.Args[0].(*syntax.Literal)
		if !ok || !lit.Value.K.IsNumeric() || lit.Value.AsFloat() < 0 || lit.Value.AsFloat() > 1 {
			return a, false, syntax.Errorf(e.Args[0].Position(), "%s takes a constant percentage between 0 and 1", e.Name)
		}
		a.param = lit
	} else if len(e.Args) != 0 {
		return a, false, syntax.Errorf(e.Position(), "%s() WITHIN GROUP takes no arguments, got %d", e.Name, len(e.Args))
	}
	return a, o.Desc, nil
}

// checkAggValue applies fn's Check to the bound value argument x (nil for
// count(*)), casting it as the catalogue asks, and returns it with the
// result kind.
func checkAggValue(e *syntax.Call, fn *functions.Aggregate, x Expr) (Expr, types.Kind, error) {
	argKind := types.Int // count(*) counts BIGINT 1s
	if x != nil {
		argKind = x.Kind()
	}
	cast, k, err := fn.Check(argKind)
	if err != nil {
		return nil, types.Null, syntax.Errorf(e.Position(), "%v", err)
	}
	if x != nil && cast != argKind {
		x = castExpr(x, cast)
	}
	return x, k, nil
}

func (c *exprCtx) aggregate(e *syntax.Call, fn *functions.Aggregate) (Expr, error) {
	if c.agg == nil {
		return nil, syntax.Errorf(e.Position(), "aggregate function %s is not allowed in %s", e.Name, c.clause)
	}
	pre := c.agg.pre.quiet()
	pre.clause = "an aggregate's argument"
	pre.outside = append(append([]*LambdaVar{}, c.outside...), c.lambdas...)
	if fn.Canonical() == "count" && len(e.Args) > 1 && e.WithinGroup == nil {
		return c.countMany(e, fn, pre)
	}
	var args aggArgs
	var err error
	desc := false
	if e.WithinGroup != nil || fn.WithinGroup == functions.WithinGroupRequired {
		args, desc, err = withinGroupArgs(e, fn)
	} else {
		args, err = splitAggArgs(e, fn)
	}
	if err != nil {
		return nil, err
	}
	a := AggCall{Name: fn.Canonical(), Distinct: e.Distinct, WithinGroup: e.WithinGroup != nil, Desc: desc}
	if args.ord != nil {
		if containsAggregate(args.ord) {
			return nil, syntax.Errorf(args.ord.Position(), "aggregate functions cannot be nested")
		}
		if a.Ord, err = pre.bind(args.ord); err != nil {
			return nil, err
		}
	}
	if args.param != nil {
		a.Param = args.param.(*syntax.Literal).Value.AsFloat()
	}
	if args.value != nil {
		if containsAggregate(args.value) {
			return nil, syntax.Errorf(args.value.Position(), "aggregate functions cannot be nested")
		}
		if a.Arg, err = pre.bind(args.value); err != nil {
			return nil, err
		}
	}
	if a.Arg, a.K, err = checkAggValue(e, fn, a.Arg); err != nil {
		return nil, err
	}
	if e.Filter != nil {
		f, err := pre.bindBool(e.Filter)
		if err != nil {
			return nil, err
		}
		a.Filter = f
	}
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

// containsAggregate reports whether e calls an aggregate outside any OVER
// clause and outside subqueries, which aggregate on their own.
func containsAggregate(e syntax.Expr) bool {
	found := false
	syntax.Inspect(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case syntax.Query:
			return false
		case *syntax.Call:
			if n.Over != nil {
				return false
			}
			if _, ok := functions.LookupAggregate(n.Name); ok {
				found = true
			}
		}
		return !found
	})
	return found
}

// firstAggregate is where the first aggregate call outside a window in e
// starts, as containsAggregate finds them.
func firstAggregate(e syntax.Expr) (syntax.Pos, bool) {
	var pos syntax.Pos
	found := false
	syntax.Inspect(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case syntax.Query:
			return false
		case *syntax.Call:
			if n.Over != nil {
				return false
			}
			if _, ok := functions.LookupAggregate(n.Name); ok && !found {
				pos, found = n.Position(), true
			}
		}
		return !found
	})
	return pos, found
}

// groupingKeys returns a SELECT's grouping keys: GROUP BY's, or for
// GROUPING SETS each distinct key in order of first appearance (Spark's
// order, which grouping_id's bits follow) with each set's grouping id.
func groupingKeys(sel *syntax.Select) ([]syntax.Expr, []int64) {
	if sel.GroupingSets == nil {
		return sel.GroupBy, nil
	}
	var keys []syntax.Expr
	index := map[string]int{}
	for _, k := range sel.GroupBy {
		// Hive's GROUP BY a, b GROUPING SETS (…) lists the keys first.
		k = setKey(sel, k)
		if _, ok := index[canonText(k)]; !ok {
			index[canonText(k)] = len(keys)
			keys = append(keys, k)
		}
	}
	for _, set := range sel.GroupingSets {
		for _, k := range set {
			k = setKey(sel, k)
			if _, ok := index[canonText(k)]; !ok {
				index[canonText(k)] = len(keys)
				keys = append(keys, k)
			}
		}
	}
	ids := make([]int64, len(sel.GroupingSets))
	for i, set := range sel.GroupingSets {
		id := int64(1)<<len(keys) - 1
		for _, k := range set {
			id &^= 1 << (len(keys) - 1 - index[canonText(setKey(sel, k))])
		}
		ids[i] = id
	}
	return keys, ids
}

// setKey is a grouping set's key with a position (GROUPING SETS ((1), (a,
// 2))) read as the select item it names, as Spark reads it, so that the
// position and the item's own text are one key. A position out of range or
// naming * is left for resolveGroupItem to refuse.
func setKey(sel *syntax.Select, k syntax.Expr) syntax.Expr {
	if idx, ok := ordinal(k); ok && idx >= 1 && idx <= len(sel.Items) {
		if _, star := sel.Items[idx-1].Expr.(*syntax.Star); !star {
			return sel.Items[idx-1].Expr
		}
	}
	return k
}

// canonText is an expression's text with the operands of commutative
// operators in a fixed order, so (a + b) and (b + a) are one grouping key,
// as Spark's semantic equality makes them.
func canonText(e syntax.Expr) string {
	if b, ok := e.(*syntax.Binary); ok {
		switch strings.ToUpper(b.Op) {
		case "+", "*", "AND", "OR", "=", "==", "<=>", "!=", "<>":
			l, r := canonText(b.L), canonText(b.R)
			if l > r {
				l, r = r, l
			}
			return "(" + l + " " + strings.ToUpper(b.Op) + " " + r + ")"
		}
	}
	return e.String()
}

// expand puts a plan.Expand under the aggregation: the grouping keys
// become its key columns (after the input's width columns) and the
// grouping id a last, hidden key, so each grouping set makes its own
// groups. Select items still match keys by their text over the input.
func (a *aggState) expand(in Node, width int, ids []int64) Node {
	x := &Expand{Input: in, Keys: a.groups, Names: a.groupNames, Sets: ids}
	seen := map[int64]bool{}
	for _, id := range ids {
		x.Positions = x.Positions || seen[id]
		seen[id] = true
	}
	a.origText = append([]string(nil), a.groupText...)
	groups := make([]Expr, 0, len(a.groups)+1)
	for i, g := range a.groups {
		groups = append(groups, &ColRef{Idx: width + i, Name: a.groupNames[i], K: g.Kind()})
	}
	a.groups = append(groups, &ColRef{Idx: width + len(groups), Name: GroupingIDName, K: types.Int})
	a.groupText = append(a.groupText, "\x00"+GroupingIDName)
	a.groupNames = append(a.groupNames, GroupingIDName)
	a.gid = len(a.groups) - 1
	a.nKeys = len(groups)
	if x.Positions {
		a.groups = append(a.groups, &ColRef{Idx: width + len(groups) + 1, Name: "_gen_grouping_pos", K: types.Int})
		a.groupText = append(a.groupText, "\x00_gen_grouping_pos")
		a.groupNames = append(a.groupNames, "_gen_grouping_pos")
	}
	return x
}

// groupAll binds GROUP BY ALL: every select item that holds no aggregate
// is a key (Spark: a select list of aggregates only is a global
// aggregation; one without any, a DISTINCT).
func (a *aggState) groupAll(items []item, sc scope) error {
	for _, it := range items {
		var bound Expr
		if it.col >= 0 {
			bound = &ColRef{Idx: it.col, Name: sc[it.col].Name, K: sc[it.col].Kind}
		} else if containsAggregate(it.expr) {
			continue
		} else {
			var err error
			if bound, err = a.pre.bind(it.expr); err != nil {
				return err
			}
		}
		a.groups = append(a.groups, bound)
		a.groupText = append(a.groupText, bound.String())
		a.groupNames = append(a.groupNames, it.name)
	}
	return nil
}

// grouping binds grouping(key) and grouping_id([keys]) over GROUPING SETS,
// ROLLUP or CUBE: bits of the grouping id, 1 where the row's set leaves
// the key out.
func (c *exprCtx) grouping(e *syntax.Call) (Expr, error) {
	a := c.agg
	if a != nil && a.sets && a.gid < 0 && len(a.groups) == 0 && e.Name == "grouping_id" && len(e.Args) == 0 {
		return &Const{V: types.IntValue(0)}, nil // GROUPING SETS (())
	}
	if a == nil || a.gid < 0 {
		return nil, syntax.Errorf(e.Position(), "%s needs GROUP BY GROUPING SETS, ROLLUP or CUBE", e.Name)
	}
	if a.nKeys == 0 && (c.clause == "HAVING" || c.clause == "ORDER BY") {
		// GROUPING SETS ((), ()): sets without a key, over which Spark
		// refuses grouping functions in HAVING and ORDER BY (it answers
		// 0 in the select list).
		return nil, syntax.Errorf(e.Position(), "[UNSUPPORTED_GROUPING_EXPRESSION] %s needs a grouping key; these grouping sets have none", e.Name)
	}
	gid := &ColRef{Idx: a.gid, Name: GroupingIDName, K: types.Int}
	keyIndex := func(x syntax.Expr) (int, error) {
		bound, err := a.pre.quiet().bind(x)
		if err != nil {
			return 0, err
		}
		for i := 0; i < a.nKeys; i++ {
			if a.origText[i] == bound.String() {
				return i, nil
			}
		}
		return 0, syntax.Errorf(x.Position(), "%s takes grouping keys; %s is not one", e.Name, x)
	}
	bit := func(i int) Expr {
		shifted := &Op{Op: OpIntDiv, Args: []Expr{gid, &Const{V: types.IntValue(1 << (a.nKeys - 1 - i))}}, K: types.Int}
		return &Op{Op: OpMod, Args: []Expr{shifted, &Const{V: types.IntValue(2)}}, K: types.Int}
	}
	if e.Name == "grouping" {
		if len(e.Args) != 1 {
			return nil, syntax.Errorf(e.Position(), "grouping takes one grouping key, got %d arguments", len(e.Args))
		}
		i, err := keyIndex(e.Args[0])
		if err != nil {
			return nil, err
		}
		return bit(i), nil
	}
	if len(e.Args) == 0 {
		return gid, nil
	}
	// grouping_id(k1, …, kn): the bits of those keys, k1 the highest.
	var out Expr
	for j, x := range e.Args {
		i, err := keyIndex(x)
		if err != nil {
			return nil, err
		}
		var term Expr = bit(i)
		if w := len(e.Args) - 1 - j; w > 0 {
			term = &Op{Op: OpMul, Args: []Expr{term, &Const{V: types.IntValue(1 << w)}}, K: types.Int}
		}
		if out == nil {
			out = term
		} else {
			out = &Op{Op: OpAdd, Args: []Expr{out, term}, K: types.Int}
		}
	}
	return out, nil
}
