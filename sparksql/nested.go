package sparksql

import (
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// Nested data in Spark SQL: element access, constructors, lambdas (their
// parameters renamed lv0, lv1, … by environment slot, so they never
// meet a column's cN name), higher-order calls, and Generate as LATERAL
// VIEW.

func (c *compiler) nested(e plan.Expr, col func(int) string) (string, error) {
	parts := plan.Parts(e)
	a, err := c.args(parts, col)
	if err != nil {
		return "", err
	}
	switch e := e.(type) {
	case *plan.LambdaVar:
		return lambdaName(e), nil
	case *plan.Lambda:
		ps := make([]string, len(e.Params))
		for i, p := range e.Params {
			ps[i] = lambdaName(p)
		}
		if len(ps) == 1 {
			return ps[0] + " -> " + a[0], nil // Spark's grammar: no parentheses around one parameter
		}
		return "(" + strings.Join(ps, ", ") + ") -> " + a[0], nil
	case *plan.Index:
		if e.Lenient {
			return "get(" + a[0] + ", CAST(" + a[1] + " AS INT))", nil
		}
		if e.X.Kind().IsArray() {
			a[1] = "CAST(" + a[1] + " AS INT)" // Spark's array index is an INT
		}
		return "(" + a[0] + ")[" + a[1] + "]", nil
	case *plan.GetField:
		return "(" + a[0] + ")." + ident(e.Name), nil
	case *plan.HigherOrder:
		if e.Name == "array_sort" && len(a) == 2 {
			// Spark's comparator must return an INT; nectar's integers
			// are BIGINT.
			l := e.Args[1].(*plan.Lambda)
			body, err := c.expr(l.Body, col)
			if err != nil {
				return "", err
			}
			a[1] = "(" + lambdaName(l.Params[0]) + ", " + lambdaName(l.Params[1]) + ") -> CAST(" + body + " AS INT)"
		}
		return e.Name + "(" + strings.Join(a, ", ") + ")", nil
	case *plan.Construct:
		if e.Fn != "named_struct" {
			return e.Fn + "(" + strings.Join(a, ", ") + ")", nil
		}
		fs := e.K.Fields()
		for i := range a {
			a[i] = quote(fs[i].Name) + ", " + a[i]
		}
		return "named_struct(" + strings.Join(a, ", ") + ")", nil
	case *plan.FromJSON:
		return "from_json(" + a[0] + ", " + quote(e.K.String()) + ")", nil
	}
	return "", unsupported(fmt.Sprintf("expression %T", e))
}

func lambdaName(v *plan.LambdaVar) string { return fmt.Sprintf("lv%d", v.Slot) }

// nestedLiteral builds a nested constant with Spark's constructors, each
// part with its exact type.
func nestedLiteral(v types.Value) (string, error) {
	parts, err := types.Parts(nil, v)
	if err != nil {
		return "", err
	}
	s := make([]string, len(parts))
	for i, p := range parts {
		if p.IsNull() {
			s[i] = "CAST(NULL AS " + partKind(v.K, i).String() + ")"
			continue
		}
		if s[i], err = literal(p); err != nil {
			return "", err
		}
	}
	switch {
	case v.K.IsArray():
		return castTo("array("+strings.Join(s, ", ")+")", v.K), nil
	case v.K.IsMap():
		return castTo("map("+strings.Join(s, ", ")+")", v.K), nil
	}
	fs := v.K.Fields()
	for i := range s {
		s[i] = quote(fs[i].Name) + ", " + s[i]
	}
	return "named_struct(" + strings.Join(s, ", ") + ")", nil
}

func partKind(k types.Kind, i int) types.Kind {
	switch {
	case k.IsArray():
		return k.Elem()
	case k.IsMap():
		if i%2 == 0 {
			return k.MapKey()
		}
		return k.MapValue()
	}
	return k.Fields()[i].Kind
}

// generate is Spark's LATERAL VIEW: the input's columns c0…, then the
// generator's, named on from the input's width.
func (c *compiler) generate(n *plan.Generate) (string, error) {
	in, err := c.node(n.Input)
	if err != nil {
		return "", err
	}
	arg, err := c.expr(n.Arg, cols)
	if err != nil {
		return "", err
	}
	w := len(n.Input.Schema())
	names := make([]string, len(n.Generated()))
	for i := range names {
		names[i] = colName(w + i)
	}
	outer := ""
	if n.Outer {
		outer = "OUTER "
	}
	return fmt.Sprintf("SELECT * FROM (%s) %s LATERAL VIEW %s%s(%s) %s AS %s",
		in, c.alias(), outer, n.Fn, arg, c.alias(), strings.Join(names, ", ")), nil
}
