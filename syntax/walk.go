package syntax

import (
	"errors"
	"fmt"
)

// The generic walkers over syntax trees, after go-mysql-server's
// transform.Inspect and transform.Node: one switch (edit, below) knows
// every node kind's children, and Inspect, Rewrite and RewriteInPlace are
// built on it, so code that looks for or replaces something in a query
// does not re-implement the tree. walk_test.go fails when a node kind is
// added to the package without a case here.

// ErrRewrite is wrapped when a Rewrite function puts a node where its kind
// cannot go (a table expression in place of an expression, say).
var ErrRewrite = errors.New("rewrite puts a node where its kind cannot go")

// Inspect calls f on n, then, if f returns true, on each of n's children
// (statements, queries, pipe operators, table expressions, expressions) in
// source order, depth first: f returns false to skip a node's children,
// as with go/ast.Inspect. Parts that are not nodes (SelectItem, OrderItem,
// When, CTE, NamedArg, WindowSpec, Frame) are passed through to the nodes
// they hold. A nil n is not visited.
func Inspect(n Node, f func(Node) bool) {
	if isNil(n) || !f(n) {
		return
	}
	// An Inspect never fails or replaces a child.
	_, _ = edit(n, func(c Node) (Node, error) {
		Inspect(c, f)
		return c, nil
	}, false)
}

// Rewrite returns n with every node replaced by what f returns for it,
// children first (so f sees a node whose children are already rewritten);
// f returns its argument to keep a node. n itself is not modified: the
// nodes on the path to a replaced one are copied, the rest are shared
// with n. f's errors, and ErrRewrite for a node of the wrong kind, stop
// the rewrite.
func Rewrite(n Node, f func(Node) (Node, error)) (Node, error) {
	return rewrite(n, f, true)
}

// RewriteInPlace is Rewrite that stores the replacements in the fields of
// n's nodes instead of copying them; it returns f's result for n itself.
// Use it when other code holds the tree (a view's definition, a query
// being prepared) and must see the change.
func RewriteInPlace(n Node, f func(Node) (Node, error)) (Node, error) {
	return rewrite(n, f, false)
}

func rewrite(n Node, f func(Node) (Node, error), clone bool) (Node, error) {
	if isNil(n) {
		return n, nil
	}
	m, err := edit(n, func(c Node) (Node, error) { return rewrite(c, f, clone) }, clone)
	if err != nil {
		return n, err
	}
	return f(m)
}

// isNil reports a nil interface or a nil pointer in one (an absent child
// such as a Select's Where).
func isNil(n Node) bool {
	if n == nil {
		return true
	}
	switch x := n.(type) {
	case *Interval:
		return x == nil
	}
	return false
}

// editor applies fn to the children of one node and keeps what it
// returns. With clone set, slices are copied before an element changes,
// so that the node being edited (itself a copy) shares nothing it changes
// with the original.
type editor struct {
	fn      func(Node) (Node, error)
	clone   bool
	changed bool
	err     error
}

func (e *editor) node(c Node) Node {
	if e.err != nil || isNil(c) {
		return c
	}
	r, err := e.fn(c)
	if err != nil {
		e.err = err
		return c
	}
	if r != c {
		e.changed = true
	}
	return r
}

func (e *editor) wrongKind(got Node, want string) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: %T in place of %s", ErrRewrite, got, want)
	}
}

func (e *editor) expr(x Expr) Expr {
	if x == nil {
		return nil
	}
	r := e.node(x)
	if y, ok := r.(Expr); ok {
		return y
	}
	e.wrongKind(r, "an expression")
	return x
}

func (e *editor) query(q Query) Query {
	if q == nil {
		return nil
	}
	r := e.node(q)
	if y, ok := r.(Query); ok {
		return y
	}
	e.wrongKind(r, "a query")
	return q
}

func (e *editor) table(t TableExpr) TableExpr {
	if t == nil {
		return nil
	}
	r := e.node(t)
	if y, ok := r.(TableExpr); ok {
		return y
	}
	e.wrongKind(r, "a table expression")
	return t
}

func (e *editor) pipeOp(o PipeOp) PipeOp {
	if o == nil {
		return nil
	}
	r := e.node(o)
	if y, ok := r.(PipeOp); ok {
		return y
	}
	e.wrongKind(r, "a pipe operator")
	return o
}

func (e *editor) interval(iv *Interval) *Interval {
	if iv == nil {
		return nil
	}
	r := e.node(iv)
	if y, ok := r.(*Interval); ok {
		return y
	}
	e.wrongKind(r, "an interval")
	return iv
}

// copyOnWrite returns s itself, or a copy when cloning, for editing.
func copyOnWrite[T any](e *editor, s []T) []T {
	if !e.clone || s == nil {
		return s
	}
	return append([]T(nil), s...)
}

func (e *editor) exprs(xs []Expr) []Expr {
	out := copyOnWrite(e, xs)
	for i, x := range xs {
		out[i] = e.expr(x)
	}
	return out
}

func (e *editor) items(its []SelectItem) []SelectItem {
	out := copyOnWrite(e, its)
	for i, it := range its {
		out[i].Expr = e.expr(it.Expr)
	}
	return out
}

func (e *editor) orders(os []OrderItem) []OrderItem {
	out := copyOnWrite(e, os)
	for i, o := range os {
		out[i].Expr = e.expr(o.Expr)
	}
	return out
}

func (e *editor) queries(qs []Query) []Query {
	out := copyOnWrite(e, qs)
	for i, q := range qs {
		out[i] = e.query(q)
	}
	return out
}

// edit applies fn to each child of n, in source order, and returns the
// node with fn's results in place: n itself, or with clone a copy of n
// when a child changed. It is the one place that knows every node kind's
// children.
func edit(n Node, fn func(Node) (Node, error), clone bool) (Node, error) {
	e := &editor{fn: fn, clone: clone}
	var out Node
	switch n := n.(type) {
	// statements
	case *QueryStmt:
		c := cp(e, n)
		c.Query = e.query(n.Query)
		out = c
	case *CreateView:
		c := cp(e, n)
		c.Query = e.query(n.Query)
		out = c
	case *Describe:
		c := cp(e, n)
		c.Query = e.query(n.Query)
		out = c
	case *Explain:
		c := cp(e, n)
		c.Query = e.query(n.Query)
		out = c
	case *DropView, *SetStmt, *ResetStmt:
		return n, nil

	// queries
	case *Select:
		c := cp(e, n)
		c.Items = e.items(n.Items)
		c.From = e.table(n.From)
		c.Where = e.expr(n.Where)
		c.GroupBy = e.exprs(n.GroupBy)
		c.GroupingSets = copyOnWrite(e, n.GroupingSets)
		for i, set := range n.GroupingSets {
			c.GroupingSets[i] = e.exprs(set)
		}
		c.Having = e.expr(n.Having)
		c.Qualify = e.expr(n.Qualify)
		c.OrderBy = e.orders(n.OrderBy)
		c.Limit = e.expr(n.Limit)
		c.Offset = e.expr(n.Offset)
		out = c
	case *SetOp:
		c := cp(e, n)
		c.Left = e.query(n.Left)
		c.Right = e.query(n.Right)
		c.OrderBy = e.orders(n.OrderBy)
		c.Limit = e.expr(n.Limit)
		c.Offset = e.expr(n.Offset)
		out = c
	case *With:
		c := cp(e, n)
		c.CTEs = copyOnWrite(e, n.CTEs)
		for i, cte := range n.CTEs {
			c.CTEs[i].Query = e.query(cte.Query)
		}
		c.Body = e.query(n.Body)
		out = c
	case *FromQuery:
		c := cp(e, n)
		c.From = e.table(n.From)
		out = c
	case *Pipe:
		c := cp(e, n)
		c.Input = e.query(n.Input)
		c.Op = e.pipeOp(n.Op)
		out = c

	// pipe operators
	case *PipeWhere:
		c := cp(e, n)
		c.Cond = e.expr(n.Cond)
		out = c
	case *PipeSelect:
		c := cp(e, n)
		c.Items = e.items(n.Items)
		c.GroupBy = e.exprs(n.GroupBy)
		out = c
	case *PipeExtend:
		c := cp(e, n)
		c.Items = e.items(n.Items)
		out = c
	case *PipeSet:
		c := cp(e, n)
		c.Exprs = e.exprs(n.Exprs)
		out = c
	case *PipeAggregate:
		c := cp(e, n)
		c.Aggs = e.items(n.Aggs)
		c.GroupBy = e.items(n.GroupBy)
		out = c
	case *PipeOrderBy:
		c := cp(e, n)
		c.Items = e.orders(n.Items)
		out = c
	case *PipeLimit:
		c := cp(e, n)
		c.Limit = e.expr(n.Limit)
		c.Offset = e.expr(n.Offset)
		out = c
	case *PipeJoin:
		c := cp(e, n)
		c.Right = e.table(n.Right)
		c.On = e.expr(n.On)
		out = c
	case *PipeSetOp:
		c := cp(e, n)
		c.Right = e.queries(n.Right)
		out = c
	case *PipeDrop, *PipeAs:
		return n, nil

	// PIVOT and UNPIVOT: table expressions and pipe operators both
	case *Pivot:
		c := cp(e, n)
		c.Input = e.table(n.Input)
		c.Aggs = e.items(n.Aggs)
		c.Values = copyOnWrite(e, n.Values)
		for i, v := range n.Values {
			c.Values[i].Exprs = e.exprs(v.Exprs)
		}
		c.GroupBy = e.items(n.GroupBy)
		out = c
	case *Unpivot:
		c := cp(e, n)
		c.Input = e.table(n.Input)
		out = c

	// table expressions
	case *TableFunc:
		c := cp(e, n)
		c.Args = e.exprs(n.Args)
		c.Named = copyOnWrite(e, n.Named)
		for i, a := range n.Named {
			c.Named[i].Value = e.expr(a.Value)
		}
		out = c
	case *SubqueryTable:
		c := cp(e, n)
		c.Query = e.query(n.Query)
		out = c
	case *Values:
		c := cp(e, n)
		c.Rows = copyOnWrite(e, n.Rows)
		for i, r := range n.Rows {
			c.Rows[i] = e.exprs(r)
		}
		out = c
	case *Join:
		c := cp(e, n)
		c.Left = e.table(n.Left)
		c.Right = e.table(n.Right)
		c.On = e.expr(n.On)
		out = c
	case *WatermarkTable:
		c := cp(e, n)
		c.Input = e.table(n.Input)
		c.Time = e.expr(n.Time)
		c.Delay = e.interval(n.Delay)
		out = c
	case *TableName:
		return n, nil
	case *LateralView:
		c := cp(e, n)
		c.Input = e.table(n.Input)
		if n.Func != nil {
			if r := e.expr(n.Func); r != nil {
				if f, ok := r.(*Call); ok {
					c.Func = f
				} else {
					e.wrongKind(r, "a generator call")
				}
			}
		}
		out = c

	// expressions
	case *Subscript:
		c := cp(e, n)
		c.X = e.expr(n.X)
		c.Index = e.expr(n.Index)
		out = c
	case *Field:
		c := cp(e, n)
		c.X = e.expr(n.X)
		out = c
	case *Unary:
		c := cp(e, n)
		c.X = e.expr(n.X)
		out = c
	case *Binary:
		c := cp(e, n)
		c.L = e.expr(n.L)
		c.R = e.expr(n.R)
		out = c
	case *Call:
		c := cp(e, n)
		c.Args = e.exprs(n.Args)
		c.WithinGroup = e.orders(n.WithinGroup)
		c.Filter = e.expr(n.Filter)
		if n.Over != nil {
			over := n.Over
			if clone {
				w := *n.Over
				over = &w
			}
			over.PartitionBy = e.exprs(n.Over.PartitionBy)
			over.OrderBy = e.orders(n.Over.OrderBy)
			c.Over = over
		}
		out = c
	case *Case:
		c := cp(e, n)
		c.Operand = e.expr(n.Operand)
		c.Whens = copyOnWrite(e, n.Whens)
		for i, w := range n.Whens {
			c.Whens[i].Cond = e.expr(w.Cond)
			c.Whens[i].Result = e.expr(w.Result)
		}
		c.Else = e.expr(n.Else)
		out = c
	case *Cast:
		c := cp(e, n)
		c.X = e.expr(n.X)
		out = c
	case *In:
		c := cp(e, n)
		c.X = e.expr(n.X)
		c.List = e.exprs(n.List)
		c.Query = e.query(n.Query)
		out = c
	case *Like:
		c := cp(e, n)
		c.X = e.expr(n.X)
		c.Pattern = e.expr(n.Pattern)
		c.Patterns = e.exprs(n.Patterns)
		out = c
	case *Between:
		c := cp(e, n)
		c.X = e.expr(n.X)
		c.Lo = e.expr(n.Lo)
		c.Hi = e.expr(n.Hi)
		out = c
	case *IsNull:
		c := cp(e, n)
		c.X = e.expr(n.X)
		out = c
	case *SubqueryExpr:
		c := cp(e, n)
		c.Query = e.query(n.Query)
		out = c
	case *Lambda:
		c := cp(e, n)
		c.Body = e.expr(n.Body)
		out = c
	case *Ident, *Star, *Literal, *Interval, *ShowTables:
		return n, nil

	default:
		// As go/ast.Walk does: a kind the walker does not know is a bug
		// here, which walk_test.go is there to catch first.
		panic(fmt.Sprintf("syntax: the tree walker does not know %T", n))
	}
	if e.err != nil {
		return n, e.err
	}
	if clone && !e.changed {
		return n, nil
	}
	return out, nil
}

// cp is the node to write children into: a copy of n when cloning, n
// itself when editing in place.
func cp[T any](e *editor, n *T) *T {
	if !e.clone {
		return n
	}
	c := *n
	return &c
}
