package functions

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

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
	unit := strings.TrimSuffix(f[1], "s")
	var d time.Duration
	switch unit {
	case "microsecond":
		return n, nil
	case "millisecond":
		d = time.Millisecond
	case "second":
		d = time.Second
	case "minute":
		d = time.Minute
	case "hour":
		d = time.Hour
	case "day":
		d = 24 * time.Hour
	case "week":
		d = 7 * 24 * time.Hour
	default:
		return 0, invalidArg(fmt.Sprintf("unsupported interval unit %q (use microsecond … week)", f[1]))
	}
	return n * d.Microseconds(), nil
}

// invalidArg is an ErrInvalidArg whose message is the problem alone, for
// errors the binder shows at a position in the query.
type invalidArg string

func (e invalidArg) Error() string { return string(e) }
func (invalidArg) Unwrap() error   { return ErrInvalidArg }
