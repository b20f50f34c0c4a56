package plan

import (
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// bindText binds one expression over a scope with an ARRAY of STRUCTs
// column a, a MAP column m and a STRUCT column s.
func bindText(t *testing.T, src string) (Expr, error) {
	t.Helper()
	e, err := syntax.ParseExpr(src)
	if err != nil {
		t.Fatalf("parse %s: %v", src, err)
	}
	item := types.StructOf(types.Field{Name: "price", Kind: types.Float}, types.Field{Name: "qty", Kind: types.Int})
	sc := scope{
		{Name: "a", Kind: types.ArrayOf(item)},
		{Name: "m", Kind: types.MapOf(types.String, types.Int)},
		{Name: "s", Kind: item},
		{Name: "n", Kind: types.Int},
	}
	c := &exprCtx{b: &binder{}, sc: sc, clause: "SELECT"}
	return c.bind(e)
}

// TestBinderFuncsBind keeps functions.BinderFuncs (completion, did-you-mean)
// the names the binder handles: each binds, or is refused as a generator
// outside a select item, never as an unknown function.
func TestBinderFuncsBind(t *testing.T) {
	calls := map[string]string{
		"aggregate": "aggregate(a, 0, (acc, x) -> acc + x.price)", "array": "array(1, 2)",
		"array_sort": "array_sort(array(2, 1), (l, r) -> l - r)", "coalesce": "coalesce(n, 1)",
		"exists": "exists(a, x -> x.qty > 1)", "filter": "filter(a, x -> x.qty > 1)", "forall": "forall(a, x -> x.qty > 1)",
		"from_json": "from_json('{}', 'x INT')", "map": "map('k', 1)", "map_filter": "map_filter(m, (k, v) -> v > 1)",
		"named_struct": "named_struct('x', 1)", "reduce": "reduce(a, 0.0, (acc, x) -> acc + x.price)", "struct": "struct(n)",
		"transform": "transform(a, x -> x.price)", "transform_keys": "transform_keys(m, (k, v) -> upper(k))",
		"transform_values": "transform_values(m, (k, v) -> v * 2)", "zip_with": "zip_with(a, a, (x, y) -> x.qty + y.qty)",
		"map_zip_with": "map_zip_with(m, m, (k, x, y) -> x + y)",
		"try_add":      "try_add(1.5, n)", "try_subtract": "try_subtract(1.5, n)", "try_multiply": "try_multiply(1.5, n)",
	}
	for _, name := range functions.BinderFuncs {
		src, ok := calls[name]
		if !ok {
			if _, _, gen := IsGenerator(name); !gen {
				t.Errorf("%s: no call to try", name)
				continue
			}
			src = name + "(a)"
		}
		_, err := bindText(t, src)
		switch _, _, gen := IsGenerator(name); {
		case gen && (err == nil || !strings.Contains(err.Error(), "generator")):
			t.Errorf("%s inside an expression: got %v, want the generator error", src, err)
		case !gen && err != nil:
			t.Errorf("%s: %v", src, err)
		}
	}
}

// TestNestedBinding checks the kinds and canonical text of element
// access, constructors and lambdas.
func TestNestedBinding(t *testing.T) {
	for _, c := range []struct{ src, kind, text string }{
		{"a[0].price", "DOUBLE", "a#0[0].price"},
		{"a.price", "ARRAY<DOUBLE>", "a#0.price"},
		{"m['k']", "BIGINT", "m#1['k']"},
		{"s['qty']", "BIGINT", "s#2.qty"},
		{"element_at(a, -1).qty", "BIGINT", "element_at(a#0, -1).qty"},
		{"array(1, 2.5)", "ARRAY<DOUBLE>", "array(1.0, 2.5)"},
		{"struct(n, s.qty)", "STRUCT<n: BIGINT, qty: BIGINT>", "named_struct('n', n#3, 'qty', s#2.qty)"},
		{"transform(a, (x, i) -> x.qty + i + n)", "ARRAY<BIGINT>", "transform(a#0, (x, i) -> ((x.qty + i) + n#3))"},
		{"aggregate(a, 0, (acc, x) -> acc + x.price)", "DOUBLE", "aggregate(a#0, 0.0, (acc, x) -> (acc + x.price))"},
		{"transform(a, x -> transform(array(x.qty), y -> y + x.qty))", "ARRAY<ARRAY<BIGINT>>", "transform(a#0, x -> transform(array(x.qty), y -> (y + x.qty)))"},
		{"from_json('[1]', 'ARRAY<INT>')", "ARRAY<BIGINT>", "from_json('[1]', 'ARRAY<BIGINT>')"},
		{"from_json('{}', 'x INT, `y z` STRING').x", "BIGINT", "from_json('{}', 'x BIGINT, `y z` STRING').x"},
	} {
		e, err := bindText(t, c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if e.Kind().String() != c.kind || e.String() != c.text {
			t.Errorf("%s: %s %s, want %s %s", c.src, e.Kind(), e, c.kind, c.text)
		}
	}
	for _, c := range []struct{ src, err string }{
		{"abs(n)[0]", "cannot be subscripted"},
		{"a['x']", "array index must be an integer"},
		{"named_struct('a', 1).nope", "FIELD_NOT_FOUND"},
		{"transform(a, (x, y, z) -> x)", "NUM_ARGS_MISMATCH"},
		{"filter(a, x -> x.qty)", "must return a BOOLEAN"},
		{"transform(n, x -> x)", "expects an ARRAY"},
		{"upper(x -> x)", "does not take a lambda"},
		{"coalesce(x -> x, 1)", "lambda function can only be"},
		{"map('a', 1, 'b')", "in pairs"},
		{"named_struct(n, 1)", "string constants"},
		{"from_json('{}', n)", "string constant"},
		{"array(1, array(2))", "no common type"},
	} {
		_, err := bindText(t, c.src)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: got %v, want an error containing %q", c.src, err, c.err)
		}
	}
}

// TestGenerateSchema checks the columns and text of each generator.
func TestGenerateSchema(t *testing.T) {
	item := types.StructOf(types.Field{Name: "price", Kind: types.Float}, types.Field{Name: "qty", Kind: types.Int})
	arr := &ColRef{Idx: 0, Name: "a", K: types.ArrayOf(item)}
	mp := &ColRef{Idx: 0, Name: "m", K: types.MapOf(types.String, types.Int)}
	for _, c := range []struct {
		g      *Generate
		schema string
		text   string
	}{
		{&Generate{Fn: "explode", Arg: arr}, "col STRUCT<price: DOUBLE, qty: BIGINT>", "Generate explode(a#0) AS (col)"},
		{&Generate{Fn: "posexplode", Arg: mp, Outer: true}, "pos BIGINT, key STRING, value BIGINT", "Generate OUTER posexplode(m#0) AS (pos, key, value)"},
		{&Generate{Fn: "inline", Arg: arr, Names: []string{"p", "q"}}, "p DOUBLE, q BIGINT", "Generate inline(a#0) AS (p, q)"},
	} {
		c.g.Input = &OneRow{}
		if got := c.g.Schema().String(); got != c.schema {
			t.Errorf("%s: schema %s, want %s", c.text, got, c.schema)
		}
		if got := c.g.Describe(); got != c.text {
			t.Errorf("describe %s, want %s", got, c.text)
		}
	}
	if _, err := GeneratorKinds("inline", types.ArrayOf(types.Int)); err == nil {
		t.Error("inline of ARRAY<BIGINT> should fail")
	}
	if _, err := GeneratorKinds("explode", types.String); err == nil {
		t.Error("explode of STRING should fail")
	}
}
