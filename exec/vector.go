package exec

import (
	"cmp"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// Vectorised forms of operators that the general path evaluates a row at
// a time with boxed values. Each must give exactly what scalarOp or
// lazyOp gives row by row (eval_test.go checks them against each other).

// vectorIsNull is x IS NULL, or x IS NOT NULL when not is set.
func vectorIsNull(x *types.Vector, not bool, n int) *types.Vector {
	out := types.NewVector(types.Bool, n)
	out.Nulls, out.I = out.Nulls[:n], out.I[:n]
	for i := 0; i < n; i++ {
		isNull := x.Kind == types.Null || x.Nulls[i]
		out.Nulls[i] = false
		if isNull != not {
			out.I[i] = 1
		} else {
			out.I[i] = 0
		}
	}
	return out
}

// constList returns the values of args when every one is a constant.
func constList(args []plan.Expr) ([]types.Value, bool) {
	out := make([]types.Value, len(args))
	for i, a := range args {
		c, ok := a.(*plan.Const)
		if !ok {
			return nil, false
		}
		out[i] = c.V
	}
	return out, true
}

// vectorIn is x IN (list) for a list of constants, with SQL's NULLs: NULL
// when x is NULL, or when nothing matches and the list holds a NULL.
func vectorIn(x *types.Vector, list []types.Value, n int) *types.Vector {
	out := types.NewVector(types.Bool, n)
	out.Nulls, out.I = out.Nulls[:n], out.I[:n]
	var vals []types.Value
	var strs []string
	sawNull, allStrings := false, x.Kind == types.String
	for _, c := range list {
		if c.IsNull() {
			sawNull = true
			continue
		}
		vals = append(vals, c)
		strs = append(strs, c.S)
		allStrings = allStrings && c.K == types.String
	}
	for i := 0; i < n; i++ {
		if x.Kind == types.Null || x.Nulls[i] {
			out.Nulls[i], out.I[i] = true, 0
			continue
		}
		hit := false
		if allStrings {
			// The common shape, event IN ('…', …): compare without boxing.
			s := x.S[i]
			for _, c := range strs {
				if s == c {
					hit = true
					break
				}
			}
		} else {
			v := x.Get(i)
			for _, c := range vals {
				if types.Compare(v, c) == 0 {
					hit = true
					break
				}
			}
		}
		switch {
		case hit:
			out.Nulls[i], out.I[i] = false, 1
		case sawNull:
			out.Nulls[i], out.I[i] = true, 0
		default:
			out.Nulls[i], out.I[i] = false, 0
		}
	}
	return out
}

// vectorPick is CASE or coalesce over arguments that cannot fail: every
// argument is evaluated over the whole batch, then each row takes its
// value from the argument lazy evaluation would have returned.
func vectorPick(e *plan.Op, b *types.Batch) (*types.Vector, error) {
	argv, err := evalArgs(e.Args, b)
	if err != nil {
		return nil, err
	}
	out := types.NewVector(e.K, b.Len)
	take := func(v *types.Vector, i int) {
		if v.Kind == out.Kind {
			out.AppendFrom(v, i)
		} else {
			out.Append(v.Get(i))
		}
	}
	for i := 0; i < b.Len; i++ {
		if e.Op == plan.OpCoalesce {
			picked := false
			for _, v := range argv {
				if v.Kind != types.Null && !v.Nulls[i] {
					take(v, i)
					picked = true
					break
				}
			}
			if !picked {
				out.AppendNull()
			}
			continue
		}
		// CASE: condition/value pairs, then the ELSE value.
		picked := false
		for k := 0; k+1 < len(argv); k += 2 {
			if c := argv[k].Get(i); !c.IsNull() && c.Bool() {
				take(argv[k+1], i)
				picked = true
				break
			}
		}
		if !picked {
			take(argv[len(argv)-1], i)
		}
	}
	return out, nil
}

// constCompare is a comparison of a column with a non-NULL constant of the
// same kind (event = 'Order Completed'), without copying the constant into
// a vector first; ok is false for any other shape.
func constCompare(e *plan.Op, b *types.Batch) (*types.Vector, bool, error) {
	x, c, flip := e.Args[0], e.Args[1], false
	if k, isConst := x.(*plan.Const); isConst {
		if _, both := c.(*plan.Const); both {
			return nil, false, nil
		}
		x, c, flip = c, k, true
	}
	k, isConst := c.(*plan.Const)
	if !isConst || k.V.IsNull() || x.Kind() != k.V.K {
		return nil, false, nil
	}
	switch k.V.K {
	case types.String, types.Int, types.Timestamp, types.Date, types.Bool:
	default:
		return nil, false, nil // DOUBLE keeps types.Compare's NaN order
	}
	v, err := Eval(x, b)
	if err != nil {
		return nil, false, err
	}
	if v.Kind != k.V.K {
		return nil, false, nil
	}
	n := b.Len
	op := e.Op
	if flip {
		// 'a' < x is x > 'a'.
		switch op {
		case plan.OpLt:
			op = plan.OpGt
		case plan.OpLe:
			op = plan.OpGe
		case plan.OpGt:
			op = plan.OpLt
		case plan.OpGe:
			op = plan.OpLe
		}
	}
	out := types.NewVector(types.Bool, n)
	out.Nulls, out.I = out.Nulls[:n], out.I[:n]
	for i := 0; i < n; i++ {
		if v.Nulls[i] {
			out.Nulls[i], out.I[i] = true, 0
			continue
		}
		var r int
		if k.V.K == types.String {
			if op == plan.OpEq || op == plan.OpNe {
				if v.S[i] != k.V.S {
					r = 1
				}
			} else {
				r = strings.Compare(v.S[i], k.V.S)
			}
		} else {
			r = cmp.Compare(v.I[i], k.V.I)
		}
		var t bool
		switch op {
		case plan.OpEq:
			t = r == 0
		case plan.OpNe:
			t = r != 0
		case plan.OpLt:
			t = r < 0
		case plan.OpLe:
			t = r <= 0
		case plan.OpGt:
			t = r > 0
		case plan.OpGe:
			t = r >= 0
		}
		out.Nulls[i], out.I[i] = false, 0
		if t {
			out.I[i] = 1
		}
	}
	return out, true, nil
}
