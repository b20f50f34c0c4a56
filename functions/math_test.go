package functions

import (
	"math"
	"testing"
)

func TestMathFunctions(t *testing.T) {
	inf := math.Inf(1)
	run(t, []evalCase{
		{"abs", vals(I(-1)), I(1), nil}, // doc
		{"abs", vals(F(-2.5)), F(2.5), nil},
		{"abs", vals(S("-3")), F(3), nil},
		{"abs", vals(S("x")), null, nil},
		{"abs", vals(I(math.MinInt64)), I(math.MinInt64), nil}, // wraps, as Java's Math.abs
		{"ceil", vals(F(-0.1)), I(0), nil},                     // doc
		{"ceil", vals(I(5)), I(5), nil},                        // doc
		{"ceiling", vals(F(2.0000001)), I(3), nil},
		{"ceil", vals(F(3.1411), I(3)), F(3.142), nil}, // doc
		{"ceil", vals(F(3.1411), I(-3)), F(1000), nil}, // doc
		{"ceil", vals(F(1.1), I(1)), F(1.1), nil},      // exact in decimal, though 11.000000000000002 in binary
		{"ceil", vals(I(125), I(-1)), I(130), nil},
		{"ceil", vals(NaN()), I(0), nil},                // Java's (long) NaN
		{"ceil", vals(F(1e300)), I(math.MaxInt64), nil}, // saturates
		{"floor", vals(F(-0.1)), I(-1), nil},            // doc
		{"floor", vals(I(5)), I(5), nil},                // doc
		{"floor", vals(F(3.1411), I(3)), F(3.141), nil}, // doc
		{"floor", vals(F(3.1411), I(-3)), F(0), nil},    // doc
		{"floor", vals(F(-3.1411), I(1)), F(-3.2), nil},
		{"floor", vals(I(-125), I(-1)), I(-130), nil},
		{"floor", vals(S("2.7")), I(2), nil},
		{"round", vals(F(2.5), I(0)), F(3), nil}, // doc
		{"round", vals(F(2.5)), F(3), nil},
		{"round", vals(F(-2.5)), F(-3), nil},
		{"round", vals(F(2.675), I(2)), F(2.68), nil}, // HALF_UP on the decimal text, unlike math.Round(x*100)
		{"round", vals(F(1.005), I(2)), F(1.01), nil},
		{"round", vals(F(-0.001), I(2)), F(0), nil},
		{"round", vals(F(123.456), I(-1)), F(120), nil},
		{"round", vals(F(0.5), I(-1)), F(0), nil},
		{"round", vals(F(9.99), I(1)), F(10), nil},
		{"round", vals(F(1e-320), I(2)), F(0), nil},
		{"round", vals(F(1.5e300), I(-300)), F(2e300), nil},
		{"round", vals(NaN(), I(1)), NaN(), nil},
		{"round", vals(F(inf)), F(inf), nil},
		{"round", vals(I(25), I(-1)), I(30), nil}, // doc
		{"round", vals(I(-25), I(-1)), I(-30), nil},
		{"round", vals(I(24), I(-1)), I(20), nil},
		{"round", vals(I(7), I(2)), I(7), nil},
		{"round", vals(I(7), I(-30)), I(0), nil},
		{"round", vals(S("2.45"), I(1)), F(2.5), nil},
		{"bround", vals(F(2.5), I(0)), F(2), nil}, // doc
		{"bround", vals(F(3.5)), F(4), nil},
		{"bround", vals(F(-2.5)), F(-2), nil},
		{"bround", vals(F(2.25), I(1)), F(2.2), nil},
		{"bround", vals(F(2.251), I(1)), F(2.3), nil},
		{"bround", vals(I(25), I(-1)), I(20), nil}, // doc
		{"bround", vals(I(35), I(-1)), I(40), nil},
		{"bround", vals(I(-25), I(-1)), I(-20), nil},
		{"sqrt", vals(I(4)), F(2), nil}, // doc
		{"sqrt", vals(F(-1)), NaN(), nil},
		{"sqrt", vals(S("9")), F(3), nil},
		{"cbrt", vals(F(27)), F(3), nil},     // doc
		{"pow", vals(I(2), I(3)), F(8), nil}, // doc
		{"power", vals(F(2), F(-1)), F(0.5), nil},
		{"pow", vals(F(0), F(0)), F(1), nil},
		{"exp", vals(I(0)), F(1), nil}, // doc
		{"expm1", vals(I(0)), F(0), nil},
		{"ln", vals(I(1)), F(0), nil}, // doc
		{"ln", vals(I(0)), null, nil},
		{"ln", vals(F(-1)), null, nil},
		{"log", vals(I(10), I(100)), F(2), nil}, // doc
		{"log", vals(F(math.E)), F(1), nil},
		{"log", vals(I(0), I(100)), null, nil},
		{"log", vals(I(10), I(-1)), null, nil},
		{"log10", vals(I(10)), F(1), nil}, // doc
		{"log10", vals(I(0)), null, nil},
		{"log2", vals(I(2)), F(1), nil}, // doc
		{"log1p", vals(F(-1)), null, nil},
		{"log1p", vals(F(0)), F(0), nil},
		{"sign", vals(F(40)), F(1), nil}, // doc
		{"signum", vals(I(-7)), F(-1), nil},
		{"sign", vals(I(0)), F(0), nil},
		{"sign", vals(NaN()), NaN(), nil},
		{"degrees", vals(F(math.Pi)), F(180), nil}, // doc
		{"radians", vals(F(180)), F(math.Pi), nil}, // doc
		{"atan2", vals(I(0), I(0)), F(0), nil},     // doc
		{"hypot", vals(I(3), I(4)), F(5), nil},
		{"sin", vals(I(0)), F(0), nil},
		{"cos", vals(I(0)), F(1), nil},
		{"acos", vals(I(2)), NaN(), nil},
		{"mod", vals(I(2), I(0)), null, nil},
		{"mod", vals(I(7), I(3)), I(1), nil},
		{"mod", vals(I(-7), I(3)), I(-1), nil},
		{"mod", vals(I(math.MinInt64), I(-1)), I(0), nil},
		{"mod", vals(F(7.5), I(2)), F(1.5), nil},
		{"mod", vals(F(-7.5), F(2)), F(-1.5), nil},
		{"mod", vals(F(1), F(0)), null, nil},
		{"mod", vals(S("7"), I(4)), F(3), nil},
		{"pmod", vals(I(10), I(3)), I(1), nil},  // doc
		{"pmod", vals(I(-10), I(3)), I(2), nil}, // doc
		{"pmod", vals(I(7), I(-3)), I(1), nil},
		{"pmod", vals(I(-7), I(-3)), I(-1), nil},
		{"pmod", vals(F(-7.5), F(2)), F(0.5), nil},
		{"pmod", vals(I(1), I(0)), null, nil},
		{"greatest", vals(I(10), I(9), I(2), I(4), I(3)), I(10), nil}, // doc
		{"greatest", vals(I(1), null, F(2.5)), F(2.5), nil},
		{"greatest", vals(null, null), null, nil},
		{"greatest", vals(S("b"), S("a")), S("b"), nil},
		{"greatest", vals(D("2024-01-01"), TS("2023-12-31T23:00:00Z")), TS("2024-01-01T00:00:00Z"), nil},
		{"greatest", vals(NaN(), F(1)), NaN(), nil},               // NaN is largest, as Spark orders it
		{"least", vals(I(10), I(9), I(2), I(4), I(3)), I(2), nil}, // doc
		{"least", vals(null, I(3), I(-1)), I(-1), nil},
		{"least", vals(I(3), F(1.5)), F(1.5), nil},
		{"pi", vals(), F(math.Pi), nil},
		{"e", vals(), F(math.E), nil},
		{"try_divide", vals(I(3), I(2)), F(1.5), nil}, // doc
		{"try_divide", vals(I(1), I(0)), null, nil},   // doc
		{"try_divide", vals(F(1), F(0)), null, nil},
		{"nanvl", vals(NaN(), I(123)), F(123), nil}, // doc
		{"nanvl", vals(F(1), I(123)), F(1), nil},
		{"decimal", vals(I(1)), F(1), nil},
		{"decimal", vals(F(1.5)), F(2), nil}, // DECIMAL(10, 0) rounds half up
		{"decimal", vals(F(-2.5)), F(-3), nil},
		{"decimal", vals(S("7")), F(7), nil},
		{"decimal", vals(F(1e10)), null, ErrInvalidArg},
		{"decimal", vals(S("x")), null, ErrInvalidArg},
		{"nanvl", vals(NaN(), null), null, nil},
	})
}

func TestRoundDecimal(t *testing.T) {
	cases := []struct {
		in   float64
		d    int64
		mode roundMode
		want float64
	}{
		{0.1 + 0.2, 1, halfUp, 0.3},
		{-1.25, 1, halfUp, -1.3},
		{-1.25, 1, halfEven, -1.2},
		{-1.21, 1, ceiling, -1.2},
		{1.21, 1, ceiling, 1.3},
		{-1.21, 1, flooring, -1.3},
		{0.0004, 3, ceiling, 0.001},
		{-0.0004, 3, flooring, -0.001},
		{0.0004, 3, halfUp, 0},
		{0.0005, 3, halfUp, 0.001},
		{999.5, 0, halfUp, 1000},
		{1e22, -22, halfUp, 1e22},
		{4e22, -23, halfUp, 0},
		{123, 1000, halfUp, 123},
		{123, -1000, ceiling, math.Inf(1)},
	}
	for _, c := range cases {
		if got := roundDecimal(c.in, c.d, c.mode); got != c.want {
			t.Errorf("roundDecimal(%v, %d, %d) = %v, want %v", c.in, c.d, c.mode, got, c.want)
		}
	}
}

func BenchmarkRound(b *testing.B) {
	f, _ := Lookup("round")
	args := vals(F(2.675), I(2))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Call(args)
	}
}
