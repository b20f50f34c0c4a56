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

func castErr(v Value, to Kind) error {
	s := v.String()
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return fmt.Errorf("%w %s '%s' to %s", ErrCast, v.K, s, to)
}

// Cast converts v to kind to with Spark's ANSI rules (the default since
// Spark 4): a value that does not fit is an error, never a silent NULL or a
// wrapped number. NULL casts to NULL of any kind.
func Cast(v Value, to Kind) (Value, error) {
	if v.K == Null || v.K == to {
		return v, nil
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
			if math.IsNaN(v.F) || v.F >= 9.223372036854775807e18 || v.F < -9.223372036854775808e18 {
				return NullValue, castErr(v, to)
			}
			return IntValue(int64(v.F)), nil
		case String:
			s := strings.TrimSpace(v.S)
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return IntValue(i), nil
			}
			// Spark accepts "1.9" as an integer by truncation.
			if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < 9.2e18 {
				return IntValue(int64(f)), nil
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
