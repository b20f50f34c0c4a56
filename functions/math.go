package functions

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// roundMode selects how roundDecimal treats the dropped digits.
type roundMode uint8

const (
	halfUp   roundMode = iota // round: ties away from zero
	halfEven                  // bround: ties to the even neighbour
	ceiling                   // toward +∞
	flooring                  // toward −∞
)

func init() {
	register(&Func{Name: "abs", MinArgs: 1, MaxArgs: 1, Check: orInterval(numPreserving(numArg), nil),
		Doc: "abs(x) → x's kind: absolute value of a number or an interval",
		Eval: func(a []types.Value) (types.Value, error) {
			if a[0].K.IsInterval() {
				if a[0].I < 0 {
					return AddInterval(types.Value{K: a[0].K}, a[0], a[0].K, true)
				}
				return a[0], nil
			}
			x, ok := numValue(a[0])
			switch {
			case !ok:
				return types.NullValue, nil
			case x.K == types.Int:
				if x.I < 0 {
					x.I = -x.I // MinInt64 stays negative, as Java's Math.abs
				}
				return x, nil
			}
			return types.FloatValue(math.Abs(x.F)), nil
		}})
	for _, m := range []struct {
		name, doc string
		mode      roundMode
		aliases   []string
	}{
		{"ceil", "ceil(x[, d]) → BIGINT (DOUBLE with d): smallest value ≥ x (with d decimals)", ceiling, []string{"ceiling"}},
		{"floor", "floor(x[, d]) → BIGINT (DOUBLE with d): largest value ≤ x (with d decimals)", flooring, nil},
	} {
		mode := m.mode
		register(&Func{Name: m.name, MinArgs: 1, MaxArgs: 2, Doc: m.doc,
			Check: func(args []types.Kind) (types.Kind, error) {
				if err := checkArgs(args, numArg); err != nil {
					return types.Null, err
				}
				if len(args) == 2 {
					return numKind(args[0]), nil
				}
				return types.Int, nil
			},
			Eval: func(a []types.Value) (types.Value, error) {
				x, ok := numValue(a[0])
				if !ok {
					return types.NullValue, nil
				}
				if len(a) == 2 {
					d, err := ToInt(a[1])
					if err != nil {
						return types.NullValue, nil
					}
					return roundValue(x, d, mode), nil
				}
				if x.K == types.Int {
					return x, nil
				}
				if mode == ceiling {
					return types.IntValue(clampInt(math.Ceil(x.F))), nil
				}
				return types.IntValue(clampInt(math.Floor(x.F))), nil
			}}, m.aliases...)
	}
	for _, m := range []struct {
		name, doc string
		mode      roundMode
	}{
		{"round", "round(x[, d]) → same numeric kind: x rounded to d decimals (default 0), halves away from zero (HALF_UP)", halfUp},
		{"bround", "bround(x[, d]) → same numeric kind: x rounded to d decimals (default 0), halves to even (HALF_EVEN)", halfEven},
	} {
		mode := m.mode
		register(&Func{Name: m.name, MinArgs: 1, MaxArgs: 2, Check: numPreserving(numArg), Doc: m.doc,
			Eval: func(a []types.Value) (types.Value, error) {
				x, ok := numValue(a[0])
				if !ok {
					return types.NullValue, nil
				}
				d := int64(0)
				if len(a) == 2 {
					var err error
					if d, err = ToInt(a[1]); err != nil {
						return types.NullValue, nil
					}
				}
				return roundValue(x, d, mode), nil
			}})
	}
	floatUnary := func(name, doc string, fn func(float64) (float64, bool), aliases ...string) {
		register(&Func{Name: name, MinArgs: 1, MaxArgs: 1, Check: fixed(types.Float, numArg), Doc: doc,
			Eval: func(a []types.Value) (types.Value, error) {
				x, err := ToFloat(a[0])
				if err != nil {
					return types.NullValue, nil
				}
				r, ok := fn(x)
				if !ok {
					return types.NullValue, nil
				}
				return types.FloatValue(r), nil
			}}, aliases...)
	}
	total := func(fn func(float64) float64) func(float64) (float64, bool) {
		return func(x float64) (float64, bool) { return fn(x), true }
	}
	// Spark's logarithms return NULL, not NaN or -Infinity, at and below
	// their asymptote (UnaryLogExpression.yAsymptote).
	positive := func(fn func(float64) float64) func(float64) (float64, bool) {
		return func(x float64) (float64, bool) {
			if x <= 0 {
				return 0, false
			}
			return fn(x), true
		}
	}
	floatUnary("sqrt", "sqrt(x) → DOUBLE: square root (NaN for negative x)", total(math.Sqrt))
	floatUnary("cbrt", "cbrt(x) → DOUBLE: cube root", total(math.Cbrt))
	floatUnary("exp", "exp(x) → DOUBLE: e to the power x", total(math.Exp))
	floatUnary("expm1", "expm1(x) → DOUBLE: exp(x) - 1", total(math.Expm1))
	floatUnary("ln", "ln(x) → DOUBLE: natural logarithm; NULL for x ≤ 0", positive(math.Log))
	floatUnary("log10", "log10(x) → DOUBLE: base-10 logarithm; NULL for x ≤ 0", positive(math.Log10))
	floatUnary("log2", "log2(x) → DOUBLE: base-2 logarithm; NULL for x ≤ 0", positive(math.Log2))
	floatUnary("log1p", "log1p(x) → DOUBLE: ln(1 + x); NULL for x ≤ -1", func(x float64) (float64, bool) {
		if x <= -1 {
			return 0, false
		}
		return math.Log1p(x), true
	})
	register(&Func{Name: "sign", MinArgs: 1, MaxArgs: 1,
		Check: orInterval(fixed(types.Float, numArg), func(types.Kind) types.Kind { return types.Float }),
		Doc:   "sign(x) → DOUBLE: -1.0, 0.0 or 1.0 by the sign of x, a number or an interval",
		Eval: func(a []types.Value) (types.Value, error) {
			x := float64(a[0].I) // an interval's sign is its count's (Spark's Signum)
			if !a[0].K.IsInterval() {
				var err error
				if x, err = ToFloat(a[0]); err != nil {
					return types.NullValue, nil
				}
			}
			switch {
			case x > 0:
				return types.FloatValue(1), nil
			case x < 0:
				return types.FloatValue(-1), nil
			}
			return types.FloatValue(x), nil // 0, -0 and NaN map to themselves
		}}, "signum")
	floatUnary("sin", "sin(x) → DOUBLE: sine of x radians", total(math.Sin))
	floatUnary("cos", "cos(x) → DOUBLE: cosine of x radians", total(math.Cos))
	floatUnary("tan", "tan(x) → DOUBLE: tangent of x radians", total(math.Tan))
	floatUnary("asin", "asin(x) → DOUBLE: arc sine in radians (NaN outside [-1, 1])", total(math.Asin))
	floatUnary("acos", "acos(x) → DOUBLE: arc cosine in radians (NaN outside [-1, 1])", total(math.Acos))
	floatUnary("atan", "atan(x) → DOUBLE: arc tangent in radians", total(math.Atan))
	floatUnary("degrees", "degrees(x) → DOUBLE: radians to degrees", total(func(x float64) float64 { return x * 180 / math.Pi }))
	floatUnary("radians", "radians(x) → DOUBLE: degrees to radians", total(func(x float64) float64 { return x / 180 * math.Pi }))

	floatBinary := func(name, doc string, fn func(x, y float64) (float64, bool), aliases ...string) {
		register(&Func{Name: name, MinArgs: 2, MaxArgs: 2, Check: fixed(types.Float, numArg), Doc: doc,
			Eval: func(a []types.Value) (types.Value, error) {
				x, err1 := ToFloat(a[0])
				y, err2 := ToFloat(a[1])
				if err1 != nil || err2 != nil {
					return types.NullValue, nil
				}
				r, ok := fn(x, y)
				if !ok {
					return types.NullValue, nil
				}
				return types.FloatValue(r), nil
			}}, aliases...)
	}
	floatBinary("pow", "pow(x, y) → DOUBLE: x to the power y", func(x, y float64) (float64, bool) { return math.Pow(x, y), true }, "power")
	floatBinary("atan2", "atan2(y, x) → DOUBLE: angle of the point (x, y) in radians", func(y, x float64) (float64, bool) { return math.Atan2(y, x), true })
	floatBinary("hypot", "hypot(x, y) → DOUBLE: sqrt(x² + y²)", func(x, y float64) (float64, bool) { return math.Hypot(x, y), true })
	floatBinary("try_divide", "try_divide(x, y) → DOUBLE: x / y, NULL when y is 0", func(x, y float64) (float64, bool) {
		if y == 0 {
			return 0, false
		}
		return x / y, true
	})
	floatBinary("nanvl", "nanvl(x, y) → DOUBLE: x unless it is NaN, then y (y is evaluated only then)", func(x, y float64) (float64, bool) {
		if math.IsNaN(x) {
			return y, true
		}
		return x, true
	})
	register(&Func{Name: "decimal", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Float, numArg),
		Doc: "decimal(x) → DOUBLE (Spark: DECIMAL(10, 0)): CAST(x AS DECIMAL), x rounded half up to a whole number; an error past 10 digits or for text that is not a number",
		Eval: func(a []types.Value) (types.Value, error) {
			f, err := ToFloat(a[0])
			if err != nil {
				return types.NullValue, fmt.Errorf("%w: [CAST_INVALID_INPUT] decimal: %s is not a number", ErrInvalidArg, quoteSQL(ToString(a[0])))
			}
			r := math.Round(f) // half away from zero: Spark's HALF_UP
			if math.IsNaN(r) || math.Abs(r) >= 1e10 {
				return types.NullValue, fmt.Errorf("%w: [NUMERIC_VALUE_OUT_OF_RANGE] decimal: %s does not fit DECIMAL(10, 0)", ErrInvalidArg, ToString(a[0]))
			}
			return types.FloatValue(r), nil
		}})
	register(&Func{Name: "log", MinArgs: 1, MaxArgs: 2, Check: fixed(types.Float, numArg),
		Doc: "log([base, ]x) → DOUBLE: logarithm of x in base (default e); NULL when x or base ≤ 0",
		Eval: func(a []types.Value) (types.Value, error) {
			x, err := ToFloat(a[len(a)-1])
			if err != nil || x <= 0 {
				return types.NullValue, nil
			}
			if len(a) == 1 {
				return types.FloatValue(math.Log(x)), nil
			}
			base, err := ToFloat(a[0])
			if err != nil || base <= 0 {
				return types.NullValue, nil
			}
			return types.FloatValue(math.Log(x) / math.Log(base)), nil
		}})
	register(&Func{Name: "pi", MinArgs: 0, MaxArgs: 0, Check: fixed(types.Float), Doc: "pi() → DOUBLE: π",
		Eval: func([]types.Value) (types.Value, error) { return types.FloatValue(math.Pi), nil }})
	register(&Func{Name: "e", MinArgs: 0, MaxArgs: 0, Check: fixed(types.Float), Doc: "e() → DOUBLE: Euler's number",
		Eval: func([]types.Value) (types.Value, error) { return types.FloatValue(math.E), nil }})
	register(&Func{Name: "mod", MinArgs: 2, MaxArgs: 2, Check: numBinary,
		Doc:  "mod(x, y) → BIGINT for two BIGINTs, else DOUBLE: remainder with the sign of x; NULL when y is 0",
		Eval: func(a []types.Value) (types.Value, error) { return modValue(a[0], a[1], false), nil }})
	register(&Func{Name: "pmod", MinArgs: 2, MaxArgs: 2, Check: numBinary,
		Doc:  "pmod(x, y) → BIGINT for two BIGINTs, else DOUBLE: non-negative remainder for positive y; NULL when y is 0",
		Eval: func(a []types.Value) (types.Value, error) { return modValue(a[0], a[1], true), nil }})
	for _, name := range []string{"greatest", "least"} {
		want := 1
		if name == "least" {
			want = -1
		}
		register(&Func{Name: name, MinArgs: 2, MaxArgs: -1, NullSafe: true,
			Doc: name + "(x, y, …) → common kind: the " + map[int]string{1: "largest", -1: "smallest"}[want] + " non-NULL argument; NULL if all are NULL",
			Check: func(args []types.Kind) (types.Kind, error) {
				if err := checkArgs(args, anyValue); err != nil {
					return types.Null, err
				}
				return widenAll(args), nil
			},
			Eval: func(a []types.Value) (types.Value, error) {
				k := types.Null
				for _, v := range a {
					k = types.Widen(k, v.K)
				}
				best := types.NullValue
				for _, v := range a {
					if v.K == types.Null {
						continue
					}
					v = castTo(v, k)
					if best.K == types.Null || (v.K != types.Null && types.Compare(v, best)*want > 0) {
						best = v
					}
				}
				return best, nil
			}})
	}
}

// numPreserving accepts numeric arguments and returns the first one's kind
// (BIGINT stays BIGINT; DOUBLE and numeric strings give DOUBLE).
func numPreserving(classes ...argClass) func([]types.Kind) (types.Kind, error) {
	return func(args []types.Kind) (types.Kind, error) {
		if err := checkArgs(args, classes...); err != nil {
			return types.Null, err
		}
		return numKind(args[0]), nil
	}
}

func numBinary(args []types.Kind) (types.Kind, error) {
	if err := checkArgs(args, numArg); err != nil {
		return types.Null, err
	}
	if args[0] == types.Int && args[1] == types.Int {
		return types.Int, nil
	}
	return types.Float, nil
}

func modValue(x, y types.Value, positive bool) types.Value {
	x, ok1 := numValue(x)
	y, ok2 := numValue(y)
	if !ok1 || !ok2 {
		return types.NullValue
	}
	if x.K == types.Int && y.K == types.Int {
		if y.I == 0 {
			return types.NullValue
		}
		r := x.I % y.I // Go defines MinInt64 % -1 as 0, so no overflow trap
		if positive && r < 0 {
			r = (r + y.I) % y.I
		}
		return types.IntValue(r)
	}
	xf, yf := x.AsFloat(), y.AsFloat()
	if yf == 0 {
		return types.NullValue
	}
	r := math.Mod(xf, yf) // fmod, like Java's % on doubles
	if positive && r < 0 {
		r = math.Mod(r+yf, yf)
	}
	return types.FloatValue(r)
}

// roundValue rounds x to d decimal places (d may be negative).
func roundValue(x types.Value, d int64, mode roundMode) types.Value {
	if x.K == types.Int {
		return types.IntValue(roundInt(x.I, d, mode))
	}
	return types.FloatValue(roundDecimal(x.F, d, mode))
}

func roundInt(x, d int64, mode roundMode) int64 {
	if d >= 0 {
		return x
	}
	if d < -18 {
		switch {
		case mode == ceiling && x > 0, mode == flooring && x < 0:
			return x // the true result overflows BIGINT; leave x rather than wrap
		}
		return 0
	}
	p := int64(1)
	for range -d {
		p *= 10
	}
	q, r := x/p, x%p
	up := false
	ar := r
	if ar < 0 {
		ar = -ar
	}
	switch mode {
	case halfUp:
		up = ar >= p-ar
	case halfEven:
		up = ar > p-ar || (ar == p-ar && q%2 != 0)
	case ceiling:
		up = r > 0
	case flooring:
		up = r < 0
	}
	if up {
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	return q * p
}

// roundDecimal rounds f to d decimals working on its shortest decimal
// representation, as Spark does by going through BigDecimal(Double.toString):
// round(2.675, 2) is 2.68 in Spark although the double is 2.67499999….
func roundDecimal(f float64, d int64, mode roundMode) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 {
		return f
	}
	d = max(min(d, 400), -400)
	neg := f < 0
	s := strconv.FormatFloat(math.Abs(f), 'e', -1, 64) // "d.ddde±x"
	ePos := strings.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(s[ePos+1:])
	digits := strings.Replace(s[:ePos], ".", "", 1)
	kept := exp + 1 + int(d) // digits before the rounding point
	if kept >= len(digits) {
		return f
	}
	var head, dropped string
	if kept <= 0 {
		head, dropped = "", strings.Repeat("0", -kept)+digits
	} else {
		head, dropped = digits[:kept], digits[kept:]
	}
	nonzero := strings.Trim(dropped, "0") != ""
	up := false
	switch mode {
	case halfUp:
		up = dropped[0] >= '5'
	case halfEven:
		last := byte('0')
		if head != "" {
			last = head[len(head)-1]
		}
		up = dropped[0] > '5' || (dropped[0] == '5' && (strings.Trim(dropped[1:], "0") != "" || (last-'0')%2 == 1))
	case ceiling:
		up = !neg && nonzero
	case flooring:
		up = neg && nonzero
	}
	n := []byte("0" + head)
	if up {
		i := len(n) - 1
		for ; n[i] == '9'; i-- {
			n[i] = '0'
		}
		n[i]++
	}
	r, err := strconv.ParseFloat(string(n)+"e"+strconv.FormatInt(-d, 10), 64)
	if err != nil && !math.IsInf(r, 0) {
		return f
	}
	if neg && r != 0 { // BigDecimal has no negative zero: round(-0.001, 2) is 0.0
		r = -r
	}
	return r
}
