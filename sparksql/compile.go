package sparksql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// ErrUnsupported is wrapped by every error about a construct the Spark
// backend cannot run with nectar's meaning. Such queries fail before
// anything is sent.
var ErrUnsupported = errors.New("not supported on the Spark engine")

// UnsupportedError names the construct.
type UnsupportedError struct{ Construct string }

func (e *UnsupportedError) Error() string {
	return e.Construct + " is not supported on the Spark engine (run it with the local engine)"
}
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

func unsupported(what string) error { return &UnsupportedError{Construct: what} }

// Query is a compiled plan: statements that set up temporary views over the
// sources, then one query whose columns carry nectar's names.
type Query struct {
	Views []string
	SQL   string
}

// String is the whole script, as --explain shows it.
func (q *Query) String() string {
	var b strings.Builder
	for _, v := range q.Views {
		b.WriteString(v)
		b.WriteString(";\n")
	}
	b.WriteString(q.SQL)
	b.WriteString(";\n")
	return b.String()
}

// Compile turns an optimised plan into Spark SQL. Every node is a SELECT
// over its child in a subquery, with columns named c0, c1, … by position,
// so user names never clash or need resolving; the outermost SELECT gives
// the columns nectar's names.
func Compile(n plan.Node) (*Query, error) {
	c := &compiler{}
	body, err := c.node(n)
	if err != nil {
		return nil, err
	}
	schema := n.Schema()
	sel := make([]string, len(schema))
	for i, col := range schema {
		sel[i] = colName(i) + " AS " + ident(col.Name)
	}
	if len(sel) == 0 {
		return nil, unsupported("a query with no columns")
	}
	return &Query{Views: c.views, SQL: fmt.Sprintf("SELECT %s FROM (%s) %s", strings.Join(sel, ", "), body, c.alias())}, nil
}

type compiler struct {
	views   []string
	aliases int
}

func (c *compiler) alias() string {
	c.aliases++
	return fmt.Sprintf("t%d", c.aliases)
}

func colName(i int) string { return fmt.Sprintf("c%d", i) }

// cols names column i of a node's single input.
var cols = colName

func (c *compiler) node(n plan.Node) (string, error) {
	switch n := n.(type) {
	case *plan.Scan:
		return c.scanSQL(n)
	case *plan.Shared:
		// A WITH query used twice: Spark inlines CTEs the same way.
		return c.node(n.Input)
	case *plan.OneRow:
		return "SELECT 1 AS `_nectar_none`", nil
	case *plan.Values:
		// Spark's own inline table, its columns named as every compiled
		// node's are (c0, c1, …).
		rows := make([]string, len(n.Rows))
		for i, r := range n.Rows {
			vals := make([]string, len(r))
			for j, e := range r {
				s, err := c.expr(e, cols)
				if err != nil {
					return "", err
				}
				vals[j] = s
			}
			rows[i] = "(" + strings.Join(vals, ", ") + ")"
		}
		names := make([]string, len(n.Names))
		for i := range names {
			names[i] = colName(i)
		}
		return fmt.Sprintf("SELECT * FROM VALUES %s AS %s(%s)", strings.Join(rows, ", "), c.alias(), strings.Join(names, ", ")), nil
	case *plan.Filter:
		in, err := c.node(n.Input)
		if err != nil {
			return "", err
		}
		cond, err := c.expr(n.Cond, cols)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("SELECT * FROM (%s) %s WHERE %s", in, c.alias(), cond), nil
	case *plan.Project:
		in, err := c.node(n.Input)
		if err != nil {
			return "", err
		}
		sel, err := c.list(n.Exprs, 0)
		if err != nil {
			return "", err
		}
		if len(sel) == 0 {
			sel = []string{"1 AS `_nectar_none`"}
		}
		return fmt.Sprintf("SELECT %s FROM (%s) %s", strings.Join(sel, ", "), in, c.alias()), nil
	case *plan.Generate:
		return c.generate(n)
	case *plan.Aggregate:
		return c.aggregate(n)
	case *plan.Window:
		return c.window(n)
	case *plan.Sort:
		in, err := c.node(n.Input)
		if err != nil {
			return "", err
		}
		keys, err := c.sortKeys(n.Keys)
		if err != nil {
			return "", err
		}
		q := fmt.Sprintf("SELECT * FROM (%s) %s ORDER BY %s", in, c.alias(), keys)
		if n.Limit >= 0 && n.Limit <= 1<<31-1 {
			q += fmt.Sprintf(" LIMIT %d", n.Limit)
		}
		return q, nil
	case *plan.Limit:
		in, err := c.node(n.Input)
		if err != nil {
			return "", err
		}
		q := fmt.Sprintf("SELECT * FROM (%s) %s", in, c.alias())
		// Spark's LIMIT takes an INT; more rows than that is no limit.
		if n.Count >= 0 && n.Count <= 1<<31-1 {
			q += fmt.Sprintf(" LIMIT %d", n.Count)
		}
		if n.Offset > 0 {
			if n.Offset > 1<<31-1 {
				return "", unsupported("OFFSET beyond 2147483647")
			}
			q += fmt.Sprintf(" OFFSET %d", n.Offset)
		}
		return q, nil
	case *plan.Distinct:
		in, err := c.node(n.Input)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("SELECT DISTINCT * FROM (%s) %s", in, c.alias()), nil
	case *plan.Join:
		return c.join(n)
	case *plan.SetOp:
		return c.setOp(n)
	case *plan.Watermark:
		// A batch query has no state for a watermark to close.
		return c.node(n.Input)
	case *plan.TimeWindows:
		return c.timeWindows(n)
	case *plan.Expand:
		return c.expand(n)
	}
	return "", unsupported(fmt.Sprintf("plan node %T", n))
}

// timeWindows is Spark's own window(time, size, slide), whose struct's
// fields become the two columns after the input's. Spark expands rows
// into their windows and drops rows without a time, as plan.TimeWindows
// does.
func (c *compiler) timeWindows(n *plan.TimeWindows) (string, error) {
	in, err := c.node(n.Input)
	if err != nil {
		return "", err
	}
	tm, err := c.expr(n.Time, cols)
	if err != nil {
		return "", err
	}
	width := len(n.Input.Schema())
	sel := make([]string, 0, width+2)
	for i := range width {
		sel = append(sel, colName(i))
	}
	sel = append(sel, "`window`.start AS "+colName(width), "`window`.end AS "+colName(width+1))
	return fmt.Sprintf("SELECT %s FROM (SELECT *, window(%s, '%s', '%s') AS `window` FROM (%s) %s) %s",
		strings.Join(sel, ", "), tm, plan.IntervalText(n.Size), plan.IntervalText(n.Slide), in, c.alias(), c.alias()), nil
}

// expand is plan.Expand as Spark SQL: the input once per grouping set,
// with the keys the set leaves out as typed NULLs, then the set's id (and
// position), joined by UNION ALL; the Aggregate above groups the union.
func (c *compiler) expand(n *plan.Expand) (string, error) {
	in, err := c.node(n.Input)
	if err != nil {
		return "", err
	}
	width := len(n.Input.Schema())
	keys, err := c.list(n.Keys, width)
	if err != nil {
		return "", err
	}
	parts := make([]string, len(n.Sets))
	for s, id := range n.Sets {
		sel := make([]string, 0, width+len(n.Keys)+2)
		for i := range width {
			sel = append(sel, colName(i))
		}
		for i, k := range n.Keys {
			if n.Has(id, i) {
				sel = append(sel, keys[i])
			} else {
				sel = append(sel, fmt.Sprintf("CAST(NULL AS %s) AS %s", sparkType(k.Kind()), colName(width+i)))
			}
		}
		sel = append(sel, fmt.Sprintf("CAST(%d AS BIGINT) AS %s", id, colName(width+len(n.Keys))))
		if n.Positions {
			sel = append(sel, fmt.Sprintf("CAST(%d AS BIGINT) AS %s", s, colName(width+len(n.Keys)+1)))
		}
		parts[s] = fmt.Sprintf("SELECT %s FROM (%s) %s", strings.Join(sel, ", "), in, c.alias())
	}
	return strings.Join(parts, " UNION ALL "), nil
}

// list compiles expressions over one input, naming them c(first), c(first+1), ….
func (c *compiler) list(es []plan.Expr, first int) ([]string, error) {
	out := make([]string, len(es))
	for i, e := range es {
		s, err := c.expr(e, cols)
		if err != nil {
			return nil, err
		}
		out[i] = s + " AS " + colName(first+i)
	}
	return out, nil
}

func (c *compiler) sortKeys(keys []plan.SortKey) (string, error) {
	out := make([]string, len(keys))
	for i, k := range keys {
		s, err := c.expr(k.Expr, cols)
		if err != nil {
			return "", err
		}
		if k.Desc {
			s += " DESC"
		} else {
			s += " ASC"
		}
		if k.NullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
		out[i] = s
	}
	return strings.Join(out, ", "), nil
}

// aggregate computes the group keys in an inner SELECT (as k0, k1, …), so
// GROUP BY names plain columns rather than repeating expressions.
func (c *compiler) aggregate(n *plan.Aggregate) (string, error) {
	in, err := c.node(n.Input)
	if err != nil {
		return "", err
	}
	inner := in
	if len(n.Groups) > 0 {
		keys := make([]string, len(n.Groups))
		for i, g := range n.Groups {
			s, err := c.expr(g, cols)
			if err != nil {
				return "", err
			}
			keys[i] = s + fmt.Sprintf(" AS k%d", i)
		}
		inner = fmt.Sprintf("SELECT *, %s FROM (%s) %s", strings.Join(keys, ", "), in, c.alias())
	}
	sel := make([]string, 0, len(n.Names))
	group := make([]string, len(n.Groups))
	for i := range n.Groups {
		sel = append(sel, fmt.Sprintf("k%d AS %s", i, colName(i)))
		group[i] = fmt.Sprintf("k%d", i)
	}
	for i, a := range n.Aggs {
		s, err := c.agg(a)
		if err != nil {
			return "", err
		}
		sel = append(sel, s+" AS "+colName(len(n.Groups)+i))
	}
	q := fmt.Sprintf("SELECT %s FROM (%s) %s", strings.Join(sel, ", "), inner, c.alias())
	if len(group) > 0 {
		q += " GROUP BY " + strings.Join(group, ", ")
	}
	return q, nil
}

// agg spells an aggregate call as its catalogue entry says.
func (c *compiler) agg(a plan.AggCall) (string, error) {
	fn, err := a.Func()
	if err != nil {
		return "", unsupported("aggregate " + a.Name)
	}
	call := functions.SparkCall{Arg: "*", Distinct: a.Distinct, WithinGroup: a.WithinGroup, Desc: a.Desc}
	if a.Arg != nil {
		if call.Arg, err = c.expr(a.Arg, cols); err != nil {
			return "", err
		}
	}
	if a.Ord != nil {
		if call.Ord, err = c.expr(a.Ord, cols); err != nil {
			return "", err
		}
	}
	if fn.Shape == functions.FractionArgs {
		call.Param = floatLit(a.Param)
	}
	return c.filtered(fn.Spark(call), a, cols)
}

// filtered adds the aggregate's FILTER clause to its call s and casts the
// result to nectar's type.
func (c *compiler) filtered(s string, a plan.AggCall, cols func(int) string) (string, error) {
	if a.Filter != nil {
		f, err := c.expr(a.Filter, cols)
		if err != nil {
			return "", err
		}
		s += " FILTER (WHERE " + f + ")"
	}
	return castTo(s, a.K), nil
}

func (c *compiler) window(n *plan.Window) (string, error) {
	in, err := c.node(n.Input)
	if err != nil {
		return "", err
	}
	base := len(n.Input.Schema())
	sel := []string{"*"}
	for i, w := range n.Calls {
		wf, isWin := functions.LookupWindow(w.Name)
		af, isAgg := functions.LookupAggregate(w.Name)
		if !isWin && (!isAgg || !af.SparkWindow) {
			return "", unsupported("window function " + w.Name)
		}
		args := make([]string, len(w.Args))
		for j, a := range w.Args {
			if k, ok := a.(*plan.Const); ok && k.V.K == types.Int && isWin && j == wf.Const {
				// Spark takes offsets and bucket counts as INT literals only.
				if k.V.I > 1<<31-1 || k.V.I < -1<<31 {
					return "", unsupported(fmt.Sprintf("%s with an offset beyond INT", w.Name))
				}
				args[j] = strconv.FormatInt(k.V.I, 10)
				continue
			}
			s, err := c.expr(a, cols)
			if err != nil {
				return "", err
			}
			args[j] = s
		}
		var call string
		if isWin {
			call = wf.Spark(args)
		} else {
			sc := functions.SparkCall{Arg: "*"}
			if len(args) > 0 {
				sc.Arg = args[0]
			}
			call = af.Spark(sc)
		}
		if w.Filter != nil {
			f, err := c.expr(w.Filter, cols)
			if err != nil {
				return "", err
			}
			call += " FILTER (WHERE " + f + ")"
		}
		if w.IgnoreNulls {
			call += " IGNORE NULLS"
		}
		var spec []string
		if len(w.PartitionBy) > 0 {
			parts := make([]string, len(w.PartitionBy))
			for j, p := range w.PartitionBy {
				s, err := c.expr(p, cols)
				if err != nil {
					return "", err
				}
				parts[j] = s
			}
			spec = append(spec, "PARTITION BY "+strings.Join(parts, ", "))
		}
		if len(w.OrderBy) > 0 {
			keys, err := c.sortKeys(w.OrderBy)
			if err != nil {
				return "", err
			}
			spec = append(spec, "ORDER BY "+keys)
		}
		// Spark refuses a frame on ranking and offset functions, which
		// nectar computes over the whole partition.
		if !isWin || wf.Framed {
			unit := "RANGE"
			if w.Rows {
				unit = "ROWS"
			}
			spec = append(spec, fmt.Sprintf("%s BETWEEN %s AND %s", unit, bound(w.Start), bound(w.End)))
		}
		sel = append(sel, castTo(call+" OVER ("+strings.Join(spec, " ")+")", w.K)+" AS "+colName(base+i))
	}
	return fmt.Sprintf("SELECT %s FROM (%s) %s", strings.Join(sel, ", "), in, c.alias()), nil
}

func bound(b plan.Bound) string {
	off := strconv.FormatInt(b.Offset, 10)
	if !b.Value.IsNull() {
		// A fraction or an interval: Spark casts it to the ORDER BY key's
		// type (WindowFrameCoercion).
		off, _ = literal(b.Value)
	}
	switch b.Kind {
	case plan.UnboundedPreceding:
		return "UNBOUNDED PRECEDING"
	case plan.OffsetPreceding:
		return off + " PRECEDING"
	case plan.CurrentRow:
		return "CURRENT ROW"
	case plan.OffsetFollowing:
		return off + " FOLLOWING"
	}
	return "UNBOUNDED FOLLOWING"
}

func (c *compiler) join(n *plan.Join) (string, error) {
	left, err := c.node(n.Left)
	if err != nil {
		return "", err
	}
	right, err := c.node(n.Right)
	if err != nil {
		return "", err
	}
	la, ra := c.alias(), c.alias()
	nl := len(n.Left.Schema())
	leftCol := func(i int) string { return la + "." + colName(i) }
	rightCol := func(i int) string { return ra + "." + colName(i) }
	both := func(i int) string {
		if i < nl {
			return leftCol(i)
		}
		return rightCol(i - nl)
	}
	var conds []string
	for i := range n.LeftKeys {
		l, err := c.expr(n.LeftKeys[i], leftCol)
		if err != nil {
			return "", err
		}
		r, err := c.expr(n.RightKeys[i], rightCol)
		if err != nil {
			return "", err
		}
		conds = append(conds, fmt.Sprintf("(%s = %s)", l, r))
	}
	if n.Residual != nil {
		s, err := c.expr(n.Residual, both)
		if err != nil {
			return "", err
		}
		conds = append(conds, s)
	}
	var kind string
	switch n.Kind {
	case plan.InnerJoin, plan.CrossJoin:
		kind = "JOIN"
		if len(conds) == 0 {
			kind = "CROSS JOIN"
		}
	case plan.LeftJoin:
		kind = "LEFT OUTER JOIN"
	case plan.RightJoin:
		kind = "RIGHT OUTER JOIN"
	case plan.FullJoin:
		kind = "FULL OUTER JOIN"
	case plan.SemiJoin:
		kind = "LEFT SEMI JOIN"
	case plan.AntiJoin:
		kind = "LEFT ANTI JOIN"
	default:
		return "", unsupported("join kind " + string(n.Kind))
	}
	on := ""
	if len(conds) > 0 {
		on = " ON " + strings.Join(conds, " AND ")
	} else if kind != "CROSS JOIN" {
		on = " ON true"
	}
	var sel []string
	for i := range n.Schema() {
		sel = append(sel, both(i)+" AS "+colName(i))
	}
	if len(sel) == 0 {
		sel = []string{"1 AS `_nectar_none`"}
	}
	return fmt.Sprintf("SELECT %s FROM (%s) %s %s (%s) %s%s", strings.Join(sel, ", "), left, la, kind, right, ra, on), nil
}

func (c *compiler) setOp(n *plan.SetOp) (string, error) {
	side := func(in plan.Node) (string, error) {
		q, err := c.node(in)
		if err != nil {
			return "", err
		}
		sel := make([]string, len(n.Kinds))
		for i, k := range n.Kinds {
			sel[i] = castTo(colName(i), k) + " AS " + colName(i)
		}
		return fmt.Sprintf("SELECT %s FROM (%s) %s", strings.Join(sel, ", "), q, c.alias()), nil
	}
	l, err := side(n.Left)
	if err != nil {
		return "", err
	}
	r, err := side(n.Right)
	if err != nil {
		return "", err
	}
	op := strings.ToUpper(n.Op)
	switch op {
	case "UNION", "INTERSECT", "EXCEPT":
	default:
		return "", unsupported("set operation " + n.Op)
	}
	if n.All {
		op += " ALL"
	} else {
		op += " DISTINCT"
	}
	return fmt.Sprintf("SELECT * FROM ((%s) %s (%s)) %s", l, op, r, c.alias()), nil
}

// sparkType is the Spark type nectar's kind k maps to.
func sparkType(k types.Kind) string {
	switch k {
	case types.Bool:
		return "BOOLEAN"
	case types.Int:
		return "BIGINT"
	case types.Float:
		return "DOUBLE"
	case types.String:
		return "STRING"
	case types.Timestamp:
		return "TIMESTAMP"
	case types.Date:
		return "DATE"
	case types.Binary:
		return "BINARY"
	}
	if k.IsNested() || k.IsInterval() {
		return k.String()
	}
	return ""
}

// castTo casts e to kind k, so Spark's narrower result types (INT, DECIMAL,
// arrays) become nectar's before anything computes with them.
func castTo(e string, k types.Kind) string {
	t := sparkType(k)
	if t == "" {
		return e
	}
	return "CAST(" + e + " AS " + t + ")"
}

// ident quotes a name with backquotes, doubling inner ones.
func ident(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quote is a Spark string literal. Spark reads backslash escapes in
// literals, so backslashes are doubled along with the quote.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s) + "'"
}
