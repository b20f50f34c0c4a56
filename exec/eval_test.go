package exec_test

import (
	"errors"
	"math"
	"regexp"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// evalBoth evaluates e over one row both ways the executor does (a row at
// a time and vectorised over a batch) and insists they agree.
func evalBoth(t *testing.T, e plan.Expr, row []types.Value) (types.Value, error) {
	t.Helper()
	rv, rerr := exec.EvalRow(e, row)
	schema := make(types.Schema, len(row))
	for i, v := range row {
		schema[i] = types.Column{Name: "c", Kind: v.K}
	}
	b := types.NewBatch(schema, 1)
	b.AppendRow(row)
	if len(row) == 0 {
		b.Len = 1
	}
	var bv types.Value
	vec, berr := exec.Eval(e, b)
	if berr == nil {
		bv = vec.Get(0)
	}
	if (rerr == nil) != (berr == nil) || (rerr == nil && !sameValue(rv, bv)) {
		t.Fatalf("%s: row-at-a-time gives %v, %v; vectorised gives %v, %v", e, rv, rerr, bv, berr)
	}
	return rv, rerr
}

func sameValue(a, b types.Value) bool {
	if a.K != b.K {
		return false
	}
	if a.K == types.Float && math.IsNaN(a.F) {
		return math.IsNaN(b.F)
	}
	return types.Equal(a, b)
}

// tv is a three-valued boolean: true, false or NULL.
var tvs = []types.Value{boolean(true), boolean(false), null}

func tvName(v types.Value) string {
	if v.IsNull() {
		return "NULL"
	}
	return v.String()
}

func TestThreeValuedLogic(t *testing.T) {
	T, F, N := boolean(true), boolean(false), null
	// Kleene's logic, as SQL defines AND and OR over NULL (unknown).
	and := [3][3]types.Value{{T, F, N}, {F, F, F}, {N, F, N}}
	or := [3][3]types.Value{{T, T, T}, {T, F, N}, {T, N, N}}
	not := [3]types.Value{F, T, N}
	row := []types.Value{}
	for i, a := range tvs {
		got, err := evalBoth(t, op(plan.OpNot, types.Bool, lit(a)), row)
		if err != nil || !sameValue(got, not[i]) {
			t.Errorf("NOT %s = %v, %v; want %s", tvName(a), got, err, tvName(not[i]))
		}
		for j, b := range tvs {
			got, err := evalBoth(t, op(plan.OpAnd, types.Bool, lit(a), lit(b)), row)
			if err != nil || !sameValue(got, and[i][j]) {
				t.Errorf("%s AND %s = %v, %v; want %s", tvName(a), tvName(b), got, err, tvName(and[i][j]))
			}
			got, err = evalBoth(t, op(plan.OpOr, types.Bool, lit(a), lit(b)), row)
			if err != nil || !sameValue(got, or[i][j]) {
				t.Errorf("%s OR %s = %v, %v; want %s", tvName(a), tvName(b), got, err, tvName(or[i][j]))
			}
		}
	}
}

// TestShortCircuit checks that AND, OR, CASE and coalesce do not evaluate
// an argument whose value cannot matter, so a guard protects a division.
func TestShortCircuit(t *testing.T) {
	boom := op(plan.OpEq, types.Bool, op(plan.OpIntDiv, types.Int, lit(i64(1)), col(0, types.Int)), lit(i64(1)))
	for _, tc := range []struct {
		name string
		e    plan.Expr
		want types.Value
	}{
		{"false-and", op(plan.OpAnd, types.Bool, lit(boolean(false)), boom), boolean(false)},
		{"true-or", op(plan.OpOr, types.Bool, lit(boolean(true)), boom), boolean(true)},
		{"case-guard", op(plan.OpCase, types.Bool, op(plan.OpEq, types.Bool, col(0, types.Int), lit(i64(0))), lit(null), boom), null},
		{"coalesce", op(plan.OpCoalesce, types.Bool, lit(boolean(true)), boom), boolean(true)},
	} {
		got, err := evalBoth(t, tc.e, []types.Value{i64(0)})
		if err != nil || !sameValue(got, tc.want) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := evalBoth(t, op(plan.OpAnd, types.Bool, lit(boolean(true)), boom), []types.Value{i64(0)}); !errors.Is(err, exec.ErrDivideByZero) {
		t.Errorf("TRUE AND 1 DIV 0 = 1: got %v, want ErrDivideByZero", err)
	}
}

func TestComparisonsAndIn(t *testing.T) {
	one, two := lit(i64(1)), lit(i64(2))
	n := lit(null)
	cmp := func(c plan.OpCode, a, b plan.Expr) plan.Expr { return op(c, types.Bool, a, b) }
	in := func(args ...plan.Expr) plan.Expr { return op(plan.OpIn, types.Bool, args...) }
	for _, tc := range []struct {
		name string
		e    plan.Expr
		want types.Value
	}{
		{"1 = 1", cmp(plan.OpEq, one, one), boolean(true)},
		{"1 = NULL", cmp(plan.OpEq, one, n), null},
		{"NULL = NULL", cmp(plan.OpEq, n, n), null},
		{"NULL != 1", cmp(plan.OpNe, n, one), null},
		{"1 < NULL", cmp(plan.OpLt, one, n), null},
		{"NULL >= NULL", cmp(plan.OpGe, n, n), null},
		{"1 <=> NULL", cmp(plan.OpNullSafeEq, one, n), boolean(false)},
		{"NULL <=> NULL", cmp(plan.OpNullSafeEq, n, n), boolean(true)},
		{"1 <=> 1", cmp(plan.OpNullSafeEq, one, one), boolean(true)},
		{"1 = 1.0", cmp(plan.OpEq, one, lit(f64(1))), boolean(true)},
		{"2 > 1.5", cmp(plan.OpGt, two, lit(f64(1.5))), boolean(true)},
		{"'a' < 'b'", cmp(plan.OpLt, lit(str("a")), lit(str("b"))), boolean(true)},
		{"'B' < 'a' (bytewise)", cmp(plan.OpLt, lit(str("B")), lit(str("a"))), boolean(true)},
		{"'x' = NULL string", cmp(plan.OpEq, lit(str("x")), lit(null)), null},
		{"NaN = NaN", cmp(plan.OpEq, lit(f64(math.NaN())), lit(f64(math.NaN()))), boolean(true)},
		{"NaN > +Inf", cmp(plan.OpGt, lit(f64(math.NaN())), lit(f64(math.Inf(1)))), boolean(true)},
		{"1 IN (1, NULL)", in(one, one, n), boolean(true)},
		{"2 IN (1, NULL)", in(two, one, n), null},
		{"2 IN (1, 3)", in(two, one, lit(i64(3))), boolean(false)},
		{"NULL IN (1)", in(n, one), null},
		{"NULL IN (NULL)", in(n, n), null},
		{"NOT (2 IN (1, NULL))", op(plan.OpNot, types.Bool, in(two, one, n)), null},
		{"NULL IS NULL", op(plan.OpIsNull, types.Bool, n), boolean(true)},
		{"1 IS NOT NULL", op(plan.OpIsNotNull, types.Bool, one), boolean(true)},
	} {
		got, err := evalBoth(t, tc.e, nil)
		if err != nil || !sameValue(got, tc.want) {
			t.Errorf("%s: got %v (%v), %v; want %v", tc.name, got, got.K, err, tc.want)
		}
	}
}

// TestStringEqualityFastPath compares string columns through the
// vectorised fast path, NULLs included.
func TestStringEqualityFastPath(t *testing.T) {
	schema := types.Schema{{Name: "a", Kind: types.String}, {Name: "b", Kind: types.String}}
	rows := [][]types.Value{{str("x"), str("x")}, {str("x"), str("y")}, {null, str("x")}, {str("x"), null}, {null, null}}
	for _, tc := range []struct {
		code plan.OpCode
		want []string
	}{
		{plan.OpEq, []string{"true", "false", "NULL", "NULL", "NULL"}},
		{plan.OpNe, []string{"false", "true", "NULL", "NULL", "NULL"}},
	} {
		e := op(tc.code, types.Bool, col(0, types.String), col(1, types.String))
		got := mustRun(t, &plan.Project{Input: scan(schema, rows, 2), Exprs: []plan.Expr{e}, Names: []string{"r"}})
		checkRows(t, got, tc.want, true)
	}
}

func TestArithmeticErrors(t *testing.T) {
	const maxI, minI = math.MaxInt64, math.MinInt64
	ar := func(code plan.OpCode, k types.Kind, a, b types.Value) plan.Expr { return op(code, k, lit(a), lit(b)) }
	for _, tc := range []struct {
		name    string
		e       plan.Expr
		want    types.Value
		wantErr error
	}{
		{"max + 1", ar(plan.OpAdd, types.Int, i64(maxI), i64(1)), null, exec.ErrOverflow},
		{"min + -1", ar(plan.OpAdd, types.Int, i64(minI), i64(-1)), null, exec.ErrOverflow},
		{"max + min", ar(plan.OpAdd, types.Int, i64(maxI), i64(minI)), i64(-1), nil},
		{"min - 1", ar(plan.OpSub, types.Int, i64(minI), i64(1)), null, exec.ErrOverflow},
		{"0 - min", ar(plan.OpSub, types.Int, i64(0), i64(minI)), null, exec.ErrOverflow},
		{"-1 - max", ar(plan.OpSub, types.Int, i64(-1), i64(maxI)), i64(minI), nil},
		{"max * 2", ar(plan.OpMul, types.Int, i64(maxI), i64(2)), null, exec.ErrOverflow},
		{"min * -1", ar(plan.OpMul, types.Int, i64(minI), i64(-1)), null, exec.ErrOverflow},
		{"min * 1", ar(plan.OpMul, types.Int, i64(minI), i64(1)), i64(minI), nil},
		{"-2^62 * 2", ar(plan.OpMul, types.Int, i64(-1<<62), i64(2)), i64(minI), nil},
		{"2^62 * 2", ar(plan.OpMul, types.Int, i64(1<<62), i64(2)), null, exec.ErrOverflow},
		{"3037000500^2", ar(plan.OpMul, types.Int, i64(3037000500), i64(3037000500)), null, exec.ErrOverflow},
		{"-(min)", op(plan.OpNeg, types.Int, lit(i64(minI))), null, exec.ErrOverflow},
		{"-(max)", op(plan.OpNeg, types.Int, lit(i64(maxI))), i64(-maxI), nil},
		{"min DIV -1", ar(plan.OpIntDiv, types.Int, i64(minI), i64(-1)), null, exec.ErrOverflow},
		{"min % -1", ar(plan.OpMod, types.Int, i64(minI), i64(-1)), i64(0), nil},
		{"7 DIV -2", ar(plan.OpIntDiv, types.Int, i64(7), i64(-2)), i64(-3), nil},
		{"-7 % 3", ar(plan.OpMod, types.Int, i64(-7), i64(3)), i64(-1), nil},
		{"1 / 0", ar(plan.OpDiv, types.Float, i64(1), i64(0)), null, exec.ErrDivideByZero},
		{"1.5 / 0.0", ar(plan.OpDiv, types.Float, f64(1.5), f64(0)), null, exec.ErrDivideByZero},
		{"1 DIV 0", ar(plan.OpIntDiv, types.Int, i64(1), i64(0)), null, exec.ErrDivideByZero},
		{"1 % 0", ar(plan.OpMod, types.Int, i64(1), i64(0)), null, exec.ErrDivideByZero},
		{"1.5 % 0.0", ar(plan.OpMod, types.Float, f64(1.5), f64(0)), null, exec.ErrDivideByZero},
		{"7 / 2", ar(plan.OpDiv, types.Float, i64(7), i64(2)), f64(3.5), nil},
		{"NULL / 0", ar(plan.OpDiv, types.Float, null, i64(0)), null, nil},
		{"1e308 * 10", ar(plan.OpMul, types.Float, f64(1e308), f64(10)), f64(math.Inf(1)), nil},
	} {
		got, err := evalBoth(t, tc.e, nil)
		if !errors.Is(err, tc.wantErr) || (err == nil && !sameValue(got, tc.want)) {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestCastAndTryCast(t *testing.T) {
	for _, tc := range []struct {
		from types.Value
		to   types.Kind
		want types.Value // for TRY_CAST; CAST fails exactly when this is NULL and from is not
	}{
		{str("42"), types.Int, i64(42)},
		{str(" 42 "), types.Int, i64(42)},
		{str("1.9"), types.Int, null}, // Spark 4 (ANSI): not an integer
		{str("abc"), types.Int, null},
		{str(""), types.Int, null},
		{str("1e400"), types.Int, null},
		{f64(1e19), types.Int, null},
		{f64(math.NaN()), types.Int, null},
		{f64(-2.7), types.Int, i64(-2)},
		{str("2.5"), types.Float, f64(2.5)},
		{str("nan"), types.Float, f64(math.NaN())},
		{str("yes"), types.Bool, boolean(true)},
		{str("maybe"), types.Bool, null},
		{str("2019-02-01"), types.Date, types.DateValue(17928)},
		{str("not a date"), types.Date, null},
		{str("2019-02-01T13:05:00Z"), types.Timestamp, types.Value{K: types.Timestamp, I: 1549026300000000}},
		{i64(7), types.String, str("7")},
		{f64(1), types.String, str("1.0")},
		{null, types.Int, null},
	} {
		try, err := evalBoth(t, op(plan.OpTryCast, tc.to, lit(tc.from)), nil)
		if err != nil || !sameValue(try, tc.want) {
			t.Errorf("TRY_CAST(%v AS %s) = %v, %v; want %v", tc.from, tc.to, try, err, tc.want)
		}
		cast, err := evalBoth(t, op(plan.OpCast, tc.to, lit(tc.from)), nil)
		if tc.want.IsNull() && !tc.from.IsNull() {
			if !errors.Is(err, types.ErrCast) {
				t.Errorf("CAST(%v AS %s) = %v, %v; want an error wrapping types.ErrCast", tc.from, tc.to, cast, err)
			}
		} else if err != nil || !sameValue(cast, tc.want) {
			t.Errorf("CAST(%v AS %s) = %v, %v; want %v", tc.from, tc.to, cast, err, tc.want)
		}
	}
}

// TestCastToNarrowInt checks that a cast of a BIGINT to INT is not taken
// for the identity because both are held as BIGINT: the value must fit 32
// bits, from a column (vectorised) as from a constant.
func TestCastToNarrowInt(t *testing.T) {
	for _, tc := range []struct {
		from types.Value
		want types.Value
	}{
		{i64(2147483647), i64(2147483647)},
		{i64(2147483648), null},
		{i64(-2147483649), null},
		{str("2147483648"), null},
		{null, null},
	} {
		try := &plan.Op{Op: plan.OpTryCast, Args: []plan.Expr{col(0, tc.from.K)}, K: types.Int, Bits: 32}
		got, err := evalBoth(t, try, []types.Value{tc.from})
		if err != nil || !sameValue(got, tc.want) {
			t.Errorf("TRY_CAST(%v AS INT) = %v, %v; want %v", tc.from, got, err, tc.want)
		}
		cast := &plan.Op{Op: plan.OpCast, Args: []plan.Expr{col(0, tc.from.K)}, K: types.Int, Bits: 32}
		got, err = evalBoth(t, cast, []types.Value{tc.from})
		if tc.want.IsNull() != tc.from.IsNull() {
			if !errors.Is(err, types.ErrCast) {
				t.Errorf("CAST(%v AS INT) = %v, %v; want an error wrapping types.ErrCast", tc.from, got, err)
			}
		} else if err != nil || !sameValue(got, tc.want) {
			t.Errorf("CAST(%v AS INT) = %v, %v; want %v", tc.from, got, err, tc.want)
		}
	}
}

func TestLike(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		matches []string
		misses  []string
	}{
		{"a%", []string{"a", "abc", "a\nb"}, []string{"", "ba", "A"}},
		{"%a", []string{"a", "ba"}, []string{"ab"}},
		{"_b", []string{"ab", "éb"}, []string{"b", "abb"}},
		{"%", []string{"", "anything"}, nil},
		{"100\\%", []string{"100%"}, []string{"1000", "100"}},
		{"a\\_b", []string{"a_b"}, []string{"axb"}},
		{"a\\\\b", []string{"a\\b"}, []string{"ab"}},
		{"trailing\\", []string{"trailing\\"}, []string{"trailing"}},
		{"a.c", []string{"a.c"}, []string{"abc"}},
		{"(x)+[y]$^", []string{"(x)+[y]$^"}, []string{"x", "xy"}},
		{"", []string{""}, []string{"a"}},
		// Characters, not bytes (Spark's ilike.sql unicode cases).
		{"_€_", []string{"A€a", "€€€"}, []string{"€", "A€", "Aâ‚¬a"}},
		{"_", []string{"😀", "€", "x"}, []string{"", "😀😀", "ab"}},
		{"%€", []string{"€", "a€"}, []string{"€a"}},
		{"\\€_", []string{"€x"}, []string{"\\€x"}},
	} {
		re := regexp.MustCompile(functions.LikeToRegexp(tc.pattern))
		check := func(s string, want bool) {
			// Constant pattern, compiled once, as the binder does.
			compiled := &plan.Op{Op: plan.OpLike, Args: []plan.Expr{lit(str(s)), lit(str(tc.pattern))}, K: types.Bool, Re: re}
			got, err := evalBoth(t, compiled, nil)
			if err != nil || got.Bool() != want {
				t.Errorf("%q LIKE %q = %v, %v; want %v", s, tc.pattern, got, err, want)
			}
			// A pattern from a column is translated row by row.
			dynamic := op(plan.OpLike, types.Bool, lit(str(s)), col(0, types.String))
			got, err = evalBoth(t, dynamic, []types.Value{str(tc.pattern)})
			if err != nil || got.Bool() != want {
				t.Errorf("%q LIKE column %q = %v, %v; want %v", s, tc.pattern, got, err, want)
			}
		}
		for _, s := range tc.matches {
			check(s, true)
		}
		for _, s := range tc.misses {
			check(s, false)
		}
	}
	got, err := evalBoth(t, op(plan.OpLike, types.Bool, lit(null), lit(str("%"))), nil)
	if err != nil || !got.IsNull() {
		t.Errorf("NULL LIKE '%%' = %v, %v; want NULL", got, err)
	}
}
