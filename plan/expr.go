package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Expr is a bound, typed scalar expression. Column references are indexes
// into the input node's schema.
type Expr interface {
	Kind() types.Kind
	String() string
}

// ColRef reads column Idx of the input.
type ColRef struct {
	Idx  int
	Name string
	K    types.Kind
}

// Const is a constant.
type Const struct{ V types.Value }

// Call applies a scalar function from the functions catalogue.
type Call struct {
	Fn   *functions.Func
	Args []Expr
	K    types.Kind
}

// OpCode names a built-in operator the executor evaluates itself, because
// it needs vectorised speed or special NULL and short-circuit rules.
type OpCode uint8

const (
	OpAdd OpCode = iota
	OpSub
	OpMul
	OpDiv    // always DOUBLE, as in Spark
	OpIntDiv // DIV
	OpMod
	OpNeg
	OpConcat // ||
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpNullSafeEq // <=>
	OpAnd
	OpOr
	OpNot
	OpIsNull
	OpIsNotNull
	OpLike    // Args: x, pattern; Re holds the compiled pattern when constant
	OpRLike   // Args: x, pattern
	OpIn      // Args: x, list…
	OpCase    // Args: cond1, res1, cond2, res2, …, else
	OpCast    // Args: x; K is the target, Bits its integer width
	OpTryCast // as OpCast, NULL where OpCast fails
	OpCoalesce
	// Interval arithmetic (plan/interval.go): time or interval ± interval,
	// the kinds deciding how (months to a date, microseconds to a
	// timestamp, one interval to another).
	OpAddInterval
	OpSubInterval
	OpMulInterval // Args: interval, number
	OpDivInterval // Args: interval, number
	OpTimeDiff    // Args: two dates (an INTERVAL DAY) or two timestamps
	// OpTry is try_add and its kin: Args[0] is the operation, whose own
	// failure (an overflow, a division by zero) gives NULL, while its
	// arguments' failures stay errors, as in Spark's TRY eval mode.
	OpTry
)

var opNames = [...]string{
	OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpIntDiv: "DIV", OpMod: "%", OpNeg: "-",
	OpConcat: "||", OpEq: "=", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpNullSafeEq: "<=>", OpAnd: "AND", OpOr: "OR", OpNot: "NOT", OpIsNull: "IS NULL",
	OpIsNotNull: "IS NOT NULL", OpLike: "LIKE", OpRLike: "RLIKE", OpIn: "IN", OpCase: "CASE",
	OpCast: "CAST", OpTryCast: "TRY_CAST", OpCoalesce: "coalesce",
	OpAddInterval: "+", OpSubInterval: "-", OpMulInterval: "*", OpDivInterval: "/", OpTimeDiff: "-", OpTry: "try",
}

func (o OpCode) String() string { return opNames[o] }

// Op is a built-in operator application.
type Op struct {
	Op   OpCode
	Args []Expr
	K    types.Kind
	Re   *regexp.Regexp // OpLike/OpRLike with a constant pattern
	// Bits is, for OpCast and OpTryCast to BIGINT, the narrower width the
	// cast names (types.Type.Bits: 32 for INT, …); 0 otherwise.
	Bits uint8
	// Precision and Scale are a cast to DECIMAL(p, s)'s (types.Type).
	Precision, Scale uint8
}

// Target is the type an OpCast or OpTryCast converts to.
func (o *Op) Target() types.Type {
	return types.Type{Kind: o.K, Bits: o.Bits, Precision: o.Precision, Scale: o.Scale}
}

// IdentityCast reports whether o is a cast that returns its argument as it
// is: to the argument's own kind, and no narrower integer width or DECIMAL
// rounding.
func (o *Op) IdentityCast() bool {
	return (o.Op == OpCast || o.Op == OpTryCast) && o.Args[0].Kind() == o.K && o.Bits == 0 && o.Precision == 0
}

func (c *ColRef) Kind() types.Kind { return c.K }
func (c *Const) Kind() types.Kind  { return c.V.K }
func (c *Call) Kind() types.Kind   { return c.K }
func (o *Op) Kind() types.Kind     { return o.K }

func (c *ColRef) String() string { return fmt.Sprintf("%s#%d", syntax.QuoteIdent(c.Name), c.Idx) }

func (c *Const) String() string {
	v := c.V
	switch v.K {
	case types.Null:
		return "NULL"
	case types.String:
		return quoteString(v.S)
	case types.Timestamp:
		return "TIMESTAMP " + quoteString(v.String())
	case types.Date:
		return "DATE " + quoteString(v.String())
	case types.Binary:
		return types.BinaryLiteral(v.S)
	}
	if v.K.IsNested() {
		return constNested(v)
	}
	return v.String()
}

func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

func (c *Call) String() string { return c.Fn.Name + "(" + joinExprs(c.Args) + ")" }

func (o *Op) String() string {
	a := o.Args
	switch o.Op {
	case OpNeg:
		return "(-" + a[0].String() + ")"
	case OpNot:
		return "(NOT " + a[0].String() + ")"
	case OpIsNull, OpIsNotNull:
		return "(" + a[0].String() + " " + o.Op.String() + ")"
	case OpIn:
		return "(" + a[0].String() + " IN (" + joinExprs(a[1:]) + "))"
	case OpCase:
		var b strings.Builder
		b.WriteString("CASE")
		for i := 0; i+1 < len(a); i += 2 {
			fmt.Fprintf(&b, " WHEN %s THEN %s", a[i], a[i+1])
		}
		fmt.Fprintf(&b, " ELSE %s END", a[len(a)-1])
		return b.String()
	case OpCast, OpTryCast:
		return fmt.Sprintf("%s(%s AS %s)", o.Op, a[0], o.Target())
	case OpCoalesce:
		return "coalesce(" + joinExprs(a) + ")"
	}
	return "(" + a[0].String() + " " + o.Op.String() + " " + a[1].String() + ")"
}

func joinExprs(es []Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

// Walk calls fn on e and every subexpression, parents first.
func Walk(e Expr, fn func(Expr)) {
	fn(e)
	switch e := e.(type) {
	case *Call:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Op:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Subquery:
		if e.X != nil {
			Walk(e.X, fn)
		}
	case composite:
		for _, a := range e.parts() {
			Walk(a, fn)
		}
	}
}

// Rewrite returns e with every subexpression replaced by fn's result,
// children first. fn returns its argument to keep a node.
func Rewrite(e Expr, fn func(Expr) Expr) Expr {
	switch x := e.(type) {
	case *Call:
		c := *x
		c.Args = rewriteAll(x.Args, fn)
		return fn(&c)
	case *Op:
		o := *x
		o.Args = rewriteAll(x.Args, fn)
		return fn(&o)
	case *Subquery:
		if x.X != nil {
			s := *x
			s.X = Rewrite(x.X, fn)
			return fn(&s)
		}
	case composite:
		return fn(x.withParts(rewriteAll(x.parts(), fn)))
	}
	return fn(e)
}

func rewriteAll(es []Expr, fn func(Expr) Expr) []Expr {
	out := make([]Expr, len(es))
	for i, a := range es {
		out[i] = Rewrite(a, fn)
	}
	return out
}

// Columns returns the set of input columns e reads.
func Columns(e Expr, into map[int]bool) {
	Walk(e, func(x Expr) {
		if c, ok := x.(*ColRef); ok {
			into[c.Idx] = true
		}
	})
}

// Remap rewrites column indexes through m (old index → new index).
func Remap(e Expr, m map[int]int) Expr {
	return Rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			n := *c
			n.Idx = m[c.Idx]
			return &n
		}
		return x
	})
}

// Shift adds delta to every column index; joins use it to address the
// right side's columns after the left's.
func Shift(e Expr, delta int) Expr {
	return Rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			n := *c
			n.Idx += delta
			return &n
		}
		return x
	})
}
