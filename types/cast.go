package types

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrCast is wrapped by every failed conversion, so callers (TRY_CAST, the
// scanner's type-conflict accounting) can tell a bad value from a bug.
var ErrCast = errors.New("cannot cast")

func castErr(v Value, to fmt.Stringer) error {
	s := v.String()
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return fmt.Errorf("%w %s '%s' to %s", ErrCast, v.K, s, to)
}

// CastTo converts v to the type t names: Cast to its kind, then, for INT,
// SMALLINT and TINYINT, a check that the integer fits that many bits
// (Spark: CAST_OVERFLOW, or CAST_INVALID_INPUT for a string).
func CastTo(v Value, t Type) (Value, error) {
	if t.Precision > 0 {
		return castDecimal(v, t)
	}
	r, err := Cast(v, t.Kind)
	if err != nil || t.Bits == 0 || r.K != Int {
		return r, err
	}
	if lo, hi := int64(-1)<<(t.Bits-1), int64(1)<<(t.Bits-1)-1; r.I < lo || r.I > hi {
		return NullValue, castErr(v, t)
	}
	return r, nil
}

// Cast converts v to kind to with Spark's ANSI rules (the default since
// Spark 4): a value that does not fit is an error, never a silent NULL or a
// wrapped number. NULL casts to NULL of any kind.
func Cast(v Value, to Kind) (Value, error) {
	if v.K == Null || v.K == to {
		return v, nil
	}
	if to.IsNested() || (v.K.IsNested() && to != String) {
		return castNested(v, to)
	}
	if to.IsInterval() || v.K.IsInterval() {
		return castInterval(v, to)
	}
	switch {
	case v.K == Binary && to == String:
		// Spark keeps the bytes (UTF8String.fromBytes); only showing
		// them replaces what is not UTF-8.
		return StringValue(v.S), nil
	case to == Binary && v.K == String:
		return Value{K: Binary, S: v.S}, nil
	case to == Binary || v.K == Binary:
		return NullValue, castErr(v, to)
	}
	switch to {
	case Null:
		return NullValue, nil
	case String:
		return StringValue(v.String()), nil
	case Bool:
		switch v.K {
		case Int:
			return BoolValue(v.I != 0), nil
		case Float:
			return BoolValue(v.F != 0), nil
		case String:
			switch strings.ToLower(strings.TrimSpace(v.S)) {
			case "true", "t", "yes", "y", "1":
				return BoolValue(true), nil
			case "false", "f", "no", "n", "0":
				return BoolValue(false), nil
			}
		}
	case Int:
		switch v.K {
		case Bool:
			return IntValue(v.I), nil
		case Float:
			// Truncated toward zero, the value must lie in BIGINT's range.
			// Spark compares with 2^63, the double nearest MaxInt64, and
			// lets 2^63 itself saturate (DoubleExactNumeric.toLong).
			f := math.Trunc(v.F)
			switch {
			case math.IsNaN(f) || f > 0x1p63 || f < -0x1p63:
				return NullValue, castErr(v, to)
			case f == 0x1p63:
				return IntValue(math.MaxInt64), nil
			}
			return IntValue(int64(f)), nil
		case String:
			// Spark 4 (ANSI) reads an optional sign and decimal digits
			// only, between ASCII spaces and control characters: '1.9',
			// '1.0' and '1e3' are not integers (sql-tests cast.sql,
			// try_cast.sql; UTF8String.toLong without allowDecimal).
			if i, err := strconv.ParseInt(strings.TrimFunc(v.S, isTrimmed), 10, 64); err == nil {
				return IntValue(i), nil
			}
		case Timestamp:
			return IntValue(floorDiv(v.I, 1e6)), nil
		}
	case Float:
		switch v.K {
		case Bool, Int:
			return FloatValue(float64(v.I)), nil
		case String:
			s := strings.TrimSpace(v.S)
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return FloatValue(f), nil
			}
			switch strings.ToLower(s) {
			case "nan":
				return FloatValue(math.NaN()), nil
			case "infinity", "inf", "+infinity":
				return FloatValue(math.Inf(1)), nil
			case "-infinity", "-inf":
				return FloatValue(math.Inf(-1)), nil
			}
		case Timestamp:
			return FloatValue(float64(v.I) / 1e6), nil
		}
	case Timestamp:
		switch v.K {
		case String:
			if t, ok := ParseTimestamp(v.S); ok {
				return TimestampValue(t), nil
			}
		case Date:
			return Value{K: Timestamp, I: v.I * 86400 * 1e6}, nil
		case Int:
			return Value{K: Timestamp, I: v.I * 1e6}, nil
		case Float:
			if !math.IsNaN(v.F) && !math.IsInf(v.F, 0) {
				return Value{K: Timestamp, I: int64(math.Round(v.F * 1e6))}, nil
			}
		}
	case Date:
		switch v.K {
		case String:
			if t, ok := ParseTimestamp(v.S); ok {
				return DateValue(floorDiv(t.Unix(), 86400)), nil
			}
		case Timestamp:
			return DateValue(floorDiv(v.I, 86400*1e6)), nil
		}
	}
	return NullValue, castErr(v, to)
}

// isTrimmed reports the characters Spark trims before reading a number: the
// bytes up to space and DEL (UTF8String's isWhitespaceOrISOControl on
// single bytes; no Unicode spaces).
func isTrimmed(r rune) bool { return r <= ' ' || r == 0x7f }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// timestampLayouts are the shapes ParseTimestamp accepts: ISO-8601 as
// Segment writes it (with "T", fraction and "Z"), with a numeric offset, with
// a space instead of "T", and plain dates.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// ParseTimestamp reads an ISO-8601 timestamp or date. Text without a zone
// is taken as UTC, nectar's session time zone.
func ParseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 || s[0] < '0' || s[0] > '9' {
		return time.Time{}, false
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// CanCast reports whether CAST(x AS to) is allowed for x of kind from, as
// Spark's Cast.canAnsiCast decides for the nested kinds: an array to an
// array, a map to a map and a struct to a struct of as many fields when
// their parts cast, and any kind to STRING. Scalar casts are decided per
// value (a STRING that holds no number fails when read).
func CanCast(from, to Kind) bool {
	if from == to || from == Null {
		return true
	}
	if from.IsInterval() || to.IsInterval() {
		return canCastInterval(from, to)
	}
	if from == Binary || to == Binary {
		// Spark 4 (ANSI) casts BINARY to and from STRING only.
		return from == String || to == String
	}
	if !from.IsNested() && !to.IsNested() {
		return true
	}
	if to == String {
		return from.IsNested()
	}
	fi, ti := info(from), info(to)
	if fi == nil || ti == nil || fi.class != ti.class {
		return false
	}
	switch fi.class {
	case classArray:
		return CanCast(fi.elem, ti.elem)
	case classMap:
		return CanCast(fi.elem, ti.elem) && CanCast(fi.value, ti.value)
	}
	if len(fi.fields) != len(ti.fields) {
		return false
	}
	for i, f := range fi.fields {
		if !CanCast(f.Kind, ti.fields[i].Kind) {
			return false
		}
	}
	return true
}

// castNested casts a nested value part by part (structs by position, as
// Spark does), failing as the first part that does not convert fails.
func castNested(v Value, to Kind) (Value, error) {
	if !CanCast(v.K, to) {
		return NullValue, castErr(v, to)
	}
	parts, err := Parts(nil, v)
	if err != nil {
		return NullValue, err
	}
	ti := info(to)
	for j, x := range parts {
		var k Kind
		switch ti.class {
		case classArray:
			k = ti.elem
		case classMap:
			k = ti.elem
			if j%2 == 1 {
				k = ti.value
			}
		default:
			k = ti.fields[j].Kind
		}
		if parts[j], err = Cast(x, k); err != nil {
			return NullValue, err
		}
	}
	switch ti.class {
	case classArray:
		return ArrayValue(to, parts), nil
	case classStruct:
		return StructValue(to, parts), nil
	}
	keys := make([]Value, 0, len(parts)/2)
	vals := make([]Value, 0, len(parts)/2)
	for j := 0; j+1 < len(parts); j += 2 {
		keys, vals = append(keys, parts[j]), append(vals, parts[j+1])
	}
	return MapValue(to, keys, vals), nil
}

// castDecimal is CAST(v AS DECIMAL(p, s)) as Spark computes it, held in a
// DOUBLE: the value's exact decimal digits (an interval's in its end
// field's unit) rounded half up to s places, and an error
// (NUMERIC_VALUE_OUT_OF_RANGE) when more than p - s whole digits remain.
func castDecimal(v Value, t Type) (Value, error) {
	var digits string
	switch {
	case v.K == Null:
		return NullValue, nil
	case v.K.IsInterval():
		digits = intervalDecimal(v)
	case v.K == Int:
		digits = strconv.FormatInt(v.I, 10)
	case v.K == Float:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return NullValue, castErr(v, t)
		}
		digits = strconv.FormatFloat(v.F, 'f', -1, 64)
	case v.K == String:
		f, err := Cast(v, Float)
		if err != nil {
			return NullValue, err
		}
		if math.IsNaN(f.F) || math.IsInf(f.F, 0) {
			return NullValue, castErr(v, t)
		}
		digits = strings.TrimSpace(v.S)
		if _, err := strconv.ParseFloat(digits, 64); err != nil || strings.ContainsAny(digits, "eExX") {
			digits = strconv.FormatFloat(f.F, 'f', -1, 64)
		}
	case v.K == Bool:
		digits = strconv.FormatInt(v.I, 10)
	default:
		return NullValue, castErr(v, t)
	}
	rounded, whole, ok := roundDecimal(digits, int(t.Scale))
	if !ok {
		return NullValue, castErr(v, t)
	}
	if whole > int(t.Precision)-int(t.Scale) {
		return NullValue, fmt.Errorf("%w %s '%s' to %s: [NUMERIC_VALUE_OUT_OF_RANGE] more than %d digits before the point", ErrCast, v.K, v.String(), t, int(t.Precision)-int(t.Scale))
	}
	f, err := strconv.ParseFloat(rounded, 64)
	if err != nil {
		return NullValue, castErr(v, t)
	}
	return FloatValue(f), nil
}

// roundDecimal rounds a plain decimal text ([-]digits[.digits]) half up
// (away from zero) to scale places; whole is the count of significant
// digits before the point after rounding.
func roundDecimal(s string, scale int) (out string, whole int, ok bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" {
		intPart = "0"
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	for len(frac) < scale+1 {
		frac += "0"
	}
	keep := []byte(intPart + frac[:scale])
	if frac[scale] >= '5' {
		i := len(keep) - 1
		for ; i >= 0; i-- {
			if keep[i] == '9' {
				keep[i] = '0'
				continue
			}
			keep[i]++
			break
		}
		if i < 0 {
			keep = append([]byte{'1'}, keep...)
		}
	}
	ip := strings.TrimLeft(string(keep[:len(keep)-scale]), "0")
	whole = len(ip)
	if ip == "" {
		ip = "0"
	}
	out = ip
	if scale > 0 {
		out += "." + string(keep[len(keep)-scale:])
	}
	if neg {
		out = "-" + out
	}
	return out, whole, true
}

// intervalDecimal is an interval's value in its end field's unit as exact
// decimal text: months or years for year-month, days to seconds (with six
// decimals) for day-time.
func intervalDecimal(v Value) string {
	_, end := v.K.IntervalFields()
	if v.K.IsYearMonth() {
		if end == Year {
			return decimalDiv(v.I, 12)
		}
		return strconv.FormatInt(v.I, 10)
	}
	unit := [...]int64{Day: 86400e6, Hour: 3600e6, Minute: 60e6, Second: 1e6}[end]
	return decimalDiv(v.I, unit)
}

// decimalDiv is n / d as exact decimal text (d a power of ten times a
// small factor, so the quotient's digits end).
func decimalDiv(n, d int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	q, r := n/d, n%d
	s := strconv.FormatInt(q, 10)
	if r != 0 {
		var b strings.Builder
		for i := 0; r != 0 && i < 18; i++ {
			r *= 10
			b.WriteByte(byte('0' + r/d))
			r %= d
		}
		s += "." + b.String()
	}
	if neg {
		s = "-" + s
	}
	return s
}
