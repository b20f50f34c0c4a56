package exec

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// Sentinel errors for runtime failures, following Spark's ANSI mode: a
// query that would produce a wrong number fails instead.
var (
	ErrDivideByZero = errors.New("division by zero (use try_divide to get NULL instead)")
	// ErrOverflow is the aggregate catalogue's, so that sum's overflow and
	// the operators' are one error.
	ErrOverflow = functions.ErrOverflow
)

// Eval computes e for every row of b. A column reference returns b's own
// vector, so callers must not modify the result.
func Eval(e plan.Expr, b *types.Batch) (*types.Vector, error) {
	switch e := e.(type) {
	case *plan.ColRef:
		return b.Cols[e.Idx], nil
	case *plan.Const:
		v := types.NewVector(e.V.K, b.Len)
		for i := 0; i < b.Len; i++ {
			v.Append(e.V)
		}
		return v, nil
	case *plan.Op:
		return evalOp(e, b)
	case *plan.Call:
		return evalCall(e, b)
	case *plan.Index, *plan.GetField, *plan.Construct, *plan.FromJSON:
		return evalNested(e, b)
	case *plan.HigherOrder:
		return rowWise(e, b)
	}
	return nil, fmt.Errorf("exec: cannot evaluate %T", e)
}

// EvalRow computes e over one row of values; the aggregate and window
// operators use it on materialised rows.
func EvalRow(e plan.Expr, row []types.Value) (types.Value, error) {
	return evalEnv(e, row, nil)
}

// evalEnv is EvalRow inside lambda functions: env holds the values of
// the parameters of the lambdas around e (plan.LambdaVar's Slot).
func evalEnv(e plan.Expr, row, env []types.Value) (types.Value, error) {
	switch e := e.(type) {
	case *plan.ColRef:
		return row[e.Idx], nil
	case *plan.Const:
		return e.V, nil
	case *plan.LambdaVar:
		return env[e.Slot], nil
	case *plan.Op:
		switch e.Op {
		case plan.OpAnd, plan.OpOr, plan.OpCase, plan.OpCoalesce:
			return lazyOp(e, func(x plan.Expr) (types.Value, error) { return evalEnv(x, row, env) })
		case plan.OpTry:
			return tryRow(e, func(x plan.Expr) (types.Value, error) { return evalEnv(x, row, env) })
		}
		args := make([]types.Value, len(e.Args))
		for i, a := range e.Args {
			v, err := evalEnv(a, row, env)
			if err != nil {
				return types.NullValue, err
			}
			args[i] = v
		}
		return scalarOp(e, args)
	case *plan.Call:
		args := make([]types.Value, len(e.Args))
		for i, a := range e.Args {
			v, err := evalEnv(a, row, env)
			if err != nil {
				return types.NullValue, err
			}
			args[i] = v
		}
		return callFunc(e.Fn, args)
	case *plan.HigherOrder:
		return higherOrder(e, row, env)
	}
	if v, ok, err := nestedRow(e, row, env); ok {
		return v, err
	}
	return types.NullValue, fmt.Errorf("exec: cannot evaluate %T", e)
}

func evalCall(e *plan.Call, b *types.Batch) (*types.Vector, error) {
	argv, err := evalArgs(e.Args, b)
	if err != nil {
		return nil, err
	}
	out := types.NewVector(e.K, b.Len)
	args := make([]types.Value, len(argv))
	for i := 0; i < b.Len; i++ {
		for j, a := range argv {
			args[j] = a.Get(i)
		}
		v, err := callFunc(e.Fn, args)
		if err != nil {
			return nil, err
		}
		out.Append(coerce(v, e.K))
	}
	return out, nil
}

func callFunc(fn *functions.Func, args []types.Value) (types.Value, error) {
	if !fn.NullSafe {
		for _, a := range args {
			if a.IsNull() {
				return types.NullValue, nil
			}
		}
	}
	v, err := fn.Eval(args)
	if err != nil {
		return types.NullValue, fmt.Errorf("%s: %w", fn.Name, err)
	}
	return v, nil
}

// coerce makes v fit a vector of kind k; functions may return a narrower
// numeric kind than they declared.
func coerce(v types.Value, k types.Kind) types.Value {
	if v.K == k || v.K == types.Null || k == types.Null {
		return v
	}
	if c, err := types.Cast(v, k); err == nil {
		return c
	}
	return types.NullValue
}

func evalArgs(es []plan.Expr, b *types.Batch) ([]*types.Vector, error) {
	out := make([]*types.Vector, len(es))
	for i, a := range es {
		v, err := Eval(a, b)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func evalOp(e *plan.Op, b *types.Batch) (*types.Vector, error) {
	if e.Op == plan.OpTry {
		return evalTry(e, b)
	}
	switch e.Op {
	case plan.OpAnd, plan.OpOr:
		if cannotFail(e) {
			return vectorLogic(e, b)
		}
		fallthrough
	case plan.OpCase, plan.OpCoalesce:
		if cannotFail(e) {
			// No argument can fail, so evaluating every one over the
			// whole batch gives what lazy evaluation would.
			return vectorPick(e, b)
		}
		// These evaluate arguments lazily per row, so that a CASE arm
		// guarding a division by zero never divides.
		out := types.NewVector(e.K, b.Len)
		row := make([]types.Value, len(b.Cols))
		for i := 0; i < b.Len; i++ {
			row = b.Row(row[:0], i)
			v, err := lazyOp(e, func(x plan.Expr) (types.Value, error) { return EvalRow(x, row) })
			if err != nil {
				return nil, err
			}
			out.Append(v)
		}
		return out, nil
	}
	switch e.Op {
	case plan.OpIsNull, plan.OpIsNotNull:
		x, err := Eval(e.Args[0], b)
		if err != nil {
			return nil, err
		}
		return vectorIsNull(x, e.Op == plan.OpIsNotNull, b.Len), nil
	case plan.OpIn:
		if consts, ok := constList(e.Args[1:]); ok {
			x, err := Eval(e.Args[0], b)
			if err != nil {
				return nil, err
			}
			return vectorIn(x, consts, b.Len), nil
		}
	case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe:
		if v, ok, err := constCompare(e, b); ok || err != nil {
			return v, err
		}
	case plan.OpCast, plan.OpTryCast:
		if e.IdentityCast() {
			return Eval(e.Args[0], b)
		}
	}
	argv, err := evalArgs(e.Args, b)
	if err != nil {
		return nil, err
	}
	if v, ok := fastCompare(e, argv, b.Len); ok {
		return v, nil
	}
	out := types.NewVector(e.K, b.Len)
	args := make([]types.Value, len(argv))
	for i := 0; i < b.Len; i++ {
		for j, a := range argv {
			args[j] = a.Get(i)
		}
		v, err := scalarOp(e, args)
		if err != nil {
			return nil, err
		}
		out.Append(v)
	}
	return out, nil
}

// fastCompare evaluates comparisons of two vectors of one kind (strings,
// BIGINTs, DOUBLEs, or the integer-backed kinds) without boxing values:
// the shape of most filters on event logs.
func fastCompare(e *plan.Op, argv []*types.Vector, n int) (*types.Vector, bool) {
	if len(argv) != 2 || argv[0].Kind != argv[1].Kind {
		return nil, false
	}
	var want func(c int) bool
	switch e.Op {
	case plan.OpEq:
		want = func(c int) bool { return c == 0 }
	case plan.OpNe:
		want = func(c int) bool { return c != 0 }
	case plan.OpLt:
		want = func(c int) bool { return c < 0 }
	case plan.OpLe:
		want = func(c int) bool { return c <= 0 }
	case plan.OpGt:
		want = func(c int) bool { return c > 0 }
	case plan.OpGe:
		want = func(c int) bool { return c >= 0 }
	default:
		return nil, false
	}
	l, r := argv[0], argv[1]
	var cmpAt func(i int) int
	switch l.Kind {
	case types.String:
		cmpAt = func(i int) int { return strings.Compare(l.S[i], r.S[i]) }
	case types.Float:
		cmpAt = func(i int) int { return types.Compare(types.FloatValue(l.F[i]), types.FloatValue(r.F[i])) }
	case types.Int, types.Timestamp, types.Date, types.Bool:
		cmpAt = func(i int) int { return cmp.Compare(l.I[i], r.I[i]) }
	default:
		return nil, false
	}
	out := types.NewVector(types.Bool, n)
	out.Nulls, out.I = out.Nulls[:n], out.I[:n]
	for i := 0; i < n; i++ {
		if l.Nulls[i] || r.Nulls[i] {
			out.Nulls[i], out.I[i] = true, 0
			continue
		}
		out.Nulls[i], out.I[i] = false, 0
		if want(cmpAt(i)) {
			out.I[i] = 1
		}
	}
	return out, true
}

// lazyOp evaluates the short-circuiting operators with eval computing one
// argument at a time.
func lazyOp(e *plan.Op, eval func(plan.Expr) (types.Value, error)) (types.Value, error) {
	switch e.Op {
	case plan.OpAnd, plan.OpOr:
		// Three-valued logic: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE.
		stop := e.Op == plan.OpOr // the value that decides the result
		sawNull := false
		for _, a := range e.Args {
			v, err := eval(a)
			if err != nil {
				return types.NullValue, err
			}
			if v.IsNull() {
				sawNull = true
				continue
			}
			if v.Bool() == stop {
				return types.BoolValue(stop), nil
			}
		}
		if sawNull {
			return types.NullValue, nil
		}
		return types.BoolValue(!stop), nil
	case plan.OpCase:
		a := e.Args
		for i := 0; i+1 < len(a); i += 2 {
			c, err := eval(a[i])
			if err != nil {
				return types.NullValue, err
			}
			if !c.IsNull() && c.Bool() {
				return eval(a[i+1])
			}
		}
		return eval(a[len(a)-1])
	case plan.OpCoalesce:
		for _, x := range e.Args {
			v, err := eval(x)
			if err != nil || !v.IsNull() {
				return v, err
			}
		}
		return types.NullValue, nil
	}
	return types.NullValue, fmt.Errorf("exec: %s is not lazy", e.Op)
}

// scalarOp applies a built-in operator to one row's argument values.
func scalarOp(e *plan.Op, a []types.Value) (types.Value, error) {
	switch e.Op {
	case plan.OpIsNull:
		return types.BoolValue(a[0].IsNull()), nil
	case plan.OpIsNotNull:
		return types.BoolValue(!a[0].IsNull()), nil
	case plan.OpNullSafeEq:
		return types.BoolValue(types.Equal(a[0], a[1])), nil
	case plan.OpTryCast:
		v, err := types.CastTo(a[0], e.Target())
		if err != nil {
			return types.NullValue, nil
		}
		return v, nil
	case plan.OpCast:
		v, err := types.CastTo(a[0], e.Target())
		if err != nil {
			return types.NullValue, fmt.Errorf("%w (use TRY_CAST to get NULL instead)", err)
		}
		return v, nil
	case plan.OpIn:
		if a[0].IsNull() {
			return types.NullValue, nil
		}
		sawNull := false
		for _, x := range a[1:] {
			if x.IsNull() {
				sawNull = true
			} else if types.Compare(a[0], x) == 0 {
				return types.BoolValue(true), nil
			}
		}
		if sawNull {
			return types.NullValue, nil
		}
		return types.BoolValue(false), nil
	}
	for _, x := range a {
		if x.IsNull() {
			return types.NullValue, nil
		}
	}
	switch e.Op {
	case plan.OpNot:
		return types.BoolValue(!a[0].Bool()), nil
	case plan.OpNeg:
		if a[0].K == types.Float {
			return types.FloatValue(-a[0].F), nil
		}
		if a[0].I == math.MinInt64 || (a[0].K.IsYearMonth() && a[0].I == math.MinInt32) {
			return types.NullValue, ErrOverflow
		}
		return types.Value{K: a[0].K, I: -a[0].I}, nil
	case plan.OpEq:
		return types.BoolValue(types.Compare(a[0], a[1]) == 0), nil
	case plan.OpNe:
		return types.BoolValue(types.Compare(a[0], a[1]) != 0), nil
	case plan.OpLt:
		return types.BoolValue(types.Compare(a[0], a[1]) < 0), nil
	case plan.OpLe:
		return types.BoolValue(types.Compare(a[0], a[1]) <= 0), nil
	case plan.OpGt:
		return types.BoolValue(types.Compare(a[0], a[1]) > 0), nil
	case plan.OpGe:
		return types.BoolValue(types.Compare(a[0], a[1]) >= 0), nil
	case plan.OpConcat:
		return types.StringValue(a[0].S + a[1].S), nil
	case plan.OpLike, plan.OpRLike:
		re := e.Re
		if re == nil {
			src := a[1].S
			if e.Op == plan.OpLike {
				src = functions.LikeToRegexp(src)
			}
			var err error
			if re, err = regexp.Compile(src); err != nil {
				return types.NullValue, fmt.Errorf("bad pattern %q: %w", a[1].S, err)
			}
		}
		if e.Op == plan.OpRLike {
			return types.BoolValue(re.MatchString(a[0].S)), nil
		}
		return types.BoolValue(re.MatchString(a[0].S)), nil
	case plan.OpAddInterval, plan.OpSubInterval:
		return functions.AddInterval(a[0], a[1], e.K, e.Op == plan.OpSubInterval)
	case plan.OpMulInterval:
		return functions.MulInterval(a[0], a[1], e.K)
	case plan.OpDivInterval:
		if a[1].AsFloat() == 0 {
			return types.NullValue, ErrDivideByZero
		}
		return functions.DivInterval(a[0], a[1], e.K)
	case plan.OpTimeDiff:
		return functions.TimeDiff(a[0], a[1], e.K)
	}
	return arith(e.Op, e.K, a[0], a[1])
}

func arith(op plan.OpCode, k types.Kind, l, r types.Value) (types.Value, error) {
	if k == types.Float || op == plan.OpDiv {
		x, y := l.AsFloat(), r.AsFloat()
		switch op {
		case plan.OpAdd:
			return types.FloatValue(x + y), nil
		case plan.OpSub:
			return types.FloatValue(x - y), nil
		case plan.OpMul:
			return types.FloatValue(x * y), nil
		case plan.OpDiv:
			if y == 0 {
				return types.NullValue, ErrDivideByZero
			}
			return types.FloatValue(x / y), nil
		case plan.OpMod:
			if y == 0 {
				return types.NullValue, ErrDivideByZero
			}
			return types.FloatValue(math.Mod(x, y)), nil
		}
	}
	x, y := l.I, r.I
	if l.K == types.Float {
		x = int64(l.F)
	}
	if r.K == types.Float {
		y = int64(r.F)
	}
	switch op {
	case plan.OpAdd:
		s := x + y
		if (x > 0 && y > 0 && s < 0) || (x < 0 && y < 0 && s >= 0) {
			return types.NullValue, ErrOverflow
		}
		return types.IntValue(s), nil
	case plan.OpSub:
		s := x - y
		if (x >= 0 && y < 0 && s < 0) || (x < 0 && y > 0 && s >= 0) {
			return types.NullValue, ErrOverflow
		}
		return types.IntValue(s), nil
	case plan.OpMul:
		// Dividing back detects wrap-around, except for -1 × MinInt64,
		// whose quotient wraps too. (Comparing magnitudes instead would
		// reject MinInt64 × 1, which fits.)
		p := x * y
		if x != 0 && (p/x != y || (x == -1 && y == math.MinInt64)) {
			return types.NullValue, ErrOverflow
		}
		return types.IntValue(p), nil
	case plan.OpIntDiv, plan.OpMod:
		if y == 0 {
			return types.NullValue, ErrDivideByZero
		}
		if op == plan.OpMod {
			return types.IntValue(x % y), nil
		}
		if x == math.MinInt64 && y == -1 {
			// Go wraps this quotient silently; Spark's ANSI mode fails.
			return types.NullValue, ErrOverflow
		}
		return types.IntValue(x / y), nil
	}
	return types.NullValue, fmt.Errorf("exec: unknown operator %s", op)
}

// cannotFail reports whether evaluating e can never return an error, so
// evaluating it on rows a lazy AND/OR would have skipped is harmless.
// Comparisons, IS NULL, IN, LIKE and logic over columns and constants are
// safe; arithmetic (division by zero, overflow), casts and function calls
// are not.
func cannotFail(e plan.Expr) bool {
	switch e := e.(type) {
	case *plan.ColRef, *plan.Const:
		return true
	case *plan.Op:
		switch e.Op {
		case plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe, plan.OpNullSafeEq,
			plan.OpAnd, plan.OpOr, plan.OpNot, plan.OpIsNull, plan.OpIsNotNull, plan.OpIn, plan.OpTryCast,
			plan.OpCase, plan.OpCoalesce:
		case plan.OpCast:
			// Any value prints as a string, and a cast to the value's own
			// kind is the identity.
			if e.K != types.String && !e.IdentityCast() {
				return false
			}
		case plan.OpLike, plan.OpRLike:
			if e.Re == nil {
				return false // a pattern compiled per row can be invalid
			}
		default:
			return false
		}
		for _, a := range e.Args {
			if !cannotFail(a) {
				return false
			}
		}
		return true
	}
	return false
}

// vectorLogic evaluates AND/OR of safe arguments over whole vectors, with
// SQL's three-valued logic.
func vectorLogic(e *plan.Op, b *types.Batch) (*types.Vector, error) {
	l, err := Eval(e.Args[0], b)
	if err != nil {
		return nil, err
	}
	r, err := Eval(e.Args[1], b)
	if err != nil {
		return nil, err
	}
	n := b.Len
	out := types.NewVector(types.Bool, n)
	out.Nulls, out.I = out.Nulls[:n], out.I[:n]
	decide := int64(0) // FALSE decides an AND
	if e.Op == plan.OpOr {
		decide = 1 // TRUE decides an OR
	}
	for i := 0; i < n; i++ {
		ln, rn := l.Nulls[i], r.Nulls[i]
		switch {
		case !ln && boolAt(l, i) == decide, !rn && boolAt(r, i) == decide:
			out.Nulls[i], out.I[i] = false, decide
		case ln || rn:
			out.Nulls[i], out.I[i] = true, 0
		default:
			out.Nulls[i], out.I[i] = false, 1-decide
		}
	}
	return out, nil
}

// boolAt reads row i of a BOOLEAN (or NULL-kind) vector as 0 or 1.
func boolAt(v *types.Vector, i int) int64 {
	if v.Kind != types.Bool || v.I[i] == 0 {
		return 0
	}
	return 1
}

// evalTry evaluates try_add and its kin row by row (tryRow).
func evalTry(e *plan.Op, b *types.Batch) (*types.Vector, error) {
	out := types.NewVector(e.K, b.Len)
	row := make([]types.Value, len(b.Cols))
	for i := 0; i < b.Len; i++ {
		row = b.Row(row[:0], i)
		v, err := tryRow(e, func(x plan.Expr) (types.Value, error) { return EvalRow(x, row) })
		if err != nil {
			return nil, err
		}
		out.Append(coerce(v, e.K))
	}
	return out, nil
}

// tryRow evaluates an OpTry: the arguments of its operation as usual, so
// that their failures stay errors, then the operation, NULL where it
// fails.
func tryRow(e *plan.Op, eval func(plan.Expr) (types.Value, error)) (types.Value, error) {
	var args []plan.Expr
	var apply func([]types.Value) (types.Value, error)
	switch x := e.Args[0].(type) {
	case *plan.Op:
		args, apply = x.Args, func(a []types.Value) (types.Value, error) { return scalarOp(x, a) }
	case *plan.Call:
		args, apply = x.Args, func(a []types.Value) (types.Value, error) { return callFunc(x.Fn, a) }
	default:
		return eval(x)
	}
	vals := make([]types.Value, len(args))
	for i, a := range args {
		v, err := eval(a)
		if err != nil {
			return types.NullValue, err
		}
		vals[i] = v
	}
	v, err := apply(vals)
	if err != nil {
		return types.NullValue, nil
	}
	return v, nil
}
