package plan

import (
	"fmt"

	"github.com/nectar-dev/nectar/types"
)

// SubqueryMode says how a subquery's rows become a value.
type SubqueryMode uint8

const (
	ScalarSubquery SubqueryMode = iota // (SELECT max(x) FROM t): its one value, NULL when empty
	ExistsSubquery                     // EXISTS (…): whether it has a row
	InSubquery                         // X IN (SELECT …): whether X is among its values
)

// Subquery is an uncorrelated subquery used as an expression. The executor
// runs Plan once before the main query and substitutes the result, as
// Spark does for uncorrelated scalar subqueries.
type Subquery struct {
	Plan Node
	Mode SubqueryMode
	X    Expr // the tested value, for InSubquery
	K    types.Kind
}

func (s *Subquery) Kind() types.Kind { return s.K }

func (s *Subquery) String() string {
	switch s.Mode {
	case ExistsSubquery:
		return "EXISTS(subquery)"
	case InSubquery:
		return fmt.Sprintf("(%s IN (subquery))", s.X)
	}
	return "scalar-subquery(" + s.Plan.Schema().String() + ")"
}

// Exprs returns the expressions n holds directly (not its children's).
func Exprs(n Node) []Expr {
	var out []Expr
	MapExprs(n, func(e Expr) Expr { out = append(out, e); return e })
	return out
}

// MapExprs returns n with every expression it holds directly replaced by
// fn's result; children are left alone. Rules that rewrite expressions
// (subquery evaluation, constant folding) use it.
func MapExprs(n Node, fn func(Expr) Expr) Node {
	all := func(es []Expr) []Expr {
		out := make([]Expr, len(es))
		for i, e := range es {
			out[i] = fn(e)
		}
		return out
	}
	keys := func(ks []SortKey) []SortKey {
		out := make([]SortKey, len(ks))
		for i, k := range ks {
			k.Expr = fn(k.Expr)
			out[i] = k
		}
		return out
	}
	switch n := n.(type) {
	case *Filter:
		return &Filter{Input: n.Input, Cond: fn(n.Cond)}
	case *Project:
		return &Project{Input: n.Input, Exprs: all(n.Exprs), Names: n.Names}
	case *Aggregate:
		c := *n
		c.Groups = all(n.Groups)
		c.Aggs = make([]AggCall, len(n.Aggs))
		for i, a := range n.Aggs {
			if a.Arg != nil {
				a.Arg = fn(a.Arg)
			}
			if a.Ord != nil {
				a.Ord = fn(a.Ord)
			}
			if a.Filter != nil {
				a.Filter = fn(a.Filter)
			}
			c.Aggs[i] = a
		}
		return &c
	case *Window:
		c := *n
		c.Calls = make([]WindowCall, len(n.Calls))
		for i, w := range n.Calls {
			w.Args, w.PartitionBy, w.OrderBy = all(w.Args), all(w.PartitionBy), keys(w.OrderBy)
			if w.Filter != nil {
				w.Filter = fn(w.Filter)
			}
			c.Calls[i] = w
		}
		return &c
	case *Sort:
		return &Sort{Input: n.Input, Keys: keys(n.Keys), Limit: n.Limit}
	case *Watermark:
		c := *n
		c.Time = fn(n.Time)
		return &c
	case *TimeWindows:
		c := *n
		c.Time = fn(n.Time)
		return &c
	case *Generate:
		c := *n
		c.Arg = fn(n.Arg)
		return &c
	case *Expand:
		c := *n
		c.Keys = all(n.Keys)
		return &c
	case *Values:
		c := *n
		c.Rows = make([][]Expr, len(n.Rows))
		for i, r := range n.Rows {
			c.Rows[i] = all(r)
		}
		return &c
	case *Join:
		c := *n
		c.LeftKeys, c.RightKeys = all(n.LeftKeys), all(n.RightKeys)
		if n.Residual != nil {
			c.Residual = fn(n.Residual)
		}
		return &c
	}
	return n
}

// WithChildren returns a copy of n with its children replaced.
func WithChildren(n Node, kids []Node) Node {
	switch n := n.(type) {
	case *Filter:
		c := *n
		c.Input = kids[0]
		return &c
	case *Project:
		c := *n
		c.Input = kids[0]
		return &c
	case *Aggregate:
		c := *n
		c.Input = kids[0]
		return &c
	case *Window:
		c := *n
		c.Input = kids[0]
		return &c
	case *Sort:
		c := *n
		c.Input = kids[0]
		return &c
	case *Limit:
		c := *n
		c.Input = kids[0]
		return &c
	case *Distinct:
		return &Distinct{Input: kids[0]}
	case *Watermark:
		c := *n
		c.Input = kids[0]
		return &c
	case *TimeWindows:
		c := *n
		c.Input = kids[0]
		return &c
	case *Expand:
		c := *n
		c.Input = kids[0]
		return &c
	case *Shared:
		c := *n
		c.Input = kids[0]
		return &c
	case *Generate:
		c := *n
		c.Input = kids[0]
		return &c
	case *Join:
		c := *n
		c.Left, c.Right = kids[0], kids[1]
		return &c
	case *SetOp:
		c := *n
		c.Left, c.Right = kids[0], kids[1]
		return &c
	}
	return n
}

// Inspect calls fn on n and then, while fn returns true, on each of its
// children, depth first. It reports whether the walk went to the end.
func Inspect(n Node, fn func(Node) bool) bool {
	if !fn(n) {
		return false
	}
	for _, k := range n.Children() {
		if !Inspect(k, fn) {
			return false
		}
	}
	return true
}

// Transform rebuilds the tree bottom-up, applying fn to every node after
// its children.
func Transform(n Node, fn func(Node) Node) Node {
	kids := n.Children()
	if len(kids) > 0 {
		nk := make([]Node, len(kids))
		for i, k := range kids {
			nk[i] = Transform(k, fn)
		}
		n = WithChildren(n, nk)
	}
	return fn(n)
}
