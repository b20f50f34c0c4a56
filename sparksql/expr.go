package sparksql

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// expr compiles e; col names input column i.
func (c *compiler) expr(e plan.Expr, col func(int) string) (string, error) {
	switch e := e.(type) {
	case *plan.ColRef:
		return col(e.Idx), nil
	case *plan.Const:
		return literal(e.V)
	case *plan.Op:
		return c.op(e, col)
	case *plan.Call:
		return c.call(e, col)
	case *plan.Subquery:
		return c.subquery(e, col)
	case *plan.LambdaVar, *plan.Lambda, *plan.Index, *plan.GetField, *plan.HigherOrder, *plan.Construct, *plan.FromJSON:
		return c.nested(e, col)
	}
	return "", unsupported(fmt.Sprintf("expression %T", e))
}

func (c *compiler) args(es []plan.Expr, col func(int) string) ([]string, error) {
	out := make([]string, len(es))
	for i, a := range es {
		s, err := c.expr(a, col)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// literal renders a constant with the exact Spark type of its kind: a bare
// 1.5 would be a DECIMAL in Spark and 1 an INT.
func literal(v types.Value) (string, error) {
	switch v.K {
	case types.Null:
		return "NULL", nil
	case types.Bool:
		if v.Bool() {
			return "true", nil
		}
		return "false", nil
	case types.Int:
		if v.I == math.MinInt64 {
			return "CAST('-9223372036854775808' AS BIGINT)", nil
		}
		return strconv.FormatInt(v.I, 10) + "L", nil
	case types.Float:
		return floatLit(v.F), nil
	case types.String:
		return quote(v.S), nil
	case types.Timestamp:
		return "TIMESTAMP_MICROS(" + strconv.FormatInt(v.I, 10) + "L)", nil
	case types.Date:
		return "DATE_FROM_UNIX_DATE(" + strconv.FormatInt(v.I, 10) + ")", nil
	case types.Binary:
		return types.BinaryLiteral(v.S), nil
	}
	if v.K.IsNested() {
		return nestedLiteral(v)
	}
	if v.K.IsInterval() {
		// The ANSI text is a Spark literal of the same type.
		return types.FormatInterval(v), nil
	}
	return "", unsupported("constant of kind " + v.K.String())
}

func floatLit(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "CAST('" + types.FormatFloat(f) + "' AS DOUBLE)"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	if math.Signbit(f) && f == 0 {
		return "CAST('-0.0' AS DOUBLE)"
	}
	return s + "D"
}

func (c *compiler) op(o *plan.Op, col func(int) string) (string, error) {
	a, err := c.args(o.Args, col)
	if err != nil {
		return "", err
	}
	bin := func(op string) string { return "(" + a[0] + " " + op + " " + a[1] + ")" }
	switch o.Op {
	case plan.OpAdd, plan.OpSub, plan.OpMul, plan.OpMod:
		return castTo(bin(o.Op.String()), o.K), nil
	case plan.OpDiv:
		return "(CAST(" + a[0] + " AS DOUBLE) / CAST(" + a[1] + " AS DOUBLE))", nil
	case plan.OpIntDiv:
		return castTo(bin("DIV"), o.K), nil
	case plan.OpNeg:
		return castTo("(- "+a[0]+")", o.K), nil
	case plan.OpConcat:
		return "concat(" + strings.Join(a, ", ") + ")", nil
	case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe, plan.OpNullSafeEq, plan.OpAnd, plan.OpOr:
		return bin(o.Op.String()), nil
	case plan.OpNot:
		return "(NOT " + a[0] + ")", nil
	case plan.OpIsNull:
		return "(" + a[0] + " IS NULL)", nil
	case plan.OpIsNotNull:
		return "(" + a[0] + " IS NOT NULL)", nil
	case plan.OpLike:
		// ILIKE arrives as lower(x) LIKE lower(p), Spark's own definition.
		return bin("LIKE"), nil
	case plan.OpRLike:
		return bin("RLIKE"), nil
	case plan.OpIn:
		return "(" + a[0] + " IN (" + strings.Join(a[1:], ", ") + "))", nil
	case plan.OpCase:
		var b strings.Builder
		b.WriteString("CASE")
		for i := 0; i+1 < len(a); i += 2 {
			fmt.Fprintf(&b, " WHEN %s THEN %s", a[i], a[i+1])
		}
		fmt.Fprintf(&b, " ELSE %s END", a[len(a)-1])
		return castTo(b.String(), o.K), nil
	case plan.OpCast, plan.OpTryCast:
		t := sparkType(o.K)
		if t == "" {
			return "NULL", nil
		}
		fn := "CAST"
		if o.Op == plan.OpTryCast {
			fn = "TRY_CAST"
		}
		if o.K.IsInterval() && o.Args[0].Kind() == types.Float {
			// Spark casts a DECIMAL to an interval, not a DOUBLE.
			a[0] = "CAST(" + a[0] + " AS DECIMAL(38, 18))"
		}
		if o.Bits != 0 || o.Precision != 0 {
			// Spark checks the narrow type's range, or rounds to the
			// DECIMAL's scale; nectar's column is a BIGINT or DOUBLE.
			return castTo(fn+"("+a[0]+" AS "+o.Target().String()+")", o.K), nil
		}
		return fn + "(" + a[0] + " AS " + t + ")", nil
	case plan.OpCoalesce:
		return castTo("coalesce("+strings.Join(a, ", ")+")", o.K), nil
	case plan.OpTry:
		return c.try(o, col)
	case plan.OpAddInterval, plan.OpSubInterval, plan.OpTimeDiff:
		// The binder typed these as Spark does, so Spark's own operator
		// gives the same kind.
		return bin(o.Op.String()), nil
	case plan.OpMulInterval, plan.OpDivInterval:
		if o.Args[1].Kind() == types.Float {
			// nectar's DOUBLE stands for Spark's DECIMAL here: a
			// DECIMAL factor rounds half up, a DOUBLE half even.
			a[1] = "CAST(" + a[1] + " AS DECIMAL(38, 18))"
		}
		return bin(o.Op.String()), nil
	}
	return "", unsupported("operator " + o.Op.String())
}

// renamed maps nectar function names to Spark's where they differ.
var renamed = map[string]string{}

// intArgs lists the arguments Spark requires as INT where nectar passes a
// BIGINT; ANSI mode does not narrow them implicitly. Only BIGINT arguments
// are cast: make_timestamp(date) takes a DATE there.
var intArgs = map[string][]int{
	"date_add": {1}, "date_sub": {1}, "add_months": {1}, "date_from_unix_date": {0},
	"make_date": {0, 1, 2}, "make_timestamp": {0, 1, 2, 3, 4}, "try_make_timestamp": {0, 1, 2, 3, 4}, "regexp_instr": {2},
}

// jsonText lists functions whose Spark form returns an array or binary
// that nectar holds as text.
var jsonText = map[string]bool{"regexp_extract_all": true}

func (c *compiler) call(e *plan.Call, col func(int) string) (string, error) {
	a, err := c.args(e.Args, col)
	if err != nil {
		return "", err
	}
	name := e.Fn.Name
	if e.Fn.AliasOf != "" {
		name = e.Fn.AliasOf
	}
	if r, ok := renamed[name]; ok {
		name = r
	}
	for _, i := range intArgs[name] {
		if i < len(a) && e.Args[i].Kind() == types.Int {
			a[i] = "CAST(" + a[i] + " AS INT)"
		}
	}
	if name == "timestampadd" || name == "timestampdiff" {
		// Spark takes the unit as a bare word only.
		u, ok := e.Args[0].(*plan.Const)
		if !ok || u.V.K != types.String || !isWord(u.V.S) {
			return "", unsupported(name + " with a unit that is not a constant word")
		}
		a[0] = strings.ToUpper(u.V.S)
	}
	if (name == "element_at" || name == "try_element_at") && e.Args[0].Kind().IsArray() {
		a[1] = "CAST(" + a[1] + " AS INT)" // an array's index is an INT; a map's key keeps its type
	}
	s := name + "(" + strings.Join(a, ", ") + ")"
	switch {
	case jsonText[name]:
		s = "to_json(" + s + ")"
	case name == "unbase64":
		s = "CAST(" + s + " AS STRING)"
	}
	return castTo(s, e.K), nil
}

func (c *compiler) subquery(s *plan.Subquery, col func(int) string) (string, error) {
	q, err := c.node(s.Plan)
	if err != nil {
		return "", err
	}
	switch s.Mode {
	case plan.ScalarSubquery:
		return fmt.Sprintf("(SELECT c0 FROM (%s) %s)", q, c.alias()), nil
	case plan.ExistsSubquery:
		return fmt.Sprintf("EXISTS (SELECT * FROM (%s) %s)", q, c.alias()), nil
	case plan.InSubquery:
		x, err := c.expr(s.X, col)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("(%s IN (SELECT c0 FROM (%s) %s))", x, q, c.alias()), nil
	}
	return "", unsupported("subquery mode")
}

func isWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

// tryNames are Spark's try_ functions for the operations an OpTry wraps.
var tryNames = map[plan.OpCode]string{
	plan.OpAdd: "try_add", plan.OpAddInterval: "try_add", plan.OpSub: "try_subtract", plan.OpSubInterval: "try_subtract",
	plan.OpTimeDiff: "try_subtract", plan.OpMul: "try_multiply", plan.OpMulInterval: "try_multiply", plan.OpDivInterval: "try_divide",
}

// try compiles an OpTry as Spark's try_ function of its operation's
// arguments; a date plus days is date_add, which Spark's try_add is too.
func (c *compiler) try(o *plan.Op, col func(int) string) (string, error) {
	name, args := "", []plan.Expr(nil)
	switch x := o.Args[0].(type) {
	case *plan.Op:
		name, args = tryNames[x.Op], x.Args
	case *plan.Call:
		if x.Fn.Name == "date_add" {
			name, args = "try_add", x.Args
		}
	}
	if name == "" {
		return "", unsupported("try_ of " + o.Args[0].String())
	}
	a, err := c.args(args, col)
	if err != nil {
		return "", err
	}
	if call, ok := o.Args[0].(*plan.Call); ok && call.Fn.Name == "date_add" {
		a[1] = "CAST(" + a[1] + " AS INT)" // Spark's date_add takes INT days
	}
	return castTo(name+"("+a[0]+", "+a[1]+")", o.K), nil
}
