package functions

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// intervalUnits are the units of Spark's interval strings, singular, with
// the abbreviations streams accept in durations ('500 ms', '5 min').
var intervalUnits = map[string]time.Duration{
	"microsecond": time.Microsecond,
	"millisecond": time.Millisecond, "ms": time.Millisecond,
	"second": time.Second, "sec": time.Second, "s": time.Second,
	"minute": time.Minute, "min": time.Minute, "m": time.Minute,
	"hour": time.Hour, "h": time.Hour,
	"day": 24 * time.Hour, "d": 24 * time.Hour,
	"week": 7 * 24 * time.Hour,
}

func intervalUnit(u string) (time.Duration, bool) {
	if d, ok := intervalUnits[u]; ok {
		return d, true
	}
	d, ok := intervalUnits[strings.TrimSuffix(u, "s")]
	return d, ok
}

// IntervalMicros reads an interval's normalised text ("1 hour",
// "90 minute", as the parser writes it) as microseconds. Its errors wrap
// ErrInvalidArg; the binder adds the interval's position.
func IntervalMicros(text string) (int64, error) {
	f := strings.Fields(strings.ToLower(text))
	if len(f) != 2 {
		return 0, invalidArg(fmt.Sprintf("cannot read interval %q", text))
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, invalidArg(fmt.Sprintf("cannot read interval %q", text))
	}
	d, ok := intervalUnit(f[1])
	if !ok {
		return 0, invalidArg(fmt.Sprintf("unsupported interval unit %q (use microsecond … week)", f[1]))
	}
	return n * d.Microseconds(), nil
}

// ParseDuration reads a positive duration given as a Spark interval string
// ('2 hours', '15 minutes', INTERVAL '1 day') or a Go duration (90m), as
// window sizes, watermark delays and --trigger take them.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSpace(strings.TrimPrefix(t, "interval "))
	t = strings.Trim(t, "'")
	if d, err := time.ParseDuration(t); err == nil && d > 0 {
		return d, nil
	}
	num, unit, ok := strings.Cut(strings.TrimSpace(t), " ")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, fmt.Errorf("bad duration %q: want e.g. '2 hours' or '15 minutes'", s)
	}
	u, ok := intervalUnit(strings.TrimSpace(unit))
	if !ok {
		return 0, fmt.Errorf("bad duration %q: unknown unit %q", s, strings.TrimSpace(unit))
	}
	return time.Duration(n) * u, nil
}

// invalidArg is an ErrInvalidArg whose message is the problem alone, for
// errors the binder shows at a position in the query.
type invalidArg string

func (e invalidArg) Error() string { return string(e) }
func (invalidArg) Unwrap() error   { return ErrInvalidArg }
