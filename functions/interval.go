package functions

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/types"
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

// AddInterval is x + iv (x - iv when sub), x a DATE, TIMESTAMP or
// interval, giving kind k as the binder typed it: months go to a date or
// timestamp by the calendar, the day clamped to the end of a shorter month
// (Spark's DateAddYMInterval and TimestampAddYMInterval, in UTC); an
// INTERVAL DAY to a date by days (DateAdd); microseconds to a timestamp
// (TimeAdd). A result out of range is ErrOverflow, never a wrapped value.
func AddInterval(x, iv types.Value, k types.Kind, sub bool) (types.Value, error) {
	n := iv.I
	if sub {
		if n == math.MinInt64 || (iv.K.IsYearMonth() && n == math.MinInt32) {
			if x.K.IsInterval() {
				// a - MIN can still fit when a is negative.
				return intervalSub(x, iv, k)
			}
			return types.NullValue, ErrOverflow
		}
		n = -n
	}
	switch {
	case x.K.IsInterval():
		s, ok := types.AddExact(x.I, n)
		if !ok {
			return types.NullValue, ErrOverflow
		}
		return intervalResult(k, s)
	case iv.K.IsYearMonth() && x.K == types.Date:
		d, ok := addMonths(x.I, n)
		if !ok {
			return types.NullValue, ErrOverflow
		}
		return types.DateValue(d), nil
	case iv.K.IsYearMonth():
		days := floorDiv(x.I, types.MicrosPerDay)
		d, ok := addMonths(days, n)
		if ok {
			d, ok = types.MulExact(d, types.MicrosPerDay)
		}
		if ok {
			d, ok = types.AddExact(d, x.I-days*types.MicrosPerDay)
		}
		if !ok {
			return types.NullValue, ErrOverflow
		}
		return types.Value{K: types.Timestamp, I: d}, nil
	case x.K == types.Date:
		return types.DateValue(x.I + n/types.MicrosPerDay), nil
	}
	s, ok := types.AddExact(x.I, n)
	if !ok {
		return types.NullValue, ErrOverflow
	}
	return types.Value{K: types.Timestamp, I: s}, nil
}

func intervalSub(x, iv types.Value, k types.Kind) (types.Value, error) {
	s := x.I - iv.I
	if (x.I >= 0 && iv.I < 0 && s < 0) || (x.I < 0 && iv.I > 0 && s >= 0) {
		return types.NullValue, ErrOverflow
	}
	return intervalResult(k, s)
}

// intervalResult is n as an interval of kind k, ErrOverflow when a
// year-month interval leaves 32 bits.
func intervalResult(k types.Kind, n int64) (types.Value, error) {
	v, err := types.IntervalValue(k, n)
	if err != nil {
		return types.NullValue, fmt.Errorf("%w: %w", ErrOverflow, err)
	}
	return v, nil
}

// MulInterval is iv × num (Spark's MultiplyYMInterval and
// MultiplyDTInterval): exact for an integer, rounded half up for a
// fraction (nectar's DOUBLE stands for Spark's DECIMAL, whose product
// rounds half up).
func MulInterval(iv, num types.Value, k types.Kind) (types.Value, error) {
	if num.K == types.Int {
		p, ok := types.MulExact(iv.I, num.I)
		if !ok {
			return types.NullValue, ErrOverflow
		}
		return intervalResult(k, p)
	}
	return roundedInterval(float64(iv.I)*num.F, k)
}

// DivInterval is iv ÷ num (Spark's DivideYMInterval and
// DivideDTInterval), rounded half up; the caller has refused a zero num.
func DivInterval(iv, num types.Value, k types.Kind) (types.Value, error) {
	if num.K == types.Int {
		if iv.I == math.MinInt64 && num.I == -1 {
			return types.NullValue, ErrOverflow
		}
		q, r := iv.I/num.I, iv.I%num.I
		// Half up, away from zero at the half (LongMath.divide HALF_UP).
		if r != 0 && absU(r)*2 >= absU(num.I) {
			if (r < 0) != (num.I < 0) {
				q--
			} else {
				q++
			}
		}
		return intervalResult(k, q)
	}
	return roundedInterval(float64(iv.I)/num.F, k)
}

func absU(n int64) uint64 {
	if n < 0 {
		return uint64(-n)
	}
	return uint64(n)
}

func roundedInterval(f float64, k types.Kind) (types.Value, error) {
	r := math.Round(f)
	if math.IsNaN(r) || r >= 0x1p63 || r < -0x1p63 {
		return types.NullValue, ErrOverflow
	}
	return intervalResult(k, int64(r))
}

// TimeDiff is a - b of two dates (an INTERVAL DAY) or two timestamps (an
// INTERVAL DAY TO SECOND of their microseconds).
func TimeDiff(a, b types.Value, k types.Kind) (types.Value, error) {
	if a.K == types.Date {
		return types.Value{K: k, I: (a.I - b.I) * types.MicrosPerDay}, nil
	}
	d := a.I - b.I
	if (a.I >= 0 && b.I < 0 && d < 0) || (a.I < 0 && b.I > 0 && d >= 0) {
		return types.NullValue, ErrOverflow
	}
	return types.Value{K: k, I: d}, nil
}

// DatePart is date_part(field, x) typed for its constant field, as
// Spark's Extract is: SECOND of a date or timestamp keeps its fraction
// (Spark: DECIMAL(8,6), nectar's DOUBLE); of an interval, only a field its
// type spans (ExtractIntervalPart): YEAR and MONTH of a year-month
// interval, DAY, HOUR, MINUTE and SECOND of a day-time one, each the
// remainder below the field above it, with the interval's sign. ok is
// false when the catalogue's date_part serves the call as it is.
func DatePart(field string, x types.Kind) (*Func, types.Kind, bool, error) {
	name := extractField(field)
	part := func(k types.Kind, f func(types.Value) types.Value) (*Func, types.Kind, bool, error) {
		return &Func{Name: "date_part", MinArgs: 2, MaxArgs: 2, AliasOf: "date_part",
			Check: func([]types.Kind) (types.Kind, error) { return k, nil },
			Eval:  func(a []types.Value) (types.Value, error) { return f(a[1]), nil },
			Doc:   "date_part for one field"}, k, true, nil
	}
	if !x.IsInterval() {
		if name != "second" {
			return nil, types.Null, false, nil
		}
		return part(types.Float, func(v types.Value) types.Value {
			us, ok := tsArg(v)
			if !ok {
				return types.NullValue
			}
			return types.FloatValue(float64(us-floorDiv(us, 60*microsPerSecond)*60*microsPerSecond) / float64(microsPerSecond))
		})
	}
	s, e := x.IntervalFields()
	spans := func(f types.IntervalField) bool { return s <= f && f <= e }
	switch {
	case x.IsYearMonth() && name == "year" && spans(types.Year):
		return part(types.Int, func(v types.Value) types.Value { return types.IntValue(v.I / 12) })
	case x.IsYearMonth() && name == "month" && spans(types.Month):
		return part(types.Int, func(v types.Value) types.Value { return types.IntValue(v.I % 12) })
	case x.IsDayTime() && name == "day" && spans(types.Day):
		return part(types.Int, func(v types.Value) types.Value { return types.IntValue(v.I / types.MicrosPerDay) })
	case x.IsDayTime() && name == "hour" && spans(types.Hour):
		return part(types.Int, func(v types.Value) types.Value { return types.IntValue(v.I % types.MicrosPerDay / types.MicrosPerHour) })
	case x.IsDayTime() && name == "minute" && spans(types.Minute):
		return part(types.Int, func(v types.Value) types.Value {
			return types.IntValue(v.I % types.MicrosPerHour / types.MicrosPerMinute)
		})
	case x.IsDayTime() && name == "second" && spans(types.Second):
		return part(types.Float, func(v types.Value) types.Value {
			return types.FloatValue(float64(v.I%types.MicrosPerMinute) / float64(types.MicrosPerSecond))
		})
	}
	return nil, types.Null, true, fmt.Errorf("%w: cannot extract %s from %s", ErrArgType, strings.ToUpper(field), x)
}

func init() {
	register(&Func{Name: "make_dt_interval", MinArgs: 0, MaxArgs: 4, Check: fixed(types.DayTime, numArg),
		Doc: "make_dt_interval([days[, hours[, mins[, secs]]]]) → INTERVAL DAY TO SECOND: the sum of its parts, seconds with up to six decimals; one that does not fit is an error",
		Eval: func(a []types.Value) (types.Value, error) {
			units := [...]int64{types.MicrosPerDay, types.MicrosPerHour, types.MicrosPerMinute}
			var total int64
			for i, v := range a {
				var n int64
				ok := true
				if i == 3 {
					// Spark's secs is a DECIMAL(18, 6): exact microseconds.
					f := math.Round(v.AsFloat() * float64(types.MicrosPerSecond))
					ok = !math.IsNaN(f) && f < 0x1p63 && f >= -0x1p63
					n = int64(f)
				} else {
					x, err := ToInt(v)
					n, ok = types.MulExact(x, units[i])
					ok = ok && err == nil
				}
				if ok {
					total, ok = types.AddExact(total, n)
				}
				if !ok {
					return types.NullValue, fmt.Errorf("%w: make_dt_interval: the interval does not fit", ErrOverflow)
				}
			}
			return types.Value{K: types.DayTime, I: total}, nil
		}})
	register(&Func{Name: "make_ym_interval", MinArgs: 0, MaxArgs: 2, Check: fixed(types.YearMonth, numArg),
		Doc: "make_ym_interval([years[, months]]) → INTERVAL YEAR TO MONTH; one past 2^31-1 months is an error",
		Eval: func(a []types.Value) (types.Value, error) {
			var months int64
			for i, v := range a {
				n, err := ToInt(v)
				if err != nil || n > math.MaxInt32 || n < math.MinInt32 {
					return types.NullValue, fmt.Errorf("%w: make_ym_interval: %s is not an INT", ErrOverflow, v)
				}
				if i == 0 {
					n *= 12
				}
				months += n
			}
			return intervalResult(types.YearMonth, months)
		}})
}

// orInterval extends a numeric function's check to an interval argument,
// whose result kind is result(interval kind), or the interval's own kind
// when result is nil.
func orInterval(check func([]types.Kind) (types.Kind, error), result func(types.Kind) types.Kind) func([]types.Kind) (types.Kind, error) {
	return func(args []types.Kind) (types.Kind, error) {
		if len(args) != 1 || !args[0].IsInterval() {
			return check(args)
		}
		if result == nil {
			return args[0], nil
		}
		return result(args[0]), nil
	}
}

// timeUnits are the units of timestampadd and timestampdiff in
// microseconds; the calendar units (months) are 0 here.
var timeUnits = map[string]int64{
	"MICROSECOND": 1, "MILLISECOND": 1000, "SECOND": types.MicrosPerSecond,
	"MINUTE": types.MicrosPerMinute, "HOUR": types.MicrosPerHour,
	"DAY": types.MicrosPerDay, "DAYOFYEAR": types.MicrosPerDay, "WEEK": 7 * types.MicrosPerDay,
	"MONTH": 0, "QUARTER": 0, "YEAR": 0,
}

var monthsIn = map[string]int64{"MONTH": 1, "QUARTER": 3, "YEAR": 12}

func timeUnit(name string, v types.Value) (string, int64, error) {
	u := strings.ToUpper(ToString(v))
	n, ok := timeUnits[u]
	if !ok {
		return "", 0, fmt.Errorf("%w: %s: unknown unit %q (MICROSECOND … YEAR)", ErrInvalidArg, name, ToString(v))
	}
	return u, n, nil
}

func init() {
	register(&Func{Name: "timestampadd", MinArgs: 3, MaxArgs: 3, Check: fixed(types.Timestamp, strArg, numArg, timeArg),
		Doc: "timestampadd(unit, n, ts) → TIMESTAMP: ts plus n units (MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR, DAY, DAYOFYEAR, WEEK, MONTH, QUARTER, YEAR), months by the calendar; also dateadd and date_add with a unit",
		Eval: func(a []types.Value) (types.Value, error) {
			u, per, err := timeUnit("timestampadd", a[0])
			if err != nil {
				return types.NullValue, err
			}
			n, err := ToInt(a[1])
			us, ok := tsArg(a[2])
			if err != nil || !ok {
				return types.NullValue, nil
			}
			if per == 0 {
				months, ok := types.MulExact(n, monthsIn[u])
				if !ok {
					return types.NullValue, ErrOverflow
				}
				return AddInterval(types.Value{K: types.Timestamp, I: us}, types.Value{K: types.YearMonth, I: months}, types.Timestamp, false)
			}
			d, ok := types.MulExact(n, per)
			if !ok {
				return types.NullValue, ErrOverflow
			}
			return AddInterval(types.Value{K: types.Timestamp, I: us}, types.Value{K: types.DayTime, I: d}, types.Timestamp, false)
		}})
	register(&Func{Name: "timestampdiff", MinArgs: 3, MaxArgs: 3, Check: fixed(types.Int, strArg, timeArg, timeArg),
		Doc: "timestampdiff(unit, start, end) → BIGINT: whole units from start to end, months by the calendar (a month is not complete before its day and time come round); also datediff, date_diff and timediff with a unit",
		Eval: func(a []types.Value) (types.Value, error) {
			u, per, err := timeUnit("timestampdiff", a[0])
			if err != nil {
				return types.NullValue, err
			}
			start, ok1 := tsArg(a[1])
			end, ok2 := tsArg(a[2])
			if !ok1 || !ok2 {
				return types.NullValue, nil
			}
			if per == 0 {
				return types.IntValue(monthsUntil(start, end) / monthsIn[u]), nil
			}
			d := end - start
			if (end >= 0 && start < 0 && d < 0) || (end < 0 && start > 0 && d >= 0) {
				return types.NullValue, ErrOverflow
			}
			return types.IntValue(d / per), nil
		}})
}

// monthsUntil is Java's LocalDateTime.until(end, MONTHS), which Spark's
// timestampDiff uses: whole months, the last one complete only once end's
// day and time reach start's.
func monthsUntil(start, end int64) int64 {
	sd, ed := daysOf(start), daysOf(end)
	st, et := start-sd*microsPerDay, end-ed*microsPerDay
	switch {
	case ed > sd && et < st:
		ed--
	case ed < sd && et > st:
		ed++
	}
	packed := func(days int64) int64 {
		y, m, d := civilFromDays(days)
		return (int64(y)*12+int64(m-1))*32 + int64(d)
	}
	return (packed(ed) - packed(sd)) / 32
}

func init() {
	register(&Func{Name: "width_bucket", MinArgs: 4, MaxArgs: 4, Check: widthBucketCheck,
		Doc: "width_bucket(x, lo, hi, n) → BIGINT: which of n equal buckets between lo and hi holds x, 0 below and n+1 above (numbers, or intervals of one family); NULL for n ≤ 0 or lo = hi",
		Eval: func(a []types.Value) (types.Value, error) {
			var f [3]float64
			for i := range f {
				if a[i].K.IsInterval() {
					f[i] = float64(a[i].I)
					continue
				}
				x, err := ToFloat(a[i])
				if err != nil {
					return types.NullValue, nil
				}
				f[i] = x
			}
			n, err := ToInt(a[3])
			if err != nil {
				return types.NullValue, nil
			}
			b, ok := widthBucket(f[0], f[1], f[2], n)
			if !ok {
				return types.NullValue, nil
			}
			return types.IntValue(b), nil
		}})
}

// widthBucketCheck takes three numbers or three intervals of one family,
// and a bucket count.
func widthBucketCheck(args []types.Kind) (types.Kind, error) {
	if args[0].IsInterval() || args[1].IsInterval() || args[2].IsInterval() {
		for i, k := range args[:3] {
			if _, ok := types.WidenInterval(args[0], k); !ok && k != types.Null {
				return types.Null, &ArgTypeError{Arg: i + 1, Want: "an interval of " + args[0].String() + "'s family", Got: k}
			}
		}
		return types.Int, checkArgs(args[3:], numArg)
	}
	return types.Int, checkArgs(args, numArg)
}

// widthBucket is Spark's WidthBucket.computeBucketNumber: buckets count
// from lo toward hi, whichever is larger.
func widthBucket(x, lo, hi float64, n int64) (int64, bool) {
	for _, f := range []float64{x, lo, hi} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
	}
	if n <= 0 || n == math.MaxInt64 || lo == hi {
		return 0, false
	}
	lower, upper := math.Min(lo, hi), math.Max(lo, hi)
	switch {
	case lo < hi && x < lower, lo > hi && x > upper:
		return 0, true
	case lo < hi && x >= upper, lo > hi && x <= lower:
		return n + 1, true
	case lo < hi:
		return int64(float64(n)*(x-lower)/(upper-lower)) + 1, true
	}
	return int64(float64(n)*(upper-x)/(upper-lower)) + 1, true
}
