package functions

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

func TestAllHaveDocsAndSortedNames(t *testing.T) {
	all := All()
	if len(all) < 150 {
		t.Fatalf("only %d functions registered", len(all))
	}
	for i, f := range all {
		if f.Doc == "" || !strings.Contains(f.Doc, "→") {
			t.Errorf("%s: Doc %q lacks a signature line", f.Name, f.Doc)
		}
		if f.MaxArgs >= 0 && f.MaxArgs < f.MinArgs {
			t.Errorf("%s: MaxArgs %d < MinArgs %d", f.Name, f.MaxArgs, f.MinArgs)
		}
		if i > 0 && all[i-1].Name >= f.Name {
			t.Errorf("All not sorted: %s before %s", all[i-1].Name, f.Name)
		}
		if g, ok := Lookup(strings.ToUpper(f.Name)); !ok || g != f {
			t.Errorf("Lookup(%q) does not find %s", strings.ToUpper(f.Name), f.Name)
		}
	}
	if _, ok := Lookup("no_such_function"); ok {
		t.Error("Lookup found an unknown name")
	}
}

func TestCheckErrors(t *testing.T) {
	cases := []struct {
		fn   string
		args []types.Kind
		want error
		msg  string // substring of the message, where it matters
	}{
		{"hour", []types.Kind{types.Int}, ErrArgType, "hour expects a timestamp, date or string, got BIGINT"},
		{"hour", []types.Kind{types.Bool}, ErrArgType, ""},
		{"HOUR", []types.Kind{types.Float}, ErrArgType, "hour expects"},
		{"date_add", []types.Kind{types.Date, types.Date}, ErrArgType, "date_add expects a number as argument 2, got DATE"},
		{"date_add", []types.Kind{types.Date, types.Float}, ErrArgType, "date_add expects an integer number of days as argument 2, got DOUBLE"},
		{"json_array_length", []types.Kind{types.Int}, ErrArgType, ""},
		{"make_timestamp", []types.Kind{types.Date, types.String}, ErrArgType, "nectar does not have"},
		{"make_timestamp", []types.Kind{types.Timestamp}, ErrArgType, "expects a DATE"},
		{"make_timestamp", []types.Kind{types.Int, types.Int, types.Int, types.Int}, ErrArgCount, ""},
		{"dateadd", []types.Kind{types.Int, types.Int}, ErrArgType, "dateadd expects"}, // aliases name themselves
		{"abs", []types.Kind{types.Bool}, ErrArgType, "abs expects a number, got BOOLEAN"},
		{"abs", []types.Kind{types.Timestamp}, ErrArgType, ""},
		{"sqrt", []types.Kind{types.Date}, ErrArgType, ""},
		{"round", []types.Kind{types.Float, types.Bool}, ErrArgType, ""},
		{"ceil", []types.Kind{types.Bool}, ErrArgType, ""},
		{"mod", []types.Kind{types.Int, types.Bool}, ErrArgType, ""},
		{"log", []types.Kind{types.Timestamp}, ErrArgType, ""},
		{"if", []types.Kind{types.Int, types.Int, types.Int}, ErrArgType, "if expects a boolean as argument 1, got BIGINT"},
		{"isnan", []types.Kind{types.Date}, ErrArgType, ""},
		{"lpad", []types.Kind{types.String, types.Date}, ErrArgType, ""},
		{"substring", []types.Kind{types.String, types.Bool}, ErrArgType, ""},
		{"chr", []types.Kind{types.Timestamp}, ErrArgType, ""},
		{"sha2", []types.Kind{types.String, types.Date}, ErrArgType, ""},
		{"date_format", []types.Kind{types.Timestamp, types.Int}, ErrArgType, "date_format expects a string as argument 2, got BIGINT"},
		{"date_trunc", []types.Kind{types.Int, types.Timestamp}, ErrArgType, ""},
		{"date_trunc", []types.Kind{types.String, types.Int}, ErrArgType, ""},
		{"trunc", []types.Kind{types.Float, types.String}, ErrArgType, ""},
		{"to_date", []types.Kind{types.Int}, ErrArgType, ""},
		{"to_timestamp", []types.Kind{types.Bool}, ErrArgType, "to_timestamp expects a timestamp, date, string or number as argument 1, got BOOLEAN"},
		{"to_timestamp", []types.Kind{types.String, types.Int}, ErrArgType, "as argument 2"},
		{"timestamp", []types.Kind{types.Bool}, ErrArgType, ""},
		{"unix_timestamp", []types.Kind{types.Bool}, ErrArgType, ""},
		{"from_unixtime", []types.Kind{types.Timestamp}, ErrArgType, ""},
		{"timestamp_seconds", []types.Kind{types.Date}, ErrArgType, ""},
		{"make_date", []types.Kind{types.Int, types.Bool, types.Int}, ErrArgType, ""},
		{"make_timestamp", []types.Kind{types.Int, types.Int, types.Int, types.Int, types.Int, types.Int, types.Int}, ErrArgType, ""},
		{"months_between", []types.Kind{types.Date, types.Date, types.Int}, ErrArgType, ""},
		{"from_utc_timestamp", []types.Kind{types.Timestamp, types.Int}, ErrArgType, ""},
		{"add_months", []types.Kind{types.Bool, types.Int}, ErrArgType, ""},
		{"datediff", []types.Kind{types.Date, types.Float}, ErrArgType, ""},
		{"next_day", []types.Kind{types.Date, types.Int}, ErrArgType, ""},
		{"format_number", []types.Kind{types.Date, types.Int}, ErrArgType, ""},
		// Argument counts.
		{"hour", nil, ErrArgCount, "hour takes 1, got 0"},
		{"lpad", []types.Kind{types.String}, ErrArgCount, "lpad takes 2 to 3, got 1"},
		{"coalesce", nil, ErrArgCount, "coalesce takes at least 1, got 0"},
		{"pi", []types.Kind{types.Int}, ErrArgCount, ""},
		{"greatest", []types.Kind{types.Int}, ErrArgCount, ""},
		{"make_date", []types.Kind{types.Int, types.Int}, ErrArgCount, ""},
	}
	for _, c := range cases {
		f, ok := Lookup(c.fn)
		if !ok {
			t.Fatalf("%s not registered", c.fn)
		}
		_, err := f.CheckCall(c.args)
		if !errors.Is(err, c.want) {
			t.Errorf("%s%v: error %v, want %v", c.fn, c.args, err, c.want)
			continue
		}
		if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s%v: message %q lacks %q", c.fn, c.args, err, c.msg)
		}
		if c.want == ErrArgType {
			var ae *ArgTypeError
			if !errors.As(err, &ae) || ae.Func != c.fn && !strings.EqualFold(ae.Func, c.fn) {
				t.Errorf("%s: not an *ArgTypeError naming the function: %#v", c.fn, err)
			}
		}
	}
}

// TestNullAccepted checks that a NULL (unknown) kind passes Check in every
// position, and that NULL arguments give NULL from non-NullSafe functions.
func TestNullAccepted(t *testing.T) {
	for _, f := range All() {
		n := max(f.MinArgs, 1)
		if f.MaxArgs >= 0 {
			n = min(n, f.MaxArgs)
		}
		kinds := make([]types.Kind, n)
		if _, err := f.CheckCall(kinds); err != nil {
			t.Errorf("%s(NULL…): %v", f.Name, err)
		}
		if n > 0 && !f.NullSafe {
			v, err := f.Call(make([]types.Value, n))
			if err != nil || v.K != types.Null {
				t.Errorf("%s(NULL…) = %v, %v; want NULL", f.Name, v, err)
			}
		}
	}
}

// oddValues are inputs chosen to break naive code: empty and huge strings,
// extreme numbers, NaN, dates far from the epoch.
var oddValues = []types.Value{
	S(""), S(" "), S("abc"), S("ÄÖü 日本語 🎉"), S("-1"), S("1e400"), S("NaN"), S("2023-11-25T00:30:05.728Z"),
	S("2024-02-29"), S("0000-01-01"), S(`{"a":[1,{"b":null}]}`), S("[1,2"), S("$"), S("(("), S("%"), S("%d %s %999999999d"),
	S("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), S("'"), S("MMMMMM"), S("Asia/Tokyo"), S("+25:00"),
	I(0), I(1), I(-1), I(2), I(7), I(256), I(math.MaxInt64), I(math.MinInt64), I(1 << 40), I(-1 << 40),
	F(0), F(-0.5), F(2.5), F(1e300), F(-1e300), F(math.Inf(1)), F(math.Inf(-1)), NaN(), F(1e-300),
	B(true), B(false),
	types.Value{K: types.Timestamp, I: math.MaxInt64}, types.Value{K: types.Timestamp, I: math.MinInt64},
	TS("1969-12-31T23:59:59.999999Z"), TS("2023-11-25T00:30:05.728Z"),
	types.DateValue(math.MaxInt32), types.DateValue(-math.MaxInt32), D("1900-02-28"), D("2000-02-29"),
}

// TestEvalNeverPanics calls every function with random non-NULL arguments
// of every kind its Check accepts, and checks the result kind.
func TestEvalNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	iters := 400
	if testing.Short() {
		iters = 50
	}
	called := 0
	for _, f := range All() {
		for range iters {
			n := f.MinArgs
			if f.MaxArgs < 0 {
				n += rng.IntN(4)
			} else if f.MaxArgs > f.MinArgs {
				n += rng.IntN(f.MaxArgs - f.MinArgs + 1)
			}
			args := make([]types.Value, n)
			kinds := make([]types.Kind, n)
			for i := range args {
				args[i] = oddValues[rng.IntN(len(oddValues))]
				kinds[i] = args[i].K
			}
			rk, err := f.CheckCall(kinds)
			if err != nil {
				continue
			}
			called++
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s%s panicked: %v", f.Name, fmtArgs(args), r)
					}
				}()
				v, err := f.Call(args)
				if err == nil && v.K != types.Null && v.K != rk {
					t.Errorf("%s%s: result kind %s, Check said %s", f.Name, fmtArgs(args), v.K, rk)
				}
			}()
		}
	}
	// Guard against a matrix that Check rejects almost entirely.
	if called < len(All())*iters/4 {
		t.Errorf("only %d of %d random calls passed Check", called, len(All())*iters)
	}
}

func fmtArgs(args []types.Value) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprintf("%s:%s", a.K, a)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func TestCoercionHelpers(t *testing.T) {
	if v, err := ToTimestamp(D("2024-02-29")); err != nil || v != TS("2024-02-29T00:00:00Z") {
		t.Errorf("ToTimestamp(date) = %v, %v", v, err)
	}
	if v, err := ToTimestamp(S("2023-11-25T00:30:05.728Z")); err != nil || v.I != 1700872205728000 {
		t.Errorf("ToTimestamp(segment string) = %v, %v", v, err)
	}
	for _, bad := range []types.Value{S("yesterday"), I(5), B(true), null} {
		if _, err := ToTimestamp(bad); !errors.Is(err, types.ErrCast) {
			t.Errorf("ToTimestamp(%v) error %v, want ErrCast", bad, err)
		}
	}
	floats := []struct {
		in   types.Value
		want float64
		ok   bool
	}{{I(3), 3, true}, {F(-2.5), -2.5, true}, {S(" 19.99 "), 19.99, true}, {S("x"), 0, false}, {B(true), 1, true}, {null, 0, false}}
	for _, c := range floats {
		got, err := ToFloat(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ToFloat(%v) = %v, %v", c.in, got, err)
		}
	}
	ints := []struct {
		in   types.Value
		want int64
		ok   bool
	}{{I(3), 3, true}, {F(-2.9), -2, true}, {S("42"), 42, true}, {S("1.9"), 0, false}, {S("x"), 0, false}, {NaN(), 0, false}, {null, 0, false}}
	for _, c := range ints {
		got, err := ToInt(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ToInt(%v) = %v, %v", c.in, got, err)
		}
	}
	strs := []struct {
		in   types.Value
		want string
	}{{null, ""}, {I(-7), "-7"}, {F(1), "1.0"}, {B(false), "false"}, {D("1969-12-31"), "1969-12-31"}, {S("x"), "x"}}
	for _, c := range strs {
		if got := ToString(c.in); got != c.want {
			t.Errorf("ToString(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
