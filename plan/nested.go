package plan

import (
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Expressions over ARRAY, MAP and STRUCT values: element access,
// constructors, lambda functions and the higher-order functions that take
// them. Each is a composite: Walk and Rewrite reach its parts through
// parts and withParts, so pruning, remapping and folding see through it.

// composite is an expression with subexpressions other than Call's and
// Op's arguments.
type composite interface {
	Expr
	parts() []Expr
	withParts([]Expr) Expr
}

// Index is X[I]: an ARRAY's element at the 0-based I, or a MAP's value
// under the key I (NULL when absent). An index outside an array is an
// error, as in Spark's ANSI mode (INVALID_ARRAY_INDEX).
type Index struct {
	X, I Expr
	K    types.Kind
	// Lenient gives NULL past an array's end, as a path read from the
	// logs does (Spark's get(a, i)): set on the subscripts of a path
	// read as element access of a source's column.
	Lenient bool
}

// GetField is X.Name: field Ord of a STRUCT, or, when X is an ARRAY of
// STRUCTs, the array of every element's field (Spark's
// GetArrayStructFields).
type GetField struct {
	X    Expr
	Ord  int
	Name string
	K    types.Kind
}

// LambdaVar is a parameter of a lambda function. Slot is its place in the
// environment of the lambdas around it: the outermost lambda's parameters
// come first.
type LambdaVar struct {
	Name string
	Slot int
	K    types.Kind
}

// Lambda is a lambda function, an argument of a HigherOrder call.
type Lambda struct {
	Params []*LambdaVar
	Body   Expr
}

// HigherOrder is a higher-order function call (transform, filter, exists,
// forall, aggregate, zip_with, map_filter, transform_keys,
// transform_values, array_sort with a comparator): some of Args are
// *Lambda.
type HigherOrder struct {
	Name string
	Args []Expr
	K    types.Kind
}

// Construct builds a nested value: Fn is "array" (Args are the
// elements), "map" (keys and values alternating) or "named_struct" (the
// fields' values; the names are K's). Args are already cast to the
// parts' kinds.
type Construct struct {
	Fn   string
	Args []Expr
	K    types.Kind
}

// FromJSON is from_json(X, schema): X's JSON text read as a value of kind
// K, NULL where it does not parse.
type FromJSON struct {
	X Expr
	K types.Kind
}

func (e *Index) Kind() types.Kind       { return e.K }
func (e *GetField) Kind() types.Kind    { return e.K }
func (e *LambdaVar) Kind() types.Kind   { return e.K }
func (e *Lambda) Kind() types.Kind      { return e.Body.Kind() }
func (e *HigherOrder) Kind() types.Kind { return e.K }
func (e *Construct) Kind() types.Kind   { return e.K }
func (e *FromJSON) Kind() types.Kind    { return e.K }

func (e *Index) String() string {
	if e.Lenient {
		return "get(" + e.X.String() + ", " + e.I.String() + ")"
	}
	return e.X.String() + "[" + e.I.String() + "]"
}
func (e *GetField) String() string {
	return e.X.String() + "." + syntax.QuoteIdent(e.Name)
}
func (e *LambdaVar) String() string { return syntax.QuoteIdent(e.Name) }
func (e *Lambda) String() string {
	ps := make([]string, len(e.Params))
	for i, p := range e.Params {
		ps[i] = p.String()
	}
	if len(ps) == 1 {
		return ps[0] + " -> " + e.Body.String()
	}
	return "(" + strings.Join(ps, ", ") + ") -> " + e.Body.String()
}
func (e *HigherOrder) String() string { return e.Name + "(" + joinExprs(e.Args) + ")" }
func (e *Construct) String() string {
	if e.Fn != "named_struct" {
		return e.Fn + "(" + joinExprs(e.Args) + ")"
	}
	fs := e.K.Fields()
	s := make([]string, len(e.Args))
	for i, a := range e.Args {
		s[i] = quoteString(fs[i].Name) + ", " + a.String()
	}
	return "named_struct(" + strings.Join(s, ", ") + ")"
}
func (e *FromJSON) String() string {
	return "from_json(" + e.X.String() + ", " + quoteString(schemaText(e.K)) + ")"
}

// schemaText is k as from_json's schema argument: a STRUCT's fields as a
// column list, any other kind as its type.
func schemaText(k types.Kind) string {
	if !k.IsStruct() {
		return k.String()
	}
	fs := k.Fields()
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = syntax.QuoteIdent(f.Name) + " " + f.Kind.String()
	}
	return strings.Join(s, ", ")
}

func (e *Index) parts() []Expr       { return []Expr{e.X, e.I} }
func (e *GetField) parts() []Expr    { return []Expr{e.X} }
func (e *Lambda) parts() []Expr      { return []Expr{e.Body} }
func (e *HigherOrder) parts() []Expr { return e.Args }
func (e *Construct) parts() []Expr   { return e.Args }
func (e *FromJSON) parts() []Expr    { return []Expr{e.X} }

func (e *Index) withParts(p []Expr) Expr { c := *e; c.X, c.I = p[0], p[1]; return &c }
func (e *GetField) withParts(p []Expr) Expr {
	c := *e
	c.X = p[0]
	return &c
}
func (e *Lambda) withParts(p []Expr) Expr { c := *e; c.Body = p[0]; return &c }
func (e *HigherOrder) withParts(p []Expr) Expr {
	c := *e
	c.Args = p
	return &c
}
func (e *Construct) withParts(p []Expr) Expr {
	c := *e
	c.Args = p
	return &c
}
func (e *FromJSON) withParts(p []Expr) Expr {
	c := *e
	c.X = p[0]
	return &c
}

var (
	_ composite = (*Index)(nil)
	_ composite = (*GetField)(nil)
	_ composite = (*Lambda)(nil)
	_ composite = (*HigherOrder)(nil)
	_ composite = (*Construct)(nil)
	_ composite = (*FromJSON)(nil)
	_ Expr      = (*LambdaVar)(nil)
)

// ConstString prints a nested constant as an expression that builds it
// (array(1, 2), map('a', 1), named_struct('f', 1)), so that a folded
// constructor still prints as query text.
func constNested(v types.Value) string {
	var parts []types.Value
	parts, _ = types.Parts(parts, v)
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = (&Const{V: p}).String()
		if p.IsNull() {
			s[i] = "CAST(NULL AS " + partKind(v.K, i).String() + ")"
		}
	}
	switch {
	case v.K.IsArray():
		return "array(" + strings.Join(s, ", ") + ")"
	case v.K.IsMap():
		return "map(" + strings.Join(s, ", ") + ")"
	}
	fs := v.K.Fields()
	for i := range s {
		s[i] = quoteString(fs[i].Name) + ", " + s[i]
	}
	return "named_struct(" + strings.Join(s, ", ") + ")"
}

// partKind is the kind of part i of a value of nested kind k (see
// types.Parts).
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

// Generate is a generator over each input row: the row is repeated once
// for each row Fn makes of Arg, with Fn's columns after the input's.
// explode makes one row an element of an ARRAY (col) or entry of a MAP
// (key, value); posexplode adds the 0-based position first (pos); inline
// makes a row of an ARRAY of STRUCTs' element, a column a field. With
// Outer, a row whose Arg is NULL or empty is kept once, with NULLs.
type Generate struct {
	Input Node
	Fn    string
	Arg   Expr
	Outer bool
	Names []string
}

var _ Node = (*Generate)(nil)

// GeneratorKinds is the kinds of the columns generator fn makes of a
// value of kind k, with Spark's default names, or an error when fn cannot
// take k. fn is one of IsGenerator's names.
func GeneratorKinds(fn string, k types.Kind) ([]types.Column, error) {
	fn = strings.ToLower(fn)
	var cols []types.Column
	pos := fn == "posexplode" || fn == "posexplode_outer"
	if pos {
		cols = append(cols, types.Column{Name: "pos", Kind: types.Int})
	}
	switch {
	case strings.HasPrefix(fn, "inline"):
		switch {
		case k == types.Null:
			return nil, fmt.Errorf("%s needs an ARRAY of STRUCTs, got a NULL of no type", fn)
		case !k.IsArray() || !k.Elem().IsStruct():
			return nil, fmt.Errorf("%s expects an ARRAY of STRUCTs, got %s", fn, k)
		}
		for _, f := range k.Elem().Fields() {
			cols = append(cols, types.Column(f))
		}
	case k.IsArray():
		cols = append(cols, types.Column{Name: "col", Kind: k.Elem()})
	case k.IsMap():
		cols = append(cols, types.Column{Name: "key", Kind: k.MapKey()}, types.Column{Name: "value", Kind: k.MapValue()})
	case k == types.Null:
		cols = append(cols, types.Column{Name: "col", Kind: types.Null})
	default:
		return nil, fmt.Errorf("%s expects an ARRAY or a MAP, got %s", fn, k)
	}
	return cols, nil
}

// IsGenerator reports whether name is a generator function, and whether
// its _outer form is (explode_outer is LATERAL VIEW OUTER explode).
func IsGenerator(name string) (base string, outer, ok bool) {
	n := strings.ToLower(name)
	base, outer = strings.CutSuffix(n, "_outer")
	switch base {
	case "explode", "posexplode", "inline":
		return base, outer, true
	}
	return "", false, false
}

// Generated is the kinds of g's own columns, in order.
func (g *Generate) Generated() []types.Column {
	cols, _ := GeneratorKinds(g.Fn, g.Arg.Kind())
	for i := range cols {
		if i < len(g.Names) {
			cols[i].Name = g.Names[i]
		}
	}
	return cols
}

func (g *Generate) Schema() types.Schema {
	return append(append(types.Schema{}, g.Input.Schema()...), g.Generated()...)
}
func (g *Generate) Children() []Node { return []Node{g.Input} }

// Streaming: each input row's output rows are its own, so a generator
// runs on each micro-batch alone, as a projection does.
func (*Generate) Streaming() Streaming { return overState }

func (g *Generate) Describe() string {
	s := "Generate "
	if g.Outer {
		s += "OUTER "
	}
	cols := g.Generated()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = syntax.QuoteIdent(c.Name)
	}
	return s + g.Fn + "(" + g.Arg.String() + ") AS (" + strings.Join(names, ", ") + ")"
}

// Parts is the subexpressions of an element access, constructor,
// from_json, lambda or higher-order call, in order; nil for others.
func Parts(e Expr) []Expr {
	if c, ok := e.(composite); ok {
		return c.parts()
	}
	return nil
}
