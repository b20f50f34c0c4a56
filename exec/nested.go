package exec

import (
	"context"
	"fmt"
	"slices"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// Evaluation of nested data: element access, constructors, from_json,
// higher-order functions (row by row, their lambdas over an environment of
// parameter values), and the Generate operator.

// evalNested evaluates element access, a constructor or from_json over a
// batch: its parts as vectors, then row by row.
func evalNested(e plan.Expr, b *types.Batch) (*types.Vector, error) {
	argv, err := evalArgs(plan.Parts(e), b)
	if err != nil {
		return nil, err
	}
	out := types.NewVector(e.Kind(), b.Len)
	vals := make([]types.Value, len(argv))
	for i := 0; i < b.Len; i++ {
		for j, a := range argv {
			vals[j] = a.Get(i)
		}
		v, err := nestedApply(e, vals)
		if err != nil {
			return nil, err
		}
		out.Append(coerce(v, e.Kind()))
	}
	return out, nil
}

// rowWise evaluates e on each row of b as a whole row of values: for
// higher-order functions, whose lambdas may read any column.
func rowWise(e plan.Expr, b *types.Batch) (*types.Vector, error) {
	out := types.NewVector(e.Kind(), b.Len)
	var row []types.Value
	for i := 0; i < b.Len; i++ {
		row = b.Row(row[:0], i)
		v, err := evalEnv(e, row, nil)
		if err != nil {
			return nil, err
		}
		out.Append(coerce(v, e.Kind()))
	}
	return out, nil
}

// nestedRow evaluates element access, constructors and from_json over one
// row; ok is false for other expressions.
func nestedRow(e plan.Expr, row, env []types.Value) (types.Value, bool, error) {
	switch e.(type) {
	case *plan.Index, *plan.GetField, *plan.Construct, *plan.FromJSON:
	default:
		return types.NullValue, false, nil
	}
	parts := plan.Parts(e)
	vals := make([]types.Value, len(parts))
	for i, p := range parts {
		v, err := evalEnv(p, row, env)
		if err != nil {
			return types.NullValue, true, err
		}
		vals[i] = v
	}
	v, err := nestedApply(e, vals)
	return coerce(v, e.Kind()), true, err
}

// nestedApply computes e from the values of its parts.
func nestedApply(e plan.Expr, a []types.Value) (types.Value, error) {
	switch e := e.(type) {
	case *plan.Index:
		if e.Lenient && !a[0].IsNull() && !a[1].IsNull() && a[0].K.IsArray() && (a[1].I < 0 || a[1].I >= int64(types.Count(a[0]))) {
			return types.NullValue, nil
		}
		return index(a[0], a[1])
	case *plan.GetField:
		return getField(a[0], e.Ord, e.K)
	case *plan.Construct:
		return construct(e, a)
	case *plan.FromJSON:
		if a[0].IsNull() {
			return types.NullValue, nil
		}
		return functions.FromJSON(a[0].S, e.K), nil
	}
	return types.NullValue, fmt.Errorf("exec: cannot evaluate %T", e)
}

// index is x[i]: Spark's ANSI mode refuses an index outside an array; a
// map without the key gives NULL.
func index(x, i types.Value) (types.Value, error) {
	if x.IsNull() || i.IsNull() {
		return types.NullValue, nil
	}
	if x.K.IsMap() {
		return functions.MapGet(x, i)
	}
	n := types.Count(x)
	if i.I < 0 || i.I >= int64(n) {
		return types.NullValue, fmt.Errorf("%w: [INVALID_ARRAY_INDEX] index %d is out of bounds: the array has %d elements (use try_element_at(a, i + 1) for NULL instead)", functions.ErrIndex, i.I, n)
	}
	return types.At(x, int(i.I)), nil
}

// getField is a STRUCT's field ord, or an ARRAY of STRUCTs' array of
// field ord (k is then the result's ARRAY kind).
func getField(x types.Value, ord int, k types.Kind) (types.Value, error) {
	if x.IsNull() {
		return types.NullValue, nil
	}
	if !x.K.IsArray() {
		return types.At(x, ord), nil
	}
	parts, err := types.Parts(nil, x)
	if err != nil {
		return types.NullValue, err
	}
	for i, p := range parts {
		if !p.IsNull() {
			parts[i] = types.At(p, ord)
		}
	}
	return types.ArrayValue(k, parts), nil
}

func construct(e *plan.Construct, a []types.Value) (types.Value, error) {
	switch e.Fn {
	case "array":
		return types.ArrayValue(e.K, coerceAll(a, e.K.Elem())), nil
	case "map":
		var keys, vals []types.Value
		for i := 0; i+1 < len(a); i += 2 {
			if a[i].IsNull() {
				return types.NullValue, fmt.Errorf("%w: [NULL_MAP_KEY] a map key cannot be NULL", functions.ErrMapKey)
			}
			for _, k := range keys {
				if types.Compare(k, a[i]) == 0 {
					return types.NullValue, fmt.Errorf("%w: [DUPLICATED_MAP_KEY] duplicate map key %s", functions.ErrMapKey, a[i])
				}
			}
			keys = append(keys, coerce(a[i], e.K.MapKey()))
			vals = append(vals, coerce(a[i+1], e.K.MapValue()))
		}
		return types.MapValue(e.K, keys, vals), nil
	}
	fs := e.K.Fields()
	vals := make([]types.Value, len(a))
	for i, v := range a {
		vals[i] = coerce(v, fs[i].Kind)
	}
	return types.StructValue(e.K, vals), nil
}

func coerceAll(vs []types.Value, k types.Kind) []types.Value {
	out := make([]types.Value, len(vs))
	for i, v := range vs {
		out[i] = coerce(v, k)
	}
	return out
}

// higherOrder evaluates a higher-order function over one row.
func higherOrder(e *plan.HigherOrder, row, env []types.Value) (types.Value, error) {
	var vals []types.Value
	var lams []*plan.Lambda
	for _, a := range e.Args {
		if l, ok := a.(*plan.Lambda); ok {
			lams = append(lams, l)
			continue
		}
		v, err := evalEnv(a, row, env)
		if err != nil {
			return types.NullValue, err
		}
		vals = append(vals, v)
	}
	if vals[0].IsNull() || ((e.Name == "zip_with" || e.Name == "map_zip_with") && vals[1].IsNull()) {
		return types.NullValue, nil
	}
	// call applies lambda l to args (those past its parameters dropped)
	// in an environment of env and the arguments.
	buf := make([]types.Value, len(env)+3)
	copy(buf, env)
	call := func(l *plan.Lambda, args ...types.Value) (types.Value, error) {
		inner := buf[:len(env)+len(l.Params)]
		for i := range l.Params {
			inner[len(env)+i] = coerce(args[i], l.Params[i].K)
		}
		v, err := evalEnv(l.Body, row, inner)
		if err != nil {
			return types.NullValue, fmt.Errorf("%s: %w", e.Name, err)
		}
		return coerce(v, l.Body.Kind()), nil
	}
	parts, err := types.Parts(nil, vals[0])
	if err != nil {
		return types.NullValue, err
	}
	switch e.Name {
	case "transform":
		out := make([]types.Value, len(parts))
		for i, x := range parts {
			if out[i], err = call(lams[0], x, types.IntValue(int64(i))); err != nil {
				return types.NullValue, err
			}
		}
		return types.ArrayValue(e.K, out), nil
	case "filter":
		var out []types.Value
		for i, x := range parts {
			ok, err := call(lams[0], x, types.IntValue(int64(i)))
			if err != nil {
				return types.NullValue, err
			}
			if !ok.IsNull() && ok.Bool() {
				out = append(out, x)
			}
		}
		return types.ArrayValue(e.K, out), nil
	case "exists", "forall":
		// Three-valued: exists is TRUE if some element is, else NULL if
		// some is NULL; forall is FALSE if some element is, else NULL if
		// some is NULL.
		decide := e.Name == "exists"
		sawNull := false
		for _, x := range parts {
			ok, err := call(lams[0], x)
			if err != nil {
				return types.NullValue, err
			}
			switch {
			case ok.IsNull():
				sawNull = true
			case ok.Bool() == decide:
				return types.BoolValue(decide), nil
			}
		}
		if sawNull {
			return types.NullValue, nil
		}
		return types.BoolValue(!decide), nil
	case "aggregate", "reduce":
		acc := vals[1]
		for _, x := range parts {
			if acc, err = call(lams[0], acc, x); err != nil {
				return types.NullValue, err
			}
		}
		if len(lams) == 2 {
			return call(lams[1], acc)
		}
		return acc, nil
	case "zip_with":
		other, err := types.Parts(nil, vals[1])
		if err != nil {
			return types.NullValue, err
		}
		n := max(len(parts), len(other))
		out := make([]types.Value, n)
		for i := range n {
			x, y := types.NullValue, types.NullValue
			if i < len(parts) {
				x = parts[i]
			}
			if i < len(other) {
				y = other[i]
			}
			if out[i], err = call(lams[0], x, y); err != nil {
				return types.NullValue, err
			}
		}
		return types.ArrayValue(e.K, out), nil
	case "map_zip_with":
		// The keys of the first map in order, then the second's new ones,
		// each with its value in either map (NULL where absent), as
		// Spark's MapZipWith.
		other, err := types.Parts(nil, vals[1])
		if err != nil {
			return types.NullValue, err
		}
		var keys, out []types.Value
		find := func(ps []types.Value, k types.Value) types.Value {
			for i := 0; i+1 < len(ps); i += 2 {
				if types.Compare(ps[i], k) == 0 {
					return ps[i+1]
				}
			}
			return types.NullValue
		}
		add := func(k types.Value) error {
			for _, seen := range keys {
				if types.Compare(seen, k) == 0 {
					return nil
				}
			}
			r, err := call(lams[0], k, find(parts, k), find(other, k))
			if err != nil {
				return err
			}
			keys, out = append(keys, k), append(out, r)
			return nil
		}
		for _, ps := range [][]types.Value{parts, other} {
			for i := 0; i+1 < len(ps); i += 2 {
				if err := add(ps[i]); err != nil {
					return types.NullValue, err
				}
			}
		}
		return types.MapValue(e.K, keys, out), nil
	case "map_filter", "transform_keys", "transform_values":
		var keys, vs []types.Value
		for i := 0; i+1 < len(parts); i += 2 {
			k, v := parts[i], parts[i+1]
			r, err := call(lams[0], k, v)
			if err != nil {
				return types.NullValue, err
			}
			switch e.Name {
			case "map_filter":
				if r.IsNull() || !r.Bool() {
					continue
				}
			case "transform_keys":
				if r.IsNull() {
					return types.NullValue, fmt.Errorf("%w: [NULL_MAP_KEY] transform_keys made a NULL key", functions.ErrMapKey)
				}
				for _, seen := range keys {
					if types.Compare(seen, r) == 0 {
						return types.NullValue, fmt.Errorf("%w: [DUPLICATED_MAP_KEY] transform_keys made the key %s twice", functions.ErrMapKey, r)
					}
				}
				k = r
			default:
				v = r
			}
			keys, vs = append(keys, k), append(vs, v)
		}
		return types.MapValue(e.K, keys, vs), nil
	case "array_sort":
		if len(lams) == 0 {
			return functions.SortArray(vals[0])
		}
		var failed error
		slices.SortStableFunc(parts, func(x, y types.Value) int {
			if failed != nil {
				return 0
			}
			r, err := call(lams[0], x, y)
			switch {
			case err != nil:
				failed = err
			case r.IsNull():
				failed = fmt.Errorf("array_sort: the comparator returned NULL")
			}
			return int(max(-1, min(1, r.I)))
		})
		if failed != nil {
			return types.NullValue, failed
		}
		return types.ArrayValue(e.K, parts), nil
	}
	return types.NullValue, fmt.Errorf("exec: unknown higher-order function %s", e.Name)
}

// generate runs plan.Generate: each input row repeated once per row its
// generator makes, the generated columns after the input's.
type generate struct {
	in   Operator
	node *plan.Generate
	out  *types.Batch
}

func (g *generate) Next(ctx context.Context) (*types.Batch, error) {
	if g.out == nil {
		g.out = types.NewBatch(g.node.Schema(), types.BatchSize)
	}
	width := len(g.node.Input.Schema())
	gen := g.out.Cols[width:]
	pos := g.node.Fn == "posexplode"
	inline := g.node.Fn == "inline"
	var fields []types.Value
	for {
		b, err := g.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return nil, err
		}
		arg, err := Eval(g.node.Arg, b)
		if err != nil {
			return nil, err
		}
		out := g.out
		out.Reset()
		emit := func(i int) {
			for c := 0; c < width; c++ {
				out.Cols[c].AppendFrom(b.Cols[c], i)
			}
			out.Len++
		}
		for i := 0; i < b.Len; i++ {
			v := arg.Get(i)
			n := 0
			if !v.IsNull() {
				it := types.Iter(v)
				isMap := v.K.IsMap()
				for x, ok := it.Next(); ok; x, ok = it.Next() {
					emit(i)
					j := 0
					if pos {
						gen[0].Append(types.IntValue(int64(n)))
						j = 1
					}
					switch {
					case isMap:
						val, _ := it.Next()
						gen[j].Append(x)
						gen[j+1].Append(val)
					case inline:
						fields = fields[:0]
						if !x.IsNull() {
							if fields, err = types.Parts(fields, x); err != nil {
								return nil, err
							}
						}
						for f := j; f < len(gen); f++ {
							if x.IsNull() {
								gen[f].AppendNull()
							} else {
								gen[f].Append(fields[f-j])
							}
						}
					default:
						gen[j].Append(coerce(x, gen[j].Kind))
					}
					n++
				}
				if err := it.Err(); err != nil {
					return nil, err
				}
			}
			if n == 0 && g.node.Outer {
				emit(i)
				for _, c := range gen {
					c.AppendNull()
				}
			}
		}
		if out.Len > 0 {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

func (g *generate) Close() error { return g.in.Close() }
