package types

import (
	"errors"
	"math"
	"testing"
)

// TestCastToIntegers checks casts to the integer types against Spark 4's
// answers under its default ANSI mode (TRY_CAST in pyspark 4, and the
// sql-tests cast.sql and try_cast.sql): a NULL want means TRY_CAST gives
// NULL and CAST fails with ErrCast.
func TestCastToIntegers(t *testing.T) {
	var (
		tinyint  = Type{Kind: Int, Bits: 8}
		smallint = Type{Kind: Int, Bits: 16}
		integer  = Type{Kind: Int, Bits: 32}
		bigint   = Type{Kind: Int}
		null     = NullValue
		i        = IntValue
		s        = StringValue
		f        = FloatValue
		ts       = func(us int64) Value { return Value{K: Timestamp, I: us} }
	)
	for _, tc := range []struct {
		from Value
		to   Type
		want Value
	}{
		// Strings: a sign and digits, trimmed of ASCII spaces and
		// control characters, nothing else.
		{s("42"), integer, i(42)},
		{s(" 1 "), integer, i(1)},
		{s("\t1\n"), integer, i(1)},
		{s("\v1"), integer, i(1)},
		{s("\x001"), integer, i(1)},
		{s("\x7f1"), integer, i(1)},
		{s("1\x1f"), integer, i(1)},
		{s("+1"), integer, i(1)},
		{s("-0"), integer, i(0)},
		{s("007"), integer, i(7)},
		{s("1.23"), integer, null},
		{s("-4.56"), integer, null},
		{s("1.23"), bigint, null},
		{s("1.0"), integer, null},
		{s("1."), integer, null},
		{s(".5"), integer, null},
		{s("-.0"), integer, null},
		{s("1e2"), integer, null},
		{s("1.5e3"), bigint, null},
		{s("1 2"), integer, null},
		{s("-"), integer, null},
		{s("+"), integer, null},
		{s(""), integer, null},
		{s("  "), integer, null},
		{s("0x10"), integer, null},
		{s("1_000"), integer, null},
		{s("１"), integer, null},       // a fullwidth digit
		{s("\u00a01"), integer, null}, // no-break space
		{s("\u30001"), integer, null}, // ideographic space
		{s("1\u0085"), integer, null}, // next line, two bytes in UTF-8
		{s("1中文"), integer, null},
		{s("abc"), integer, null},
		{s("true"), integer, null},
		// Each type's bounds.
		{s("2147483647"), integer, i(2147483647)},
		{s("2147483648"), integer, null},
		{s("-2147483648"), integer, i(-2147483648)},
		{s("-2147483649"), integer, null},
		{s("32767"), smallint, i(32767)},
		{s("32768"), smallint, null},
		{s("-32768"), smallint, i(-32768)},
		{s("127"), tinyint, i(127)},
		{s("-128"), tinyint, i(-128)},
		{s("-129"), tinyint, null},
		{s(" 1\t"), tinyint, i(1)},
		{s("9223372036854775807"), bigint, i(math.MaxInt64)},
		{s("9223372036854775808"), bigint, null},
		{s("-9223372036854775808"), bigint, i(math.MinInt64)},
		{i(2147483648), integer, null},
		{i(-2147483649), integer, null},
		{i(2147483647), integer, i(2147483647)},
		{i(32768), smallint, null},
		{i(math.MaxInt64), bigint, i(math.MaxInt64)},
		{BoolValue(true), tinyint, i(1)},
		// Doubles truncate toward zero, then must fit.
		{f(1.9), integer, i(1)},
		{f(-1.9), integer, i(-1)},
		{f(2147483647.9), integer, i(2147483647)},
		{f(-2147483648.9), integer, i(-2147483648)},
		{f(2147483648), integer, null},
		{f(0x1p63), bigint, i(math.MaxInt64)}, // Spark saturates 2^63, the double nearest MaxInt64
		{f(-0x1p63), bigint, i(math.MinInt64)},
		{f(1e19), bigint, null},
		{f(math.Inf(1)), bigint, null},
		{f(math.NaN()), integer, null},
		// Timestamps are whole seconds, rounded down.
		{ts(4102444800e6), bigint, i(4102444800)}, // 2100-01-01
		{ts(4102444800e6), integer, null},
		{ts(0), smallint, i(0)},
		{ts(-500000), bigint, i(-1)}, // 1969-12-31 23:59:59.5
		{ts(-500000), integer, i(-1)},
		{null, integer, null},
	} {
		got, err := CastTo(tc.from, tc.to)
		switch {
		case tc.want.IsNull() && !tc.from.IsNull():
			if !errors.Is(err, ErrCast) {
				t.Errorf("CAST(%s %q AS %s) = %v, %v; want an error wrapping ErrCast", tc.from.K, tc.from, tc.to, got, err)
			}
		case err != nil || got.K != tc.want.K || got.I != tc.want.I:
			t.Errorf("CAST(%s %q AS %s) = %v, %v; want %v", tc.from.K, tc.from, tc.to, got, err, tc.want)
		}
	}
}

func TestParseType(t *testing.T) {
	for name, want := range map[string]Type{
		"int": {Kind: Int, Bits: 32}, "INTEGER": {Kind: Int, Bits: 32}, "smallint": {Kind: Int, Bits: 16}, "SHORT": {Kind: Int, Bits: 16},
		"tinyint": {Kind: Int, Bits: 8}, "byte": {Kind: Int, Bits: 8}, "BIGINT": {Kind: Int}, "long": {Kind: Int},
		"double": {Kind: Float}, "string": {Kind: String}, "decimal": {Kind: Float, Precision: 10}, "DEC": {Kind: Float, Precision: 10},
	} {
		got, ok := ParseType(name)
		if !ok || got != want {
			t.Errorf("ParseType(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
	for _, ty := range []Type{{Kind: Int, Bits: 8}, {Kind: Int, Bits: 16}, {Kind: Int, Bits: 32}, {Kind: Int}, {Kind: Float}} {
		back, ok := ParseType(ty.String())
		if !ok || back != ty {
			t.Errorf("ParseType(%q) = %v, want %v", ty.String(), back, ty)
		}
	}
}

// TestBinaryCasts: Spark 4 (ANSI) casts BINARY to and from STRING only,
// keeping the bytes; the text shown replaces bytes that are not UTF-8.
func TestBinaryCasts(t *testing.T) {
	b := BinaryValue([]byte("a\x80"))
	if s, err := Cast(b, String); err != nil || s.K != String || s.S != "a\x80" {
		t.Errorf("CAST(binary AS STRING) = %#v, %v", s, err)
	}
	if r, err := Cast(StringValue("hé"), Binary); err != nil || r.K != Binary || r.S != "hé" {
		t.Errorf("CAST(string AS BINARY) = %#v, %v", r, err)
	}
	for _, v := range []Value{IntValue(1), FloatValue(1), BoolValue(true), DateValue(1)} {
		if _, err := Cast(v, Binary); err == nil {
			t.Errorf("CAST(%s AS BINARY) succeeded", v.K)
		}
		if CanCast(v.K, Binary) || CanCast(Binary, v.K) {
			t.Errorf("CanCast between %s and BINARY", v.K)
		}
	}
	if got := b.String(); got != "a\uFFFD" {
		t.Errorf("String() = %q", got)
	}
	if got := BinaryLiteral("\x01\xab"); got != "X'01AB'" {
		t.Errorf("BinaryLiteral = %q", got)
	}
	if Compare(BinaryValue([]byte{0x01}), BinaryValue([]byte{0xff})) >= 0 {
		t.Error("BINARY compares bytes unsigned")
	}
	if k, ok := ParseKind("binary"); !ok || k != Binary {
		t.Errorf("ParseKind(binary) = %v, %v", k, ok)
	}
}

// TestDecimalCasts: CAST(x AS DECIMAL(p, s)) rounds the exact decimal
// value half up to s places and refuses more than p - s whole digits, as
// Spark does (cast.sql's interval casts among them).
func TestDecimalCasts(t *testing.T) {
	dec := func(p, s uint8) Type { return Type{Kind: Float, Precision: p, Scale: s} }
	sec, _ := ParseInterval("10.005", DayTimeKind(Second, Second))
	hms, _ := ParseInterval("08:11:10.001", DayTimeKind(Hour, Second))
	year, _ := ParseInterval("-1", YearMonthKind(Year, Year))
	for _, c := range []struct {
		v    Value
		t    Type
		want float64
	}{
		{FloatValue(2.675), dec(5, 2), 2.68}, // the decimal 2.675, not the double below it
		{FloatValue(-0.5), dec(10, 0), -1},
		{StringValue(" 1.5 "), dec(10, 0), 2},
		{IntValue(12), dec(38, 18), 12},
		{sec, dec(4, 2), 10.01},
		{hms, dec(10, 4), 29470.001},
		{year, dec(10, 0), -1},
		{FloatValue(9.995), dec(3, 2), 0}, // rounds to 10.00: too many whole digits
	} {
		got, err := CastTo(c.v, c.t)
		if c.want == 0 {
			if err == nil {
				t.Errorf("CAST(%v AS %s) = %v, want an error", c.v, c.t, got)
			}
			continue
		}
		if err != nil || got.K != Float || got.F != c.want {
			t.Errorf("CAST(%v AS %s) = %v, %v; want %v", c.v, c.t, got, err, c.want)
		}
	}
}
