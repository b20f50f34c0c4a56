package functions

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/types"
)

// Shorthand constructors keep the tables readable.
var null = types.NullValue

func S(s string) types.Value              { return types.StringValue(s) }
func I(i int64) types.Value               { return types.IntValue(i) }
func F(f float64) types.Value             { return types.FloatValue(f) }
func B(b bool) types.Value                { return types.BoolValue(b) }
func X(b string) types.Value              { return types.BinaryValue([]byte(b)) }
func D(s string) types.Value              { return mustDate(s) }
func TS(s string) types.Value             { return mustTS(s) }
func NaN() types.Value                    { return F(math.NaN()) }
func vals(v ...types.Value) []types.Value { return v }

func mustTS(s string) types.Value {
	t, ok := types.ParseTimestamp(s)
	if !ok {
		panic("bad test timestamp " + s)
	}
	return types.TimestampValue(t)
}

func mustDate(s string) types.Value {
	t, err := time.Parse(types.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return types.DateValue(t.Unix() / 86400)
}

// evalCase is one row of a family table: fn(args) should give want, or an
// error wrapping wantErr.
type evalCase struct {
	fn      string
	args    []types.Value
	want    types.Value
	wantErr error
}

// run checks the call through the same path the binder and executor use:
// CheckCall on the argument kinds, then Call, then that the result has the
// kind Check promised.
func run(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		f, ok := Lookup(c.fn)
		if !ok {
			t.Errorf("%s: not registered", c.fn)
			continue
		}
		kinds := make([]types.Kind, len(c.args))
		for i, a := range c.args {
			kinds[i] = a.K
		}
		rk, err := f.CheckCall(kinds)
		if err != nil {
			t.Errorf("%s%v: Check: %v", c.fn, c.args, err)
			continue
		}
		got, err := f.Call(c.args)
		if c.wantErr != nil {
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%s%v: error %v, want %v", c.fn, c.args, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: %v", c.fn, c.args, err)
			continue
		}
		if got.K != types.Null && got.K != rk {
			t.Errorf("%s%v: result kind %s, Check said %s", c.fn, c.args, got.K, rk)
		}
		if !sameValue(got, c.want) {
			t.Errorf("%s%v = %s (%s), want %s (%s)", c.fn, c.args, got, got.K, c.want, c.want.K)
		}
	}
}

func sameValue(a, b types.Value) bool {
	if a.K != b.K {
		return false
	}
	if a.K == types.Float {
		if math.IsNaN(a.F) || math.IsNaN(b.F) {
			return math.IsNaN(a.F) && math.IsNaN(b.F)
		}
		return a.F == b.F
	}
	return types.Equal(a, b)
}
