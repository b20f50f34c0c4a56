package functions

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

const (
	microsPerSecond = int64(1e6)
	microsPerDay    = 86400 * microsPerSecond
)

// ToTimestamp converts v to a Timestamp: a Date becomes its midnight UTC
// and a String is parsed as ISO-8601 (Segment's "2023-11-25T00:30:05.728Z").
// Any other kind, or an unparsable string, is an error wrapping
// types.ErrCast; functions turn that error into NULL, as Spark does with
// ANSI mode off.
func ToTimestamp(v types.Value) (types.Value, error) {
	switch v.K {
	case types.Timestamp:
		return v, nil
	case types.Date:
		return types.Value{K: types.Timestamp, I: v.I * microsPerDay}, nil
	case types.String:
		if t, ok := types.ParseTimestamp(v.S); ok {
			return types.TimestampValue(t), nil
		}
	}
	return types.NullValue, fmt.Errorf("%w %s to TIMESTAMP", types.ErrCast, v.K)
}

// toDate converts v to a Date. Strings follow Spark's cast: a leading
// yyyy-[m]m-[d]d followed by the end, a space or "T" is read as the date
// itself, ignoring any time and zone after it.
func toDate(v types.Value) (types.Value, bool) {
	switch v.K {
	case types.Date:
		return v, true
	case types.Timestamp:
		return types.DateValue(floorDiv(v.I, microsPerDay)), true
	case types.String:
		if d, ok := leadingDate(v.S); ok {
			return types.DateValue(d), true
		}
		if t, ok := types.ParseTimestamp(v.S); ok {
			return types.DateValue(floorDiv(t.Unix(), 86400)), true
		}
	}
	return types.NullValue, false
}

// leadingDate parses "yyyy-m-d" at the start of s.
func leadingDate(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	var parts [3]int
	i := 0
	for p := range 3 {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 4 {
			parts[p] = parts[p]*10 + int(s[i]-'0')
			i++
		}
		n := i - start
		if (p == 0 && n != 4) || (p > 0 && (n < 1 || n > 2)) {
			return 0, false
		}
		if p < 2 {
			if i >= len(s) || s[i] != '-' {
				return 0, false
			}
			i++
		}
	}
	if i < len(s) && s[i] != ' ' && s[i] != 'T' {
		return 0, false
	}
	return daysFromCivil(parts[0], parts[1], parts[2])
}

// ToFloat converts a number, a numeric string, a boolean or a timestamp
// (seconds) to float64.
func ToFloat(v types.Value) (float64, error) {
	switch v.K {
	case types.Float:
		return v.F, nil
	case types.Int:
		return float64(v.I), nil
	}
	r, err := types.Cast(v, types.Float)
	if err != nil {
		return 0, err
	}
	if r.K != types.Float {
		return 0, fmt.Errorf("%w NULL to DOUBLE", types.ErrCast)
	}
	return r.F, nil
}

// ToInt converts to int64 as Spark 4's ANSI cast does: doubles truncate
// toward zero, and a string must hold an integer ('1.9' is an error).
func ToInt(v types.Value) (int64, error) {
	if v.K == types.Int {
		return v.I, nil
	}
	r, err := types.Cast(v, types.Int)
	if err != nil {
		return 0, err
	}
	if r.K != types.Int {
		return 0, fmt.Errorf("%w NULL to BIGINT", types.ErrCast)
	}
	return r.I, nil
}

// ToString renders v as CAST(v AS STRING) does; NULL gives "".
func ToString(v types.Value) string {
	switch v.K {
	case types.String, types.Binary:
		return v.S
	case types.Null:
		return ""
	case types.Int:
		return strconv.FormatInt(v.I, 10)
	}
	return v.String()
}

// numValue normalises a numeric argument: Int and Float pass through, a
// String becomes a Float. ok is false for an unparsable string.
func numValue(v types.Value) (types.Value, bool) {
	switch v.K {
	case types.Int, types.Float:
		return v, true
	}
	f, err := ToFloat(v)
	if err != nil {
		return types.NullValue, false
	}
	return types.FloatValue(f), true
}

// numKind is the kind a numeric-preserving function (abs, round) returns.
func numKind(k types.Kind) types.Kind {
	if k == types.Int {
		return types.Int
	}
	return types.Float
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// clampInt converts a float to int64 the way Java's (long) cast does: NaN
// becomes 0 and out-of-range values saturate.
func clampInt(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= 9.223372036854775807e18:
		return math.MaxInt64
	case f <= -9.223372036854775808e18:
		return math.MinInt64
	}
	return int64(f)
}
