package types

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Value is one scalar. It is a plain struct rather than an interface so that
// row-at-a-time code (functions, sort keys, hash keys) passes values around
// without allocating. The zero Value is NULL.
type Value struct {
	K Kind    // Null means the value is NULL
	I int64   // Bool (0/1), Int, Timestamp (µs), Date (days), intervals (months or µs)
	F float64 // Float
	S string  // String
}

// NullValue is SQL NULL.
var NullValue = Value{}

func BoolValue(b bool) Value {
	if b {
		return Value{K: Bool, I: 1}
	}
	return Value{K: Bool}
}
func IntValue(i int64) Value     { return Value{K: Int, I: i} }
func FloatValue(f float64) Value { return Value{K: Float, F: f} }
func StringValue(s string) Value { return Value{K: String, S: s} }

// TimestampValue holds t truncated to microseconds.
func TimestampValue(t time.Time) Value { return Value{K: Timestamp, I: t.UnixMicro()} }
func DateValue(days int64) Value       { return Value{K: Date, I: days} }

func (v Value) IsNull() bool { return v.K == Null }
func (v Value) Bool() bool   { return v.I != 0 }

// Time returns a Timestamp or Date value as a UTC time.
func (v Value) Time() time.Time {
	if v.K == Date {
		return time.Unix(v.I*86400, 0).UTC()
	}
	return time.UnixMicro(v.I).UTC()
}

// AsFloat returns a numeric value as float64.
func (v Value) AsFloat() float64 {
	if v.K == Float {
		return v.F
	}
	return float64(v.I)
}

// TimestampLayout is how timestamps print: ISO-8601 in UTC, with the
// fraction only when there is one.
const TimestampLayout = "2006-01-02T15:04:05.999999Z"

// DateLayout is how dates print.
const DateLayout = "2006-01-02"

// String renders v as text the way CAST(v AS STRING) does; NULL renders as
// "NULL". Output formats that distinguish NULL check IsNull first.
func (v Value) String() string {
	switch v.K {
	case Null:
		return "NULL"
	case Bool:
		if v.I != 0 {
			return "true"
		}
		return "false"
	case Int:
		return strconv.FormatInt(v.I, 10)
	case Float:
		return FormatFloat(v.F)
	case String:
		return v.S
	case Timestamp:
		return v.Time().Format(TimestampLayout)
	case Date:
		return v.Time().Format(DateLayout)
	case Binary:
		return BinaryText(v.S)
	}
	if v.K.IsInterval() {
		return FormatInterval(v)
	}
	if v.K.IsNested() {
		return nestedString(v)
	}
	return "?"
}

// FormatFloat prints a double the shortest way that reads back exactly.
// A DOUBLE never looks like a BIGINT: integral values keep ".0", and very
// large or small magnitudes use Java's notation ("1.0E20"), as Spark prints
// them.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	a := math.Abs(f)
	if a != 0 && (a >= 1e15 || a < 1e-4) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		exp = strings.TrimPrefix(exp, "+")
		neg := strings.HasPrefix(exp, "-")
		exp = strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0")
		if neg {
			exp = "-" + exp
		}
		return mant + "E" + exp
	}
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Compare orders two non-NULL values of comparable kinds: numbers by value
// (BIGINT against DOUBLE compares as DOUBLE), strings bytewise, booleans
// false < true, and timestamps and dates by time. NaN sorts above every other
// double, as in Spark. Callers handle NULLs before calling.
func Compare(a, b Value) int {
	if a.K == b.K {
		switch a.K {
		case Float:
			return compareFloat(a.F, b.F)
		case String, Binary:
			return strings.Compare(a.S, b.S)
		case Date, Timestamp, Int, Bool:
			return cmp.Compare(a.I, b.I)
		case Null:
			return 0
		}
		if a.K.IsInterval() {
			return cmp.Compare(a.I, b.I)
		}
		return compareNested(a, b)
	}
	if _, ok := WidenInterval(a.K, b.K); ok {
		return cmp.Compare(a.I, b.I)
	}
	if a.K.IsNumeric() && b.K.IsNumeric() {
		return compareFloat(a.AsFloat(), b.AsFloat())
	}
	if (a.K == Date || a.K == Timestamp) && (b.K == Date || b.K == Timestamp) {
		return cmp.Compare(toMicros(a), toMicros(b))
	}
	return strings.Compare(a.String(), b.String())
}

func toMicros(v Value) int64 {
	if v.K == Date {
		return v.I * 86400 * 1e6
	}
	return v.I
}

func compareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// Equal reports whether two values are equal for grouping and DISTINCT:
// NULL equals NULL there (unlike in "=").
func Equal(a, b Value) bool {
	if a.K == Null || b.K == Null {
		return a.K == b.K
	}
	return Compare(a, b) == 0
}

// nestedKeyMark starts the key of a nested value; its kind follows as
// text (Kind.String), so keys saved in a stream checkpoint read back in
// another process, where the interned number may differ.
const nestedKeyMark = 0xff

// AppendKey appends an encoding of v to buf such that two values give the
// same bytes exactly when Equal holds for values of one kind. Hash
// aggregation, DISTINCT and joins key their maps with it.
func AppendKey(buf []byte, v Value) []byte {
	if v.K.IsNested() {
		name := v.K.String()
		buf = append(buf, nestedKeyMark)
		buf = strconv.AppendInt(buf, int64(len(name)), 10)
		buf = append(buf, ':')
		buf = append(buf, name...)
		return appendNestedKey(buf, v)
	}
	buf = append(buf, byte(v.K))
	switch v.K {
	case Null:
	case Float:
		f := v.F
		if f == 0 {
			f = 0 // fold -0 into +0
		}
		if math.IsNaN(f) {
			f = math.NaN()
		}
		buf = strconv.AppendUint(buf, math.Float64bits(f), 36)
		buf = append(buf, 0)
	case String, Binary:
		buf = strconv.AppendInt(buf, int64(len(v.S)), 10)
		buf = append(buf, ':')
		buf = append(buf, v.S...)
	default:
		buf = strconv.AppendInt(buf, v.I, 36)
		buf = append(buf, 0)
	}
	return buf
}

// ErrBadKey is wrapped when bytes given to DecodeKey are not a key.
var ErrBadKey = errors.New("not a value key")

// DecodeKey reads the value AppendKey wrote at the start of key and
// returns it with the rest of key. It gives back a value Equal to the one
// encoded: -0 comes back as 0, and every NaN as the one AppendKey keeps.
func DecodeKey(key []byte) (Value, []byte, error) {
	if len(key) == 0 {
		return NullValue, key, fmt.Errorf("%w: empty", ErrBadKey)
	}
	if key[0] == nestedKeyMark {
		return decodeNestedKey(key[1:])
	}
	k, rest := Kind(key[0]), key[1:]
	switch k {
	case Null:
		return NullValue, rest, nil
	case String, Binary:
		n, body, ok := bytes.Cut(rest, []byte{':'})
		size, err := strconv.ParseInt(string(n), 10, 64)
		if !ok || err != nil || size < 0 || size > int64(len(body)) {
			return NullValue, key, fmt.Errorf("%w: bad string length", ErrBadKey)
		}
		return Value{K: k, S: string(body[:size])}, body[size:], nil
	}
	digits, after, ok := bytes.Cut(rest, []byte{0})
	if !ok || (k > Date && !k.IsInterval()) || k == Binary {
		return NullValue, key, fmt.Errorf("%w: kind %d", ErrBadKey, k)
	}
	if k == Float {
		bits, err := strconv.ParseUint(string(digits), 36, 64)
		if err != nil {
			return NullValue, key, fmt.Errorf("%w: %v", ErrBadKey, err)
		}
		return FloatValue(math.Float64frombits(bits)), after, nil
	}
	i, err := strconv.ParseInt(string(digits), 36, 64)
	if err != nil {
		return NullValue, key, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return Value{K: k, I: i}, after, nil
}

func decodeNestedKey(key []byte) (Value, []byte, error) {
	n, body, ok := bytes.Cut(key, []byte{':'})
	size, err := strconv.ParseInt(string(n), 10, 64)
	if !ok || err != nil || size < 0 || size > int64(len(body)) {
		return NullValue, key, fmt.Errorf("%w: bad nested kind", ErrBadKey)
	}
	k, ok := ParseKind(string(body[:size]))
	if !ok || !k.IsNested() {
		return NullValue, key, fmt.Errorf("%w: bad nested kind %q", ErrBadKey, body[:size])
	}
	rest := body[size:]
	l, w := binary.Uvarint(rest)
	if w <= 0 || l > uint64(len(rest)-w) {
		return NullValue, key, fmt.Errorf("%w: bad nested value", ErrBadKey)
	}
	return Value{K: k, S: string(rest[w : w+int(l)])}, rest[w+int(l):], nil
}

// BinaryValue holds bytes as a BINARY value.
func BinaryValue(b []byte) Value { return Value{K: Binary, S: string(b)} }

// BinaryText is BINARY bytes as text, as Spark shows them (HiveResult's
// new String(bytes, UTF_8)): UTF-8, each byte that starts no valid
// sequence replaced by U+FFFD.
func BinaryText(b string) string {
	if utf8.ValidString(b) {
		return b
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRuneInString(b)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteRune(utf8.RuneError)
			b = b[1:]
			continue
		}
		sb.WriteString(b[:n])
		b = b[n:]
	}
	return sb.String()
}

// BinaryLiteral is b as SQL text: X'0A1B'.
func BinaryLiteral(b string) string {
	return "X'" + strings.ToUpper(hex.EncodeToString([]byte(b))) + "'"
}
