package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Binding of nested data: element access over expressions (a column path
// the source can read, such as properties.products[0].price, stays one
// scan column, so the scanner extracts just that value), constructors,
// from_json, higher-order functions with their lambdas, and generators in
// LATERAL VIEW and in a select list.

// access binds X.f or X[i] where X is an expression rather than a path
// the scan reads.
func (c *exprCtx) access(e syntax.Expr) (Expr, error) {
	switch e := e.(type) {
	case *syntax.Field:
		x, err := c.bind(e.X)
		if err != nil {
			return nil, err
		}
		return fieldOf(x, e.Name, e.Position())
	case *syntax.Subscript:
		x, err := c.bind(e.X)
		if err != nil {
			return nil, err
		}
		i, err := c.bind(e.Index)
		if err != nil {
			return nil, err
		}
		return subscript(x, i, e.Position())
	}
	return nil, syntax.Errorf(e.Position(), "not an element access: %s", e)
}

// fieldOf is x.name: a STRUCT's field, or an ARRAY of STRUCTs' array of
// that field.
func fieldOf(x Expr, name string, pos syntax.Pos) (Expr, error) {
	k := x.Kind()
	st, arr := k, false
	if k.IsArray() && k.Elem().IsStruct() {
		st, arr = k.Elem(), true
	}
	if !st.IsStruct() {
		return nil, syntax.Errorf(pos, "[INVALID_EXTRACT_BASE_FIELD_TYPE] cannot read field %s of %s, which is %s, not a STRUCT", syntax.QuoteIdent(name), x, k)
	}
	i := st.FieldIndex(name)
	if i < 0 {
		e := syntax.Errorf(pos, "[FIELD_NOT_FOUND] no such field %s in %s", syntax.QuoteIdent(name), st)
		names := make([]string, len(st.Fields()))
		for j, f := range st.Fields() {
			names[j] = f.Name
		}
		if best := syntax.Nearest(name, names, 1, len(name)/2+1); len(best) > 0 {
			e.Hint = "did you mean " + syntax.QuoteIdent(best[0]) + "?"
		}
		return nil, e
	}
	f := st.Fields()[i]
	out := &GetField{X: x, Ord: i, Name: f.Name, K: f.Kind}
	if arr {
		out.K = types.ArrayOf(f.Kind)
	}
	return out, nil
}

// subscript is x[i]: an ARRAY's element at the 0-based i, a MAP's value
// under the key i.
func subscript(x, i Expr, pos syntax.Pos) (Expr, error) {
	k := x.Kind()
	switch {
	case k.IsArray():
		if ik := i.Kind(); ik != types.Int && ik != types.Null {
			return nil, syntax.Errorf(pos, "an array index must be an integer, got %s", ik)
		}
		return &Index{X: x, I: castExpr(i, types.Int), K: k.Elem()}, nil
	case k.IsMap():
		if ik := i.Kind(); ik != types.Null && ik != k.MapKey() && !(ik.IsNumeric() && k.MapKey().IsNumeric()) {
			return nil, syntax.Errorf(pos, "a key of %s must be %s, got %s", k, k.MapKey(), ik)
		}
		return &Index{X: x, I: castExpr(i, k.MapKey()), K: k.MapValue()}, nil
	case k.IsStruct():
		// s['f'] is s.f, as in Spark.
		if c, ok := i.(*Const); ok && c.V.K == types.String {
			return fieldOf(x, c.V.S, pos)
		}
		return nil, syntax.Errorf(pos, "a STRUCT's field is named by a string constant, as in s['f'], not %s", i)
	case k == types.Null:
		return &Const{V: types.NullValue}, nil
	}
	return nil, syntax.Errorf(pos, "[DATATYPE_MISMATCH] %s cannot be subscripted: it is %s, not an ARRAY or a MAP", x, k)
}

// splitIndexes splits a path part such as products[0][1] into its name
// and its constant indexes.
func splitIndexes(part string) (string, []int64, bool) {
	name, rest, found := strings.Cut(part, "[")
	if !found {
		return part, nil, true
	}
	var idx []int64
	for _, s := range strings.Split(strings.TrimSuffix(rest, "]"), "][") {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "", nil, false
		}
		idx = append(idx, n)
	}
	return name, idx, true
}

// applyPath applies the rest of a dotted path (fields, constant indexes)
// to x.
func applyPath(x Expr, parts []string, pos syntax.Pos) (Expr, error) {
	for _, p := range parts {
		name, idx, ok := splitIndexes(p)
		if !ok {
			return nil, syntax.Errorf(pos, "bad path part %s", p)
		}
		if name != "" {
			var err error
			if x, err = fieldOf(x, name, pos); err != nil {
				return nil, err
			}
		}
		for _, n := range idx {
			var err error
			if x, err = subscript(x, &Const{V: types.IntValue(n)}, pos); err != nil {
				return nil, err
			}
		}
	}
	return x, nil
}

// lambdaVar resolves a name that starts with a parameter of an enclosing
// lambda (the innermost one that has it).
func (c *exprCtx) lambdaVar(parts []string, pos syntax.Pos) (Expr, bool, error) {
	if len(c.lambdas) == 0 {
		return nil, false, nil
	}
	name, idx, ok := splitIndexes(parts[0])
	if !ok {
		return nil, false, nil
	}
	for i := len(c.lambdas) - 1; i >= 0; i-- {
		v := c.lambdas[i]
		if !strings.EqualFold(v.Name, name) {
			continue
		}
		var x Expr = v
		for _, n := range idx {
			var err error
			if x, err = subscript(x, &Const{V: types.IntValue(n)}, pos); err != nil {
				return nil, true, err
			}
		}
		x, err := applyPath(x, parts[1:], pos)
		return x, true, err
	}
	return nil, false, nil
}

// prefixPath binds a dotted name whose leading parts are a column of
// nested kind and the rest fields and indexes inside it (p.price, where p
// is a generator's STRUCT column), or returns nil.
func (c *exprCtx) prefixPath(parts []string, pos syntax.Pos) Expr {
	for k := len(parts) - 1; k >= 1; k-- {
		// The column is parts[:k], or parts[:k] with the last part's
		// subscripts (products[0]) taken off and applied after it.
		head, rest := parts[:k], parts[k:]
		if _, err := c.sc.lookup(head, pos); err != nil {
			name, idx, ok := splitIndexes(parts[k-1])
			if !ok || len(idx) == 0 {
				continue
			}
			head = append(slices.Clone(parts[:k-1]), name)
			rest = append([]string{"[" + joinIdx(idx) + "]"}, parts[k:]...)
		}
		i, err := c.sc.lookup(head, pos)
		if err != nil {
			continue
		}
		lenient := false
		// a.f of an ARRAY a is the array of every element's f: never a
		// JSON path (a path reaches into an array by index).
		arrayField := c.sc[i].Kind.IsArray() && !strings.HasPrefix(rest[0], "[")
		if c.sc[i].Path && !arrayField {
			if c.admissible(parts) {
				// A source's own path: the longer path is a path of the
				// source too, which Bind admits (it then reads as a scan
				// column), as it would be read straight from the source.
				return nil
			}
			// Read out of the whole value, the path still reads NULL
			// past an array's end, as a path does.
			lenient = true
		}
		x, err := c.column(head, pos)
		if err != nil || !x.Kind().IsNested() {
			continue
		}
		y, err := applyPath(x, rest, pos)
		if err != nil {
			continue
		}
		if lenient {
			y = Rewrite(y, func(e Expr) Expr {
				if ix, ok := e.(*Index); ok && ix.X.Kind().IsArray() {
					c := *ix
					c.Lenient = true
					return &c
				}
				return e
			})
		}
		return y
	}
	return nil
}

func joinIdx(idx []int64) string {
	s := make([]string, len(idx))
	for i, n := range idx {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, "][")
}

// nestedCall binds the calls that are not in the scalar catalogue because
// they need more than their arguments' kinds: constructors (the fields'
// names), from_json (its schema), higher-order functions (lambdas) and
// generators (refused outside a select item or LATERAL VIEW). ok is
// false for any other name.
func (c *exprCtx) nestedCall(e *syntax.Call) (Expr, bool, error) {
	name := strings.ToLower(e.Name)
	if _, _, gen := IsGenerator(name); gen {
		return nil, true, syntax.Errorf(e.Position(), "%s is a generator: use it as a whole select item (SELECT %s(x) AS v …) or in LATERAL VIEW, not inside an expression", e.Name, e.Name)
	}
	switch name {
	case "array", "map", "named_struct", "struct", "from_json":
	default:
		if _, hof := higherOrderFuncs[name]; hof {
			x, err := c.higherOrder(e, name)
			return x, true, err
		}
		for _, a := range e.Args {
			if l, ok := a.(*syntax.Lambda); ok {
				return nil, true, syntax.Errorf(l.Position(), "%s does not take a lambda function", e.Name)
			}
		}
		return nil, false, nil
	}
	args, err := c.bindAll(e.Args)
	if err != nil {
		return nil, true, err
	}
	switch name {
	case "array":
		k := types.Null
		for _, a := range args {
			if k, err = widenParts(k, a.Kind(), e); err != nil {
				return nil, true, err
			}
		}
		for i := range args {
			args[i] = castExpr(args[i], k)
		}
		return &Construct{Fn: "array", Args: args, K: types.ArrayOf(k)}, true, nil
	case "map":
		if len(args)%2 != 0 {
			return nil, true, syntax.Errorf(e.Position(), "map takes keys and values in pairs, got %d arguments", len(args))
		}
		kk, vk := types.Null, types.Null
		for i := 0; i < len(args); i += 2 {
			if kk, err = widenParts(kk, args[i].Kind(), e); err != nil {
				return nil, true, err
			}
			if vk, err = widenParts(vk, args[i+1].Kind(), e); err != nil {
				return nil, true, err
			}
		}
		for i := range args {
			args[i] = castExpr(args[i], map[bool]types.Kind{true: kk, false: vk}[i%2 == 0])
		}
		return &Construct{Fn: "map", Args: args, K: types.MapOf(kk, vk)}, true, nil
	case "named_struct":
		if len(args)%2 != 0 || len(args) == 0 {
			return nil, true, syntax.Errorf(e.Position(), "named_struct takes names and values in pairs, got %d arguments", len(args))
		}
		var fields []types.Field
		var vals []Expr
		for i := 0; i < len(args); i += 2 {
			n, ok := args[i].(*Const)
			if !ok || n.V.K != types.String {
				return nil, true, syntax.Errorf(e.Args[i].Position(), "named_struct's field names must be string constants, got %s", e.Args[i])
			}
			fields = append(fields, types.Field{Name: n.V.S, Kind: args[i+1].Kind()})
			vals = append(vals, args[i+1])
		}
		return &Construct{Fn: "named_struct", Args: vals, K: types.StructOf(fields...)}, true, nil
	case "struct":
		if len(args) == 0 {
			return nil, true, syntax.Errorf(e.Position(), "struct needs at least one field")
		}
		fields := make([]types.Field, len(args))
		for i, a := range e.Args {
			fields[i] = types.Field{Name: structFieldName(a, i), Kind: args[i].Kind()}
		}
		return &Construct{Fn: "named_struct", Args: args, K: types.StructOf(fields...)}, true, nil
	}
	// from_json(json, schema[, options])
	if len(args) < 2 || len(args) > 3 {
		return nil, true, syntax.Errorf(e.Position(), "from_json takes 2 or 3 arguments, got %d", len(args))
	}
	if len(args) == 3 {
		// Ignoring them would read dates, modes and formats other than
		// the user asked for: a different answer, silently.
		return nil, true, syntax.Errorf(e.Args[2].Position(), "from_json's options (dateFormat, timestampFormat, mode, …) are not supported yet: nectar reads JSON as Spark does by default; leave them out")
	}
	if k := args[0].Kind(); k != types.String && k != types.Null {
		return nil, true, syntax.Errorf(e.Args[0].Position(), "from_json expects JSON text (a STRING), got %s", k)
	}
	s, ok := args[1].(*Const)
	if !ok || s.V.K != types.String {
		return nil, true, syntax.Errorf(e.Args[1].Position(), "from_json's schema must be a string constant, such as 'a INT, b ARRAY<STRING>'")
	}
	k, err := ParseJSONSchema(s.V.S)
	if err != nil {
		return nil, true, syntax.Errorf(e.Args[1].Position(), "from_json's schema: %v", err)
	}
	return &FromJSON{X: args[0], K: k}, true, nil
}

// ParseJSONSchema reads from_json's schema: a column list ('a INT, b
// STRING', a STRUCT of those fields) or one type ('ARRAY<INT>',
// 'MAP<STRING, INT>', 'STRUCT<a: INT>').
func ParseJSONSchema(s string) (types.Kind, error) {
	if k, ok := types.ParseKind(strings.TrimSpace(s)); ok && k.IsNested() {
		return k, nil
	}
	defs, err := syntax.ParseSchema(s)
	if err != nil {
		return types.Null, err
	}
	fields := make([]types.Field, len(defs))
	for i, d := range defs {
		k, err := d.Type.Kind()
		if err != nil {
			return types.Null, err
		}
		fields[i] = types.Field{Name: d.Name, Kind: k}
	}
	return types.StructOf(fields...), nil
}

// widenParts widens the kinds of a constructor's parts, refusing kinds
// that have no common type (Spark's DATA_TYPE_MISMATCH).
func widenParts(a, b types.Kind, e *syntax.Call) (types.Kind, error) {
	w := types.Widen(a, b)
	if w == types.String && a != types.String && b != types.String && a != types.Null && b != types.Null {
		return types.Null, syntax.Errorf(e.Position(), "[DATATYPE_MISMATCH] %s's arguments have no common type: %s and %s", e.Name, a, b)
	}
	if (a.IsNested() || b.IsNested()) && a != b && a != types.Null && b != types.Null && w == types.String {
		return types.Null, syntax.Errorf(e.Position(), "[DATATYPE_MISMATCH] %s's arguments have no common type: %s and %s", e.Name, a, b)
	}
	return w, nil
}

// structFieldName is the name struct(…) gives argument i, as Spark does:
// a column's own name, else col1, col2, ….
func structFieldName(a syntax.Expr, i int) string {
	switch a := a.(type) {
	case *syntax.Ident:
		return a.Parts[len(a.Parts)-1]
	case *syntax.Field:
		return a.Name
	}
	return "col" + strconv.Itoa(i+1)
}

// higherOrderFuncs are the higher-order functions, with their argument
// counts.
var higherOrderFuncs = map[string][2]int{
	"transform": {2, 2}, "filter": {2, 2}, "exists": {2, 2}, "forall": {2, 2},
	"aggregate": {3, 4}, "reduce": {3, 4}, "zip_with": {3, 3}, "map_filter": {2, 2},
	"transform_keys": {2, 2}, "transform_values": {2, 2}, "array_sort": {1, 2}, "map_zip_with": {3, 3},
}

// constantFuncs are the positions from which a higher-order function
// takes functions, and their parameter counts, for constantLambdas.
var constantFuncs = map[string]struct{ from, params int }{
	"transform": {1, 1}, "filter": {1, 1}, "exists": {1, 1}, "forall": {1, 1},
	"aggregate": {2, 2}, "reduce": {2, 2}, "zip_with": {2, 2}, "map_filter": {1, 2},
	"transform_values": {1, 2}, "map_zip_with": {2, 3},
}

// constantLambdas reads a value where a function belongs as the function
// that ignores its arguments and gives that value, as Spark 4.2 does
// (transform(array(1, 2, 3), 42) is [42, 42, 42]). Not for
// transform_keys, whose equal keys Spark refuses, nor array_sort, whose
// constant comparator orders nothing.
func constantLambdas(e *syntax.Call, name string) *syntax.Call {
	cf, ok := constantFuncs[name]
	if !ok {
		return e
	}
	var c *syntax.Call
	for i := cf.from; i < len(e.Args); i++ {
		if _, isLambda := e.Args[i].(*syntax.Lambda); isLambda {
			continue
		}
		if c == nil {
			cp := *e
			cp.Args = slices.Clone(e.Args)
			c = &cp
		}
		params := cf.params
		if (name == "aggregate" || name == "reduce") && i == 3 {
			params = 1 // aggregate's finish takes the accumulator
		}
		l := &syntax.Lambda{At: syntax.At{P: e.Args[i].Position()}, Body: e.Args[i]}
		for j := range params {
			l.Params = append(l.Params, fmt.Sprintf("__const_arg%d", j))
		}
		c.Args[i] = l
	}
	if c == nil {
		return e
	}
	return c
}

// lambda binds a lambda argument whose parameters have kinds (min of
// them required, the rest optional).
func (c *exprCtx) lambda(fn string, a syntax.Expr, argN int, kinds []types.Kind, min int) (*Lambda, error) {
	l, ok := a.(*syntax.Lambda)
	if !ok {
		example := "x -> x + 1"
		if min == 2 {
			example = "(x, y) -> x + y"
		}
		return nil, syntax.Errorf(a.Position(), "%s expects a lambda function as argument %d, such as %s", fn, argN, example)
	}
	if len(l.Params) < min || len(l.Params) > len(kinds) {
		return nil, syntax.Errorf(l.Position(), "[INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH] %s's lambda function takes %s, got %d", fn, argCount(min, len(kinds)), len(l.Params))
	}
	for i, p := range l.Params {
		for _, q := range l.Params[:i] {
			if strings.EqualFold(p, q) {
				return nil, syntax.Errorf(l.Position(), "[INVALID_LAMBDA_FUNCTION_CALL.DUPLICATE_ARG_NAMES] the lambda function has two parameters named %s", syntax.QuoteIdent(p))
			}
		}
	}
	vars := make([]*LambdaVar, len(l.Params))
	for i, p := range l.Params {
		vars[i] = &LambdaVar{Name: p, Slot: len(c.lambdas) + i, K: kinds[i]}
	}
	inner := *c
	inner.lambdas = append(slices.Clone(c.lambdas), vars...)
	inner.win = nil
	body, err := inner.bind(l.Body)
	if err != nil {
		return nil, err
	}
	return &Lambda{Params: vars, Body: body}, nil
}

func (c *exprCtx) higherOrder(e *syntax.Call, name string) (Expr, error) {
	n := higherOrderFuncs[name]
	if len(e.Args) < n[0] || len(e.Args) > n[1] {
		return nil, syntax.Errorf(e.Position(), "%s takes %s, got %d", e.Name, argCount(n[0], n[1]), len(e.Args))
	}
	if e.Distinct || e.Filter != nil {
		return nil, syntax.Errorf(e.Position(), "DISTINCT and FILTER apply only to aggregate functions, and %s is not one", e.Name)
	}
	e = constantLambdas(e, name)
	// The collection arguments: every one before the first lambda.
	var args []Expr
	for _, a := range e.Args {
		if _, ok := a.(*syntax.Lambda); ok {
			break
		}
		x, err := c.bind(a)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
	array := func(i int) (types.Kind, error) {
		if i >= len(args) {
			return types.Null, syntax.Errorf(e.Position(), "%s expects an ARRAY as argument %d", e.Name, i+1)
		}
		k := args[i].Kind()
		switch {
		case k == types.Null:
			args[i] = &Const{V: types.Value{K: types.Null}}
			return types.ArrayOf(types.Null), nil
		case !k.IsArray():
			return types.Null, syntax.Errorf(e.Args[i].Position(), "[DATATYPE_MISMATCH] %s expects an ARRAY as argument %d, got %s", e.Name, i+1, k)
		}
		return k, nil
	}
	mapArg := func() (types.Kind, error) {
		k := args[0].Kind()
		if !k.IsMap() {
			return types.Null, syntax.Errorf(e.Args[0].Position(), "[DATATYPE_MISMATCH] %s expects a MAP as argument 1, got %s", e.Name, k)
		}
		return k, nil
	}
	boolBody := func(l *Lambda) error {
		if k := l.Body.Kind(); k != types.Bool && k != types.Null {
			return syntax.Errorf(e.Args[len(args)].Position(), "[DATATYPE_MISMATCH] %s's lambda function must return a BOOLEAN, got %s", e.Name, k)
		}
		return nil
	}
	out := &HigherOrder{Name: name}
	switch name {
	case "transform", "filter", "exists", "forall":
		if len(args) != 1 {
			return nil, syntax.Errorf(e.Position(), "%s expects an array and a lambda function", e.Name)
		}
		ak, err := array(0)
		if err != nil {
			return nil, err
		}
		kinds := []types.Kind{ak.Elem(), types.Int}
		if name == "exists" || name == "forall" {
			kinds = kinds[:1]
		}
		l, err := c.lambda(e.Name, e.Args[1], 2, kinds, 1)
		if err != nil {
			return nil, err
		}
		out.Args = []Expr{args[0], l}
		switch name {
		case "transform":
			out.K = types.ArrayOf(l.Body.Kind())
		case "filter":
			out.K = ak
		default:
			out.K = types.Bool
		}
		if name != "transform" {
			if err := boolBody(l); err != nil {
				return nil, err
			}
		}
	case "aggregate", "reduce":
		if len(args) != 2 {
			return nil, syntax.Errorf(e.Position(), "%s expects an array, a start value and a lambda function (acc, x) -> …", e.Name)
		}
		ak, err := array(0)
		if err != nil {
			return nil, err
		}
		acc := args[1].Kind()
		merge, err := c.lambda(e.Name, e.Args[2], 3, []types.Kind{acc, ak.Elem()}, 2)
		if err != nil {
			return nil, err
		}
		if mk := merge.Body.Kind(); mk != acc && mk != types.Null && !sameShape(mk, acc) {
			// 0 as the start of a sum of doubles: the accumulator takes
			// the wider kind, as Spark's type coercion of aggregate does.
			w := types.Widen(acc, mk)
			if w == types.String && acc != types.String && mk != types.String || acc.IsNested() || mk.IsNested() {
				return nil, syntax.Errorf(e.Args[2].Position(), "[DATATYPE_MISMATCH] %s's merge function returns %s, but the start value is %s", e.Name, mk, acc)
			}
			acc = w
			if merge, err = c.lambda(e.Name, e.Args[2], 3, []types.Kind{acc, ak.Elem()}, 2); err != nil {
				return nil, err
			}
		}
		merge.Body = castExpr(merge.Body, acc)
		out.Args = []Expr{args[0], castExpr(args[1], acc), merge}
		out.K = acc
		if len(e.Args) == 4 {
			finish, err := c.lambda(e.Name, e.Args[3], 4, []types.Kind{acc}, 1)
			if err != nil {
				return nil, err
			}
			out.Args = append(out.Args, finish)
			out.K = finish.Body.Kind()
		}
	case "zip_with":
		if len(args) != 2 {
			return nil, syntax.Errorf(e.Position(), "zip_with expects two arrays and a lambda function (x, y) -> …")
		}
		a, err := array(0)
		if err != nil {
			return nil, err
		}
		b, err := array(1)
		if err != nil {
			return nil, err
		}
		l, err := c.lambda(e.Name, e.Args[2], 3, []types.Kind{a.Elem(), b.Elem()}, 2)
		if err != nil {
			return nil, err
		}
		out.Args, out.K = []Expr{args[0], args[1], l}, types.ArrayOf(l.Body.Kind())
	case "map_zip_with":
		if len(args) != 2 {
			return nil, syntax.Errorf(e.Position(), "map_zip_with expects two maps and a lambda function (k, v1, v2) -> …")
		}
		m1, m2 := args[0].Kind(), args[1].Kind()
		if !m1.IsMap() || !m2.IsMap() {
			return nil, syntax.Errorf(e.Position(), "[DATATYPE_MISMATCH] map_zip_with expects two MAPs, got %s and %s", m1, m2)
		}
		if m1.MapKey() != m2.MapKey() {
			return nil, syntax.Errorf(e.Position(), "[DATATYPE_MISMATCH.MAP_ZIP_WITH_DIFF_TYPES] map_zip_with's maps have keys of %s and %s", m1.MapKey(), m2.MapKey())
		}
		l, err := c.lambda(e.Name, e.Args[2], 3, []types.Kind{m1.MapKey(), m1.MapValue(), m2.MapValue()}, 3)
		if err != nil {
			return nil, err
		}
		out.Args, out.K = []Expr{args[0], args[1], l}, types.MapOf(m1.MapKey(), l.Body.Kind())
	case "map_filter", "transform_keys", "transform_values":
		if len(args) != 1 {
			return nil, syntax.Errorf(e.Position(), "%s expects a map and a lambda function (k, v) -> …", e.Name)
		}
		mk, err := mapArg()
		if err != nil {
			return nil, err
		}
		l, err := c.lambda(e.Name, e.Args[1], 2, []types.Kind{mk.MapKey(), mk.MapValue()}, 2)
		if err != nil {
			return nil, err
		}
		out.Args = []Expr{args[0], l}
		switch name {
		case "map_filter":
			out.K = mk
			if err := boolBody(l); err != nil {
				return nil, err
			}
		case "transform_keys":
			out.K = types.MapOf(l.Body.Kind(), mk.MapValue())
		default:
			out.K = types.MapOf(mk.MapKey(), l.Body.Kind())
		}
	case "array_sort":
		ak, err := array(0)
		if err != nil {
			return nil, err
		}
		out.Args, out.K = []Expr{args[0]}, ak
		if len(e.Args) == 2 {
			l, err := c.lambda(e.Name, e.Args[1], 2, []types.Kind{ak.Elem(), ak.Elem()}, 2)
			if err != nil {
				return nil, err
			}
			if k := l.Body.Kind(); k != types.Int && k != types.Null {
				return nil, syntax.Errorf(e.Args[1].Position(), "array_sort's comparator must return an integer, got %s", k)
			}
			out.Args = append(out.Args, l)
		} else if !ak.Elem().Orderable() && ak.Elem() != types.Null {
			return nil, syntax.Errorf(e.Args[0].Position(), "array_sort cannot order elements of %s", ak.Elem())
		}
	}
	return out, nil
}

// generator binds a generator call (explode, posexplode, inline and their
// _outer forms) over the scope of c, with the column aliases given.
func (c *exprCtx) generator(call *syntax.Call, outer bool, aliases []string) (*Generate, error) {
	base, o, ok := IsGenerator(call.Name)
	if !ok {
		return nil, syntax.Errorf(call.Position(), "%s is not a generator: LATERAL VIEW takes explode, posexplode or inline (or their _outer forms)", call.Name)
	}
	if len(call.Args) != 1 {
		return nil, syntax.Errorf(call.Position(), "%s takes 1 argument, got %d", call.Name, len(call.Args))
	}
	if call.Distinct || call.Filter != nil || call.Over != nil {
		return nil, syntax.Errorf(call.Position(), "%s is a generator, not an aggregate or window function", call.Name)
	}
	arg, err := c.bind(call.Args[0])
	if err != nil {
		return nil, err
	}
	cols, err := GeneratorKinds(base, arg.Kind())
	if err != nil {
		return nil, syntax.Errorf(call.Args[0].Position(), "[DATATYPE_MISMATCH] %v", err)
	}
	if len(aliases) > 0 && len(aliases) != len(cols) {
		return nil, syntax.Errorf(call.Position(), "[UDTF_ALIAS_NUMBER_MISMATCH] %s makes %d columns, but %d aliases are given", call.Name, len(cols), len(aliases))
	}
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name
		if len(aliases) > 0 {
			names[i] = aliases[i]
		}
	}
	return &Generate{Fn: base, Arg: arg, Outer: outer || o, Names: names}, nil
}

// lateralView binds Input LATERAL VIEW [OUTER] gen(x) t AS c1, …: the
// generator's columns are named t.c1, ….
func (b *binder) lateralView(t *syntax.LateralView) (Node, scope, error) {
	in, sc, err := b.from(t.Input)
	if err != nil {
		return nil, nil, err
	}
	c := &exprCtx{b: b, sc: sc, clause: "LATERAL VIEW"}
	g, err := c.generator(t.Func, t.Outer, t.Columns)
	if err != nil {
		return nil, nil, err
	}
	g.Input = in
	out := slices.Clone(sc)
	for _, col := range g.Generated() {
		out = append(out, scopeCol{Table: t.Table, Name: col.Name, Kind: col.Kind})
	}
	return g, out, nil
}

// generatedTable qualifies the columns a select list's generator adds to
// the scope: no query can name it, so only the select items it replaces
// reach them.
const generatedTable = "\x00generator"

// selectGenerator moves a generator in the select list (SELECT
// explode(a) AS x, y FROM t) to a Generate under the projection, and
// replaces it with references to the generator's columns, as Spark does.
// Spark allows one such generator, as a whole select item, and none with
// aggregation.
func (b *binder) selectGenerator(in Node, sc scope, sel *syntax.Select) (Node, scope, *syntax.Select, error) {
	at := -1
	for i, it := range sel.Items {
		call, ok := it.Expr.(*syntax.Call)
		if !ok || call.Over != nil {
			continue
		}
		if _, _, gen := IsGenerator(call.Name); !gen {
			continue
		}
		if at >= 0 {
			return nil, nil, nil, syntax.Errorf(call.Position(), "[UNSUPPORTED_GENERATOR.MULTI_GENERATOR] only one generator is allowed in a select list; use LATERAL VIEW for the others")
		}
		at = i
	}
	if at < 0 {
		return in, sc, sel, nil
	}
	call := sel.Items[at].Expr.(*syntax.Call)
	hasAgg := len(sel.GroupBy) > 0 || sel.GroupAll || sel.GroupingSets != nil || sel.Having != nil
	for _, it := range sel.Items {
		hasAgg = hasAgg || containsAggregate(it.Expr)
	}
	if hasAgg {
		return nil, nil, nil, syntax.Errorf(call.Position(), "a generator in a select list with aggregation is not supported: aggregate in a subquery, or use LATERAL VIEW")
	}
	aliases := sel.Items[at].Aliases
	if a := sel.Items[at].Alias; a != "" {
		aliases = []string{a}
	}
	c := &exprCtx{b: b, sc: sc, clause: "SELECT"}
	g, err := c.generator(call, false, aliases)
	if err != nil {
		return nil, nil, nil, err
	}
	g.Input = in
	out := slices.Clone(sc)
	var items []syntax.SelectItem
	for _, col := range g.Generated() {
		out = append(out, scopeCol{Table: generatedTable, Name: col.Name, Kind: col.Kind, Shadow: true})
		items = append(items, syntax.SelectItem{Expr: &syntax.Ident{At: call.At, Parts: []string{generatedTable, col.Name}}, Alias: col.Name})
	}
	s := *sel
	s.Items = slices.Concat(sel.Items[:at], items, sel.Items[at+1:])
	return g, out, &s, nil
}

// admissible reports whether some open-schema source of the statement
// could have parts as a path (plan.OpenSchema's Admits), so that Bind's
// admission, not element access, should resolve it.
func (c *exprCtx) admissible(parts []string) bool {
	full := strings.Join(parts, ".")
	for _, o := range c.b.open {
		if o.src.Admits(full) {
			return true
		}
		if o.alias != "" && len(parts) > 1 && strings.EqualFold(o.alias, parts[0]) && o.src.Admits(strings.Join(parts[1:], ".")) {
			return true
		}
	}
	return false
}

// sameShape reports structs whose fields have the same kinds in order,
// whatever their names: Spark's aggregate takes such a merge result for
// its start value's type (DataType.equalsStructurally), and the cast by
// position renames the fields.
func sameShape(a, b types.Kind) bool {
	if !a.IsStruct() || !b.IsStruct() {
		return false
	}
	fa, fb := a.Fields(), b.Fields()
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i].Kind != fb[i].Kind && !sameShape(fa[i].Kind, fb[i].Kind) {
			return false
		}
	}
	return true
}
