package types

import (
	"errors"
	"math"
	"testing"
)

func TestDecodeKeyRoundTrip(t *testing.T) {
	vals := []Value{NullValue, IntValue(0), IntValue(-42), IntValue(math.MinInt64), IntValue(math.MaxInt64),
		BoolValue(true), BoolValue(false), FloatValue(1.5), FloatValue(math.Copysign(0, -1)), FloatValue(math.Inf(-1)),
		FloatValue(math.NaN()), StringValue(""), StringValue("a:b\x00c"), DateValue(-3), {K: Timestamp, I: 1549028710123000},
		BinaryValue([]byte("a:\xff")), BinaryValue(nil)}
	var key []byte
	for _, v := range vals {
		key = AppendKey(key, v)
	}
	rest := key
	for _, want := range vals {
		got, r, err := DecodeKey(rest)
		if err != nil {
			t.Fatalf("decode %v: %v", want, err)
		}
		if got.K != want.K || !Equal(got, want) && !(want.K == Float && math.IsNaN(want.F) && math.IsNaN(got.F)) {
			t.Errorf("decoded %#v, want %#v", got, want)
		}
		rest = r
	}
	if len(rest) != 0 {
		t.Errorf("%d bytes left over", len(rest))
	}
	for _, bad := range []string{"", "\x04", "\x0412:ab", "\x02zz!"} {
		if _, _, err := DecodeKey([]byte(bad)); !errors.Is(err, ErrBadKey) {
			t.Errorf("DecodeKey(%q): %v, want ErrBadKey", bad, err)
		}
	}
}
