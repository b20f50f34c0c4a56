package functions

import (
	"fmt"
	"math"

	"github.com/nectar-dev/nectar/types"
)

func init() {
	coalesceCheck := func(args []types.Kind) (types.Kind, error) { return widenAll(args), nil }
	first := func(a []types.Value) (types.Value, error) {
		k := types.Null
		for _, v := range a {
			k = types.Widen(k, v.K)
		}
		for _, v := range a {
			if v.K != types.Null {
				return castTo(v, k), nil
			}
		}
		return types.NullValue, nil
	}
	register(&Func{Name: "zeroifnull", MinArgs: 1, MaxArgs: 1, NullSafe: true,
		Doc: "zeroifnull(x) → x's kind (BIGINT for NULL): 0 when x is NULL, else x",
		Check: func(args []types.Kind) (types.Kind, error) {
			if err := checkArgs(args, numArg); err != nil || args[0] == types.String {
				return types.Null, &ArgTypeError{Arg: 1, Want: "a number", Got: args[0]}
			}
			return types.Widen(args[0], types.Int), nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.IntValue(0), nil
			}
			return a[0], nil
		}})
	register(&Func{Name: "nullifzero", MinArgs: 1, MaxArgs: 1,
		Doc: "nullifzero(x) → x's kind: NULL when x is 0, else x (a string is compared as a number, as Spark casts it)",
		Check: func(args []types.Kind) (types.Kind, error) {
			if err := checkArgs(args, numArg); err != nil {
				return types.Null, err
			}
			return args[0], nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			n := a[0]
			if n.K == types.String {
				i, err := types.Cast(n, types.Int)
				if err != nil {
					return types.NullValue, fmt.Errorf("%w: nullifzero: %w", ErrInvalidArg, err)
				}
				n = i
			}
			if n.AsFloat() == 0 {
				return types.NullValue, nil
			}
			return a[0], nil
		}})
	register(&Func{Name: "coalesce", MinArgs: 1, MaxArgs: -1, NullSafe: true, Check: coalesceCheck, Eval: first,
		Doc: "coalesce(x, …) → common kind: the first non-NULL argument"})
	register(&Func{Name: "nvl", MinArgs: 2, MaxArgs: 2, NullSafe: true, Check: coalesceCheck, Eval: first,
		Doc: "nvl(x, y) → common kind: x unless it is NULL, then y"}, "ifnull")
	register(&Func{Name: "nvl2", MinArgs: 3, MaxArgs: 3, NullSafe: true,
		Doc: "nvl2(x, y, z) → common kind of y and z: y if x is not NULL, else z",
		Check: func(args []types.Kind) (types.Kind, error) {
			return types.Widen(args[1], args[2]), nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			k := types.Widen(a[1].K, a[2].K)
			if a[0].K != types.Null {
				return castTo(a[1], k), nil
			}
			return castTo(a[2], k), nil
		}})
	register(&Func{Name: "if", MinArgs: 3, MaxArgs: 3, NullSafe: true,
		Doc: "if(cond, x, y) → common kind of x and y: x when cond is true, y when false or NULL (the other is not evaluated)",
		Check: func(args []types.Kind) (types.Kind, error) {
			if err := checkArgs(args[:1], boolArg); err != nil {
				return types.Null, err
			}
			return types.Widen(args[1], args[2]), nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			k := types.Widen(a[1].K, a[2].K)
			if a[0].K == types.Bool && a[0].Bool() {
				return castTo(a[1], k), nil
			}
			return castTo(a[2], k), nil
		}}, "iff")
	register(&Func{Name: "nullif", MinArgs: 2, MaxArgs: 2, NullSafe: true,
		Doc: "nullif(x, y) → kind of x: NULL if x = y, else x",
		Check: func(args []types.Kind) (types.Kind, error) {
			return args[0], nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			if a[0].K == types.Null || a[1].K == types.Null {
				return a[0], nil
			}
			if types.Compare(a[0], a[1]) == 0 {
				return types.NullValue, nil
			}
			return a[0], nil
		}})
	register(&Func{Name: "isnull", MinArgs: 1, MaxArgs: 1, NullSafe: true, Check: fixed(types.Bool, anyValue),
		Doc:  "isnull(x) → BOOLEAN: whether x is NULL",
		Eval: func(a []types.Value) (types.Value, error) { return types.BoolValue(a[0].K == types.Null), nil }})
	register(&Func{Name: "isnotnull", MinArgs: 1, MaxArgs: 1, NullSafe: true, Check: fixed(types.Bool, anyValue),
		Doc:  "isnotnull(x) → BOOLEAN: whether x is not NULL",
		Eval: func(a []types.Value) (types.Value, error) { return types.BoolValue(a[0].K != types.Null), nil }})
	register(&Func{Name: "isnan", MinArgs: 1, MaxArgs: 1, NullSafe: true, Check: fixed(types.Bool, numArg),
		Doc: "isnan(x) → BOOLEAN: whether x is NaN; false for NULL",
		Eval: func(a []types.Value) (types.Value, error) {
			f, err := ToFloat(a[0])
			return types.BoolValue(err == nil && math.IsNaN(f)), nil
		}})
}
