package functions

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA zones must resolve even on hosts without zoneinfo

	"github.com/nectar-dev/nectar/types"
)

// now is the clock behind current_timestamp and friends; tests replace it.
var now = time.Now

// DefaultTimeFormat is Spark's pattern for from_unixtime and unix_timestamp.
const DefaultTimeFormat = "yyyy-MM-dd HH:mm:ss"

func ts(us int64) types.Value   { return types.Value{K: types.Timestamp, I: us} }
func utc(us int64) time.Time    { return time.UnixMicro(us).UTC() }
func daysOf(us int64) int64     { return floorDiv(us, microsPerDay) }
func datev(d int64) types.Value { return types.DateValue(d) }

// tsArg reads a timestamp argument; ok is false for an unparsable string,
// which functions turn into NULL (Spark's behaviour with ANSI mode off).
func tsArg(v types.Value) (int64, bool) {
	t, err := ToTimestamp(v)
	return t.I, err == nil
}

func dateArg(v types.Value) (int64, bool) {
	d, ok := toDate(v)
	return d.I, ok
}

// fieldOutOfBounds is make_date's and make_timestamp's error for a field
// out of range, Spark's DATETIME_FIELD_OUT_OF_BOUNDS under ANSI mode.
func fieldOutOfBounds(a []types.Value) error {
	parts := make([]string, len(a))
	for i, v := range a {
		parts[i] = ToString(v)
	}
	return fmt.Errorf("%w: a date or time field is out of range in (%s) (DATETIME_FIELD_OUT_OF_BOUNDS)", ErrInvalidArg, strings.Join(parts, ", "))
}

// daysFromCivil converts a proleptic Gregorian date to days since the
// epoch, rejecting impossible dates (Howard Hinnant's days_from_civil).
func daysFromCivil(y, m, d int) (int64, bool) {
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := floorDiv(yy, 400)
	yoe := yy - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468, true
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// addMonths is Spark's dateAddMonths (LocalDate.plusMonths): the day is
// clamped to the end of a shorter month.
func addMonths(days, n int64) (int64, bool) {
	y, m, d := civilFromDays(days)
	total := int64(y)*12 + int64(m-1) + n
	if total/12 > math.MaxInt32 || total/12 < math.MinInt32 {
		return 0, false
	}
	ny, nm := int(floorDiv(total, 12)), int(total-floorDiv(total, 12)*12)+1
	return daysFromCivil(ny, nm, min(d, daysIn(ny, nm)))
}

// weekday0 is the day of week with Monday = 0 (the epoch was a Thursday).
func weekday0(days int64) int64 { return (days%7 + 7 + 3) % 7 }

var zoneCache sync.Map // string → *time.Location

// sparkShortZones are the three-letter ids Java resolves via ZoneId.SHORT_IDS
// and Go's tz database lacks.
var sparkShortZones = map[string]string{
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
	"CST": "America/Chicago", "CDT": "America/Chicago",
	"EDT": "America/New_York", "MDT": "America/Denver",
	"AST": "America/Anchorage", "IST": "Asia/Kolkata", "JST": "Asia/Tokyo",
	"AET": "Australia/Sydney", "CET": "Europe/Paris", "ECT": "Europe/Paris",
	"BST": "Asia/Dhaka", "CTT": "Asia/Shanghai", "EST": "-05:00", "MST": "-07:00", "HST": "-10:00",
}

// loadZone resolves an IANA name, a short id, "Z"/"UTC", or an offset such
// as "+08:00", "-0530" or "GMT+8".
func loadZone(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := resolveZone(name)
	if err != nil {
		return nil, fmt.Errorf("%w: unknown time zone %q", ErrInvalidArg, name)
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

func resolveZone(name string) (*time.Location, error) {
	n := strings.TrimSpace(name)
	if alias, ok := sparkShortZones[strings.ToUpper(n)]; ok {
		n = alias
	}
	switch strings.ToUpper(n) {
	case "Z", "UTC", "GMT", "UT":
		return time.UTC, nil
	}
	off := n
	for _, p := range []string{"UTC", "GMT", "UT"} {
		if strings.HasPrefix(strings.ToUpper(off), p) && len(off) > len(p) && (off[len(p)] == '+' || off[len(p)] == '-') {
			off = off[len(p):]
		}
	}
	if off != "" && (off[0] == '+' || off[0] == '-') {
		if secs, ok := parseOffset(off[1:]); ok {
			if off[0] == '-' {
				secs = -secs
			}
			return time.FixedZone(n, secs), nil
		}
		return nil, fmt.Errorf("bad offset %q", n)
	}
	return time.LoadLocation(n)
}

// parseOffset reads "h", "hh", "hh:mm", "hhmm" or "hh:mm:ss" into seconds.
func parseOffset(s string) (int, bool) {
	parts := strings.Split(s, ":")
	if len(parts) == 1 && len(s) == 4 {
		parts = []string{s[:2], s[2:]}
	}
	if len(parts) > 3 {
		return 0, false
	}
	secs := 0
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || len(p) > 2 || (i > 0 && (len(p) != 2 || v > 59)) || (i == 0 && v > 18) {
			return 0, false
		}
		secs += v * [...]int{3600, 60, 1}[i]
	}
	return secs, true
}

// timeOrNumArg is timestamp()'s and to_timestamp()'s input: a time, a
// string, or a number of seconds since the epoch.
func timeOrNumCheck(result types.Kind, rest ...argClass) func([]types.Kind) (types.Kind, error) {
	return func(args []types.Kind) (types.Kind, error) {
		if k := args[0]; k == types.Bool {
			return types.Null, &ArgTypeError{Arg: 1, Want: "a timestamp, date, string or number", Got: k}
		}
		if err := checkArgs(args[1:], rest...); err != nil {
			err.(*ArgTypeError).Arg++
			return types.Null, err
		}
		return result, nil
	}
}

// castTimestamp is CAST(x AS TIMESTAMP) with NULL for failures.
func castTimestamp(v types.Value) (types.Value, bool) {
	if v.K == types.Float && math.Abs(v.F) > 9.2e12 {
		return types.NullValue, false
	}
	if v.K == types.Int && (v.I > math.MaxInt64/microsPerSecond || v.I < math.MinInt64/microsPerSecond) {
		return types.NullValue, false
	}
	r, err := types.Cast(v, types.Timestamp)
	return r, err == nil
}

// parseTimeArg reads to_timestamp's and unix_timestamp's first argument,
// with an optional pattern for strings.
func parseTimeArg(a []types.Value) (int64, bool, error) {
	if len(a) > 1 && a[0].K == types.String {
		t, ok, err := parseWith(a[0].S, ToString(a[1]))
		if !ok {
			return 0, false, err
		}
		return t.UnixMicro(), true, nil
	}
	r, ok := castTimestamp(a[0])
	return r.I, ok, nil
}

func init() {
	currentTimestamp := func(t time.Time) types.Value { return types.TimestampValue(t) }
	register(&Func{Name: "current_timestamp", MinArgs: 0, MaxArgs: 0, Check: fixed(types.Timestamp), Instant: currentTimestamp,
		Doc:  "current_timestamp() → TIMESTAMP: the time the statement started (one value per statement)",
		Eval: func([]types.Value) (types.Value, error) { return currentTimestamp(now()), nil }}, "now", "localtimestamp")
	currentDate := func(t time.Time) types.Value { return datev(floorDiv(t.Unix(), 86400)) }
	register(&Func{Name: "current_date", MinArgs: 0, MaxArgs: 0, Check: fixed(types.Date), Instant: currentDate,
		Doc:  "current_date() → DATE: the day, in UTC, the statement started",
		Eval: func([]types.Value) (types.Value, error) { return currentDate(now()), nil }}, "curdate")
	register(&Func{Name: "current_timezone", MinArgs: 0, MaxArgs: 0, Check: fixed(types.String),
		Doc:  "current_timezone() → STRING: the session time zone, always UTC",
		Eval: func([]types.Value) (types.Value, error) { return str("UTC"), nil }})

	register(&Func{Name: "timestamp", MinArgs: 1, MaxArgs: 1, Check: timeOrNumCheck(types.Timestamp),
		Doc: "timestamp(x) → TIMESTAMP: CAST(x AS TIMESTAMP); numbers are seconds since the epoch; NULL when unparsable",
		Eval: func(a []types.Value) (types.Value, error) {
			r, _ := castTimestamp(a[0])
			return r, nil
		}})
	register(&Func{Name: "to_timestamp", MinArgs: 1, MaxArgs: 2, Check: timeOrNumCheck(types.Timestamp, strArg),
		Doc: "to_timestamp(x[, fmt]) → TIMESTAMP: x parsed as ISO-8601 or with a Spark datetime pattern (fields the text leaves out are those of 1970-01-01 00:00; 'yy' is 2000–2099; optional [sections]; 'E' and 'Q' only format, as in Spark); NULL when unparsable, an error when the text gives one field two values",
		Eval: func(a []types.Value) (types.Value, error) {
			us, ok, err := parseTimeArg(a)
			if !ok {
				return types.NullValue, err
			}
			return ts(us), nil
		}}, "to_timestamp_ntz", "to_timestamp_ltz")
	register(&Func{Name: "to_date", MinArgs: 1, MaxArgs: 2, Check: fixed(types.Date, timeArg, strArg),
		Doc: "to_date(x[, fmt]) → DATE: x's date, parsing strings as ISO-8601 or with a Spark datetime pattern; NULL when unparsable",
		Eval: func(a []types.Value) (types.Value, error) {
			if len(a) > 1 && a[0].K == types.String {
				t, ok, err := parseWith(a[0].S, ToString(a[1]))
				if !ok {
					return types.NullValue, err
				}
				return datev(daysOf(t.UnixMicro())), nil
			}
			d, _ := toDate(a[0])
			return d, nil
		}})
	register(&Func{Name: "date", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Date, timeArg),
		Doc: "date(x) → DATE: CAST(x AS DATE); NULL when unparsable",
		Eval: func(a []types.Value) (types.Value, error) {
			d, _ := toDate(a[0])
			return d, nil
		}})
	register(&Func{Name: "date_format", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, timeArg, strArg),
		Doc: "date_format(ts, fmt) → STRING: ts rendered with a Spark datetime pattern (yyyy MM dd HH mm ss SSS E a …) in UTC",
		Eval: func(a []types.Value) (types.Value, error) {
			us, ok := tsArg(a[0])
			if !ok {
				return types.NullValue, nil
			}
			s, err := FormatTime(utc(us), ToString(a[1]))
			if err != nil {
				return types.NullValue, err
			}
			return str(s), nil
		}})
	register(&Func{Name: "from_unixtime", MinArgs: 1, MaxArgs: 2, Check: fixed(types.String, numArg, strArg),
		Doc: "from_unixtime(secs[, fmt]) → STRING: epoch seconds rendered with fmt (default 'yyyy-MM-dd HH:mm:ss') in UTC",
		Eval: func(a []types.Value) (types.Value, error) {
			secs, err := ToInt(a[0])
			if err != nil || secs > math.MaxInt64/microsPerSecond || secs < math.MinInt64/microsPerSecond {
				return types.NullValue, nil
			}
			pattern := DefaultTimeFormat
			if len(a) > 1 {
				pattern = ToString(a[1])
			}
			s, err := FormatTime(utc(secs*microsPerSecond), pattern)
			if err != nil {
				return types.NullValue, err
			}
			return str(s), nil
		}})
	unixNow := func(t time.Time) types.Value { return types.IntValue(t.Unix()) }
	unixTS := func(a []types.Value) (types.Value, error) {
		if len(a) == 0 {
			return unixNow(now()), nil
		}
		us, ok, err := parseTimeArg(a)
		if !ok {
			return types.NullValue, err
		}
		return types.IntValue(floorDiv(us, microsPerSecond)), nil
	}
	register(&Func{Name: "unix_timestamp", MinArgs: 0, MaxArgs: 2, Check: timeOrNumCheckOpt(types.Int), Instant: unixNow, Eval: unixTS,
		Doc: "unix_timestamp([x[, fmt]]) → BIGINT: epoch seconds of x (ISO-8601, or parsed with fmt), or of the time the statement started"})
	register(&Func{Name: "to_unix_timestamp", MinArgs: 1, MaxArgs: 2, Check: timeOrNumCheckOpt(types.Int), Eval: unixTS,
		Doc: "to_unix_timestamp(x[, fmt]) → BIGINT: epoch seconds of x (ISO-8601, or parsed with fmt)"})

	fromEpoch := func(name, unit string, scale int64, allowFloat bool) {
		register(&Func{Name: name, MinArgs: 1, MaxArgs: 1, Check: fixed(types.Timestamp, numArg),
			Doc: name + "(n) → TIMESTAMP: n " + unit + " after 1970-01-01T00:00:00Z",
			Eval: func(a []types.Value) (types.Value, error) {
				x, ok := numValue(a[0])
				if !ok {
					return types.NullValue, nil
				}
				if x.K == types.Float {
					if !allowFloat {
						x.I = clampInt(x.F)
					} else {
						f := x.F * float64(scale)
						if math.IsNaN(f) || math.Abs(f) >= 9.2e18 {
							return types.NullValue, nil
						}
						return ts(int64(f)), nil
					}
				}
				if x.I > math.MaxInt64/scale || x.I < math.MinInt64/scale {
					return types.NullValue, nil // Spark raises an overflow; NULL keeps the row
				}
				return ts(x.I * scale), nil
			}})
	}
	fromEpoch("timestamp_seconds", "seconds (fractions allowed)", microsPerSecond, true)
	fromEpoch("timestamp_millis", "milliseconds", 1000, false)
	fromEpoch("timestamp_micros", "microseconds", 1, false)
	toEpoch := func(name, unit string, div int64) {
		register(&Func{Name: name, MinArgs: 1, MaxArgs: 1, Check: fixed(types.Int, timeArg),
			Doc: name + "(ts) → BIGINT: " + unit + " since 1970-01-01T00:00:00Z, rounded down",
			Eval: func(a []types.Value) (types.Value, error) {
				us, ok := tsArg(a[0])
				if !ok {
					return types.NullValue, nil
				}
				return types.IntValue(floorDiv(us, div)), nil
			}})
	}
	toEpoch("unix_seconds", "seconds", microsPerSecond)
	toEpoch("unix_millis", "milliseconds", 1000)
	toEpoch("unix_micros", "microseconds", 1)
	register(&Func{Name: "unix_date", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Int, timeArg),
		Doc: "unix_date(d) → BIGINT: days since 1970-01-01",
		Eval: func(a []types.Value) (types.Value, error) {
			d, ok := dateArg(a[0])
			if !ok {
				return types.NullValue, nil
			}
			return types.IntValue(d), nil
		}})
	register(&Func{Name: "date_from_unix_date", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Date, numArg),
		Doc: "date_from_unix_date(n) → DATE: n days after 1970-01-01",
		Eval: func(a []types.Value) (types.Value, error) {
			n, err := ToInt(a[0])
			if err != nil {
				return types.NullValue, nil
			}
			return datev(n), nil
		}})

	// Field extraction. Dates read as their midnight.
	field := func(name, doc string, fn func(us int64) int64, aliases ...string) {
		extractors[name] = fn
		register(&Func{Name: name, MinArgs: 1, MaxArgs: 1, Check: fixed(types.Int, timeArg), Doc: doc,
			Eval: func(a []types.Value) (types.Value, error) {
				us, ok := tsArg(a[0])
				if !ok {
					return types.NullValue, nil
				}
				return types.IntValue(fn(us)), nil
			}}, aliases...)
	}
	field("year", "year(ts) → BIGINT: the year", func(us int64) int64 { y, _, _ := civilFromDays(daysOf(us)); return int64(y) })
	field("quarter", "quarter(ts) → BIGINT: quarter of the year, 1–4", func(us int64) int64 { _, m, _ := civilFromDays(daysOf(us)); return int64(m+2) / 3 })
	field("month", "month(ts) → BIGINT: month, 1–12", func(us int64) int64 { _, m, _ := civilFromDays(daysOf(us)); return int64(m) })
	field("day", "day(ts) → BIGINT: day of month, 1–31", func(us int64) int64 { _, _, d := civilFromDays(daysOf(us)); return int64(d) }, "dayofmonth")
	field("dayofweek", "dayofweek(ts) → BIGINT: 1 = Sunday … 7 = Saturday", func(us int64) int64 { return (weekday0(daysOf(us))+1)%7 + 1 })
	field("weekday", "weekday(ts) → BIGINT: 0 = Monday … 6 = Sunday", func(us int64) int64 { return weekday0(daysOf(us)) })
	extractors["dayofweek_iso"] = func(us int64) int64 { return weekday0(daysOf(us)) + 1 }
	// The ISO-8601 week-based year: the year of the week's Thursday
	// (Spark's YEAROFWEEK).
	extractors["yearofweek"] = func(us int64) int64 {
		y, _ := utc(us).ISOWeek()
		return int64(y)
	}
	field("dayofyear", "dayofyear(ts) → BIGINT: day of the year, 1–366", func(us int64) int64 {
		days := daysOf(us)
		y, _, _ := civilFromDays(days)
		jan1, _ := daysFromCivil(y, 1, 1)
		return days - jan1 + 1
	})
	field("weekofyear", "weekofyear(ts) → BIGINT: ISO-8601 week number, 1–53 (weeks start Monday)", func(us int64) int64 {
		_, w := utc(us).ISOWeek()
		return int64(w)
	})
	field("hour", "hour(ts) → BIGINT: hour of day 0–23, UTC", func(us int64) int64 { return floorDiv(us-daysOf(us)*microsPerDay, 3600*microsPerSecond) })
	field("minute", "minute(ts) → BIGINT: minute of the hour, 0–59", func(us int64) int64 { return (floorDiv(us, 60*microsPerSecond)%60 + 60) % 60 })
	field("second", "second(ts) → BIGINT: second of the minute, 0–59", func(us int64) int64 { return (floorDiv(us, microsPerSecond)%60 + 60) % 60 })

	register(&Func{Name: "date_part", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Int, strArg, timeArg),
		Doc: "date_part(field, ts) → BIGINT: EXTRACT(field FROM ts) for YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DAYOFWEEK_ISO, DOY, YEAROFWEEK (the ISO week-based year), HOUR, MINUTE, SECOND (whole seconds) and Spark's abbreviations",
		Eval: func(a []types.Value) (types.Value, error) {
			fn, ok := extractors[extractField(ToString(a[0]))]
			if !ok {
				return types.NullValue, fmt.Errorf("%w: date_part: unknown field %q", ErrInvalidArg, ToString(a[0]))
			}
			us, ok := tsArg(a[1])
			if !ok {
				return types.NullValue, nil
			}
			return types.IntValue(fn(us)), nil
		}}, "datepart", "extract")
	register(&Func{Name: "date_trunc", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Timestamp, strArg, timeArg),
		Doc: "date_trunc(unit, ts) → TIMESTAMP: ts truncated to 'year', 'quarter', 'month', 'week' (Monday), 'day', 'hour', 'minute', 'second', 'millisecond' or 'microsecond'; NULL for other units",
		Eval: func(a []types.Value) (types.Value, error) {
			us, ok := tsArg(a[1])
			if !ok {
				return types.NullValue, nil
			}
			r, ok := truncTimestamp(us, ToString(a[0]))
			if !ok {
				return types.NullValue, nil
			}
			return ts(r), nil
		}})
	register(&Func{Name: "trunc", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Date, timeArg, strArg),
		Doc: "trunc(d, unit) → DATE: d truncated to 'year', 'quarter', 'month' or 'week' (Monday); NULL for other units",
		Eval: func(a []types.Value) (types.Value, error) {
			d, ok := dateArg(a[0])
			if !ok {
				return types.NullValue, nil
			}
			switch strings.ToUpper(ToString(a[1])) {
			case "YEAR", "YYYY", "YY", "QUARTER", "MONTH", "MON", "MM", "WEEK":
			default:
				return types.NullValue, nil
			}
			r, _ := truncTimestamp(d*microsPerDay, ToString(a[1]))
			return datev(daysOf(r)), nil
		}})
	register(&Func{Name: "last_day", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Date, timeArg),
		Doc: "last_day(d) → DATE: the last day of d's month",
		Eval: func(a []types.Value) (types.Value, error) {
			d, ok := dateArg(a[0])
			if !ok {
				return types.NullValue, nil
			}
			y, m, day := civilFromDays(d)
			return datev(d + int64(daysIn(y, m)-day)), nil
		}})
	register(&Func{Name: "next_day", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Date, timeArg, strArg),
		Doc: "next_day(d, dow) → DATE: the first date after d falling on dow ('Mon', 'tuesday', 'TU', …); an error for an unknown day, as in Spark",
		Eval: func(a []types.Value) (types.Value, error) {
			d, ok := dateArg(a[0])
			want, ok2 := parseDayOfWeek(ToString(a[1]))
			if !ok2 {
				return types.NullValue, fmt.Errorf("%w: [ILLEGAL_DAY_OF_WEEK] next_day: %s is not a day of the week", ErrInvalidArg, quoteSQL(ToString(a[1])))
			}
			if !ok {
				return types.NullValue, nil
			}
			delta := (want - weekday0(d) + 7) % 7
			if delta == 0 {
				delta = 7
			}
			return datev(d + delta), nil
		}})
	dateShift := func(name, doc string, sign int64, aliases ...string) {
		register(&Func{Name: name, MinArgs: 2, MaxArgs: 2, Check: func(args []types.Kind) (types.Kind, error) {
			// Spark takes the days as an INT (or text holding one), not
			// a fraction: date_add(d, 1.0) is a DATATYPE_MISMATCH.
			if len(args) > 1 && args[1] == types.Float {
				return types.Null, &ArgTypeError{Arg: 2, Want: "an integer number of days", Got: args[1]}
			}
			return fixed(types.Date, timeArg, numArg)(args)
		}, Doc: doc,
			Eval: func(a []types.Value) (types.Value, error) {
				d, ok := dateArg(a[0])
				n, err := ToInt(a[1])
				if !ok || err != nil {
					return types.NullValue, nil
				}
				return datev(d + sign*n), nil
			}}, aliases...)
	}
	dateShift("date_add", "date_add(d, n) → DATE: n days after d", 1, "dateadd")
	dateShift("date_sub", "date_sub(d, n) → DATE: n days before d", -1)
	register(&Func{Name: "add_months", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Date, timeArg, numArg),
		Doc: "add_months(d, n) → DATE: n months after d, clamping the day to the end of a shorter month",
		Eval: func(a []types.Value) (types.Value, error) {
			d, ok := dateArg(a[0])
			n, err := ToInt(a[1])
			if !ok || err != nil {
				return types.NullValue, nil
			}
			r, ok := addMonths(d, n)
			if !ok {
				return types.NullValue, nil
			}
			return datev(r), nil
		}})
	register(&Func{Name: "datediff", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Int, timeArg),
		Doc: "datediff(end, start) → BIGINT: days from start to end",
		Eval: func(a []types.Value) (types.Value, error) {
			e, ok1 := dateArg(a[0])
			s, ok2 := dateArg(a[1])
			if !ok1 || !ok2 {
				return types.NullValue, nil
			}
			return types.IntValue(e - s), nil
		}}, "date_diff")
	register(&Func{Name: "months_between", MinArgs: 2, MaxArgs: 3, Check: fixed(types.Float, timeArg, timeArg, boolArg),
		Doc: "months_between(t1, t2[, roundOff]) → DOUBLE: months from t2 to t1, fractional by 31-day months, rounded to 8 digits unless roundOff is false",
		Eval: func(a []types.Value) (types.Value, error) {
			t1, ok1 := tsArg(a[0])
			t2, ok2 := tsArg(a[1])
			if !ok1 || !ok2 {
				return types.NullValue, nil
			}
			return types.FloatValue(monthsBetween(t1, t2, len(a) < 3 || a[2].Bool())), nil
		}})
	register(&Func{Name: "make_date", MinArgs: 3, MaxArgs: 3, Check: fixed(types.Date, numArg),
		Doc: "make_date(y, m, d) → DATE: the date; a field out of range is an error (Spark's ANSI DATETIME_FIELD_OUT_OF_BOUNDS)",
		Eval: func(a []types.Value) (types.Value, error) {
			var f [3]int64
			for i := range f {
				v, err := ToInt(a[i])
				if err != nil || v > math.MaxInt32 || v < math.MinInt32 {
					return types.NullValue, fieldOutOfBounds(a)
				}
				f[i] = v
			}
			d, ok := daysFromCivil(int(f[0]), int(f[1]), int(f[2]))
			if !ok {
				return types.NullValue, fieldOutOfBounds(a)
			}
			return datev(d), nil
		}})
	makeTimestamp := &Func{Name: "make_timestamp", MinArgs: 1, MaxArgs: 7, Check: makeTimestampCheck,
		Doc: "make_timestamp(y, mo, d, h, mi, s[, tz]) → TIMESTAMP: s may have a fraction; wall time in tz (default UTC); a field out of range is an error, as in Spark's ANSI mode (60 seconds with no fraction is the next minute). make_timestamp(date) is the date's midnight; a TIME second argument is not supported (nectar has no TIME type), NULL only",
		Eval: func(a []types.Value) (types.Value, error) {
			if len(a) <= 3 {
				// make_timestamp(date[, time[, tz]]): only a NULL time
				// reaches here, and NULLs give NULL before Eval.
				d, _ := dateArg(a[0])
				return ts(d * microsPerDay), nil
			}
			var f [5]int64
			for i := range f {
				v, err := ToInt(a[i])
				if err != nil || v > math.MaxInt32 || v < math.MinInt32 {
					return types.NullValue, fieldOutOfBounds(a)
				}
				f[i] = v
			}
			sec, err := ToFloat(a[5])
			if err != nil || !(sec >= 0 && sec <= 60) || f[3] < 0 || f[3] > 23 || f[4] < 0 || f[4] > 59 {
				return types.NullValue, fieldOutOfBounds(a)
			}
			// Spark accepts 60 seconds only with no fraction, meaning the next minute.
			if sec == 60 {
				sec, f[4] = 0, f[4]+1
			} else if sec >= 60 {
				return types.NullValue, fieldOutOfBounds(a)
			}
			d, ok := daysFromCivil(int(f[0]), int(f[1]), int(f[2]))
			if !ok {
				return types.NullValue, fieldOutOfBounds(a)
			}
			us := d*microsPerDay + (f[3]*3600+f[4]*60)*microsPerSecond + int64(math.Round(sec*1e6))
			if len(a) > 6 {
				loc, err := loadZone(ToString(a[6]))
				if err != nil {
					return types.NullValue, err
				}
				us = wallToUTC(us, loc)
			}
			return ts(us), nil
		}}
	register(makeTimestamp)
	register(&Func{Name: "try_make_timestamp", MinArgs: 1, MaxArgs: 7, Check: makeTimestampCheck,
		Doc: "try_make_timestamp(…) → TIMESTAMP: make_timestamp, with NULL where a field is out of range",
		Eval: func(a []types.Value) (types.Value, error) {
			v, err := makeTimestamp.Eval(a)
			if err != nil && errors.Is(err, ErrInvalidArg) && !strings.Contains(err.Error(), "time zone") {
				return types.NullValue, nil
			}
			return v, err
		}})
	register(&Func{Name: "from_utc_timestamp", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Timestamp, timeArg, strArg),
		Doc: "from_utc_timestamp(ts, tz) → TIMESTAMP: the wall-clock time in zone tz (IANA name or offset) at UTC instant ts",
		Eval: func(a []types.Value) (types.Value, error) {
			us, loc, ok, err := tsInZone(a)
			if !ok || err != nil {
				return types.NullValue, err
			}
			_, off := time.UnixMicro(us).In(loc).Zone()
			return ts(us + int64(off)*microsPerSecond), nil
		}})
	register(&Func{Name: "to_utc_timestamp", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Timestamp, timeArg, strArg),
		Doc: "to_utc_timestamp(ts, tz) → TIMESTAMP: the UTC instant of wall-clock time ts in zone tz",
		Eval: func(a []types.Value) (types.Value, error) {
			us, loc, ok, err := tsInZone(a)
			if !ok || err != nil {
				return types.NullValue, err
			}
			return ts(wallToUTC(us, loc)), nil
		}})
}

// extractors maps a field function's name (year, hour, …) to its body, so
// date_part shares them.
var extractors = map[string]func(us int64) int64{}

// extractField maps Spark's EXTRACT field names and abbreviations to the
// field function names.
func extractField(f string) string {
	switch strings.ToUpper(strings.TrimSpace(f)) {
	case "YEAR", "Y", "YEARS", "YR", "YRS":
		return "year"
	case "QUARTER", "QTR":
		return "quarter"
	case "MONTH", "MON", "MONS", "MONTHS":
		return "month"
	case "WEEK", "W", "WEEKS":
		return "weekofyear"
	case "DAY", "D", "DAYS":
		return "day"
	case "DAYOFWEEK", "DOW":
		return "dayofweek"
	case "DAYOFWEEK_ISO", "DOW_ISO":
		return "dayofweek_iso"
	case "YEAROFWEEK":
		return "yearofweek"
	case "DOY":
		return "dayofyear"
	case "HOUR", "H", "HOURS", "HR", "HRS":
		return "hour"
	case "MINUTE", "M", "MIN", "MINS", "MINUTES":
		return "minute"
	case "SECOND", "S", "SEC", "SECONDS", "SECS":
		return "second"
	}
	return ""
}

// timeOrNumCheckOpt is timeOrNumCheck for functions whose first argument
// is optional.
func timeOrNumCheckOpt(result types.Kind) func([]types.Kind) (types.Kind, error) {
	inner := timeOrNumCheck(result, strArg)
	return func(args []types.Kind) (types.Kind, error) {
		if len(args) == 0 {
			return result, nil
		}
		return inner(args)
	}
}

// wallToUTC reads us as a wall-clock time in loc and returns the instant.
func wallToUTC(us int64, loc *time.Location) int64 {
	t := utc(us)
	w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	return w.UnixMicro()
}

// truncTimestamp implements date_trunc's units, case-insensitively.
func truncTimestamp(us int64, unit string) (int64, bool) {
	floorTo := func(step int64) (int64, bool) { return floorDiv(us, step) * step, true }
	switch strings.ToUpper(unit) {
	case "MICROSECOND":
		return us, true
	case "MILLISECOND":
		return floorTo(1000)
	case "SECOND":
		return floorTo(microsPerSecond)
	case "MINUTE":
		return floorTo(60 * microsPerSecond)
	case "HOUR":
		return floorTo(3600 * microsPerSecond)
	case "DAY", "DD":
		return floorTo(microsPerDay)
	case "WEEK":
		d := daysOf(us)
		return (d - weekday0(d)) * microsPerDay, true
	}
	y, m, _ := civilFromDays(daysOf(us))
	switch strings.ToUpper(unit) {
	case "MONTH", "MON", "MM":
	case "QUARTER":
		m = (m-1)/3*3 + 1
	case "YEAR", "YYYY", "YY":
		m = 1
	default:
		return 0, false
	}
	d, _ := daysFromCivil(y, m, 1)
	return d * microsPerDay, true
}

// monthsBetween follows Spark's DateTimeUtils.monthsBetween: whole months
// when both days of month match or both are month ends, else the day and
// time difference counts in 31-day months.
func monthsBetween(t1, t2 int64, roundOff bool) float64 {
	d1, d2 := daysOf(t1), daysOf(t2)
	y1, m1, day1 := civilFromDays(d1)
	y2, m2, day2 := civilFromDays(d2)
	monthDiff := float64((y1*12 + m1) - (y2*12 + m2))
	end1 := day1 == daysIn(y1, m1)
	end2 := day2 == daysIn(y2, m2)
	if day1 == day2 || (end1 && end2) {
		return monthDiff
	}
	sec1 := (t1 - d1*microsPerDay) / microsPerSecond
	sec2 := (t2 - d2*microsPerDay) / microsPerSecond
	secDiff := int64(day1-day2)*86400 + sec1 - sec2
	diff := monthDiff + float64(secDiff)/float64(31*86400)
	if roundOff {
		return math.Floor(diff*1e8+0.5) / 1e8 // Java's Math.round
	}
	return diff
}

// parseDayOfWeek reads next_day's day names as Spark does: two- and
// three-letter abbreviations or the full name, any case.
func parseDayOfWeek(s string) (int64, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "MO", "MON", "MONDAY":
		return 0, true
	case "TU", "TUE", "TUESDAY":
		return 1, true
	case "WE", "WED", "WEDNESDAY":
		return 2, true
	case "TH", "THU", "THURSDAY":
		return 3, true
	case "FR", "FRI", "FRIDAY":
		return 4, true
	case "SA", "SAT", "SATURDAY":
		return 5, true
	case "SU", "SUN", "SUNDAY":
		return 6, true
	}
	return 0, false
}

// tsInZone reads the (ts, zone) arguments of from_utc_timestamp and
// to_utc_timestamp; ok is false when ts is not a timestamp (NULL result).
func tsInZone(a []types.Value) (us int64, loc *time.Location, ok bool, err error) {
	if us, ok = tsArg(a[0]); !ok {
		return 0, nil, false, nil
	}
	loc, err = loadZone(ToString(a[1]))
	return us, loc, err == nil, err
}

// makeTimestampCheck types make_timestamp's two forms: six or seven
// numbers (with a zone), or Spark 4.1's date[, time[, zone]], whose TIME
// nectar does not have (a NULL is accepted).
func makeTimestampCheck(args []types.Kind) (types.Kind, error) {
	switch len(args) {
	case 4, 5:
		return types.Null, fmt.Errorf("%w: make_timestamp takes a date[, time[, zone]] or 6 or 7 fields, got %d arguments", ErrArgCount, len(args))
	case 6, 7:
		return fixed(types.Timestamp, numArg, numArg, numArg, numArg, numArg, numArg, strArg)(args)
	}
	if k := args[0]; k != types.Date && k != types.Null {
		return types.Null, &ArgTypeError{Arg: 1, Want: "a DATE", Got: k}
	}
	if len(args) > 1 && args[1] != types.Null {
		return types.Null, &ArgTypeError{Arg: 2, Want: "a TIME, which nectar does not have (only NULL)", Got: args[1]}
	}
	if len(args) > 2 {
		if err := checkArgs(args[2:], strArg); err != nil {
			err.(*ArgTypeError).Arg = 3
			return types.Null, err
		}
	}
	return types.Timestamp, nil
}
