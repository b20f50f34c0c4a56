package functions

import (
	"testing"
	"time"

	"github.com/nectar-dev/nectar/types"
)

// Spark's documented examples assume a session time zone; nectar's is UTC,
// so examples that print local times are restated in UTC.
func TestTimeFunctions(t *testing.T) {
	seg := S("2023-11-25T00:30:05.728Z") // Segment's timestamp shape
	run(t, []evalCase{
		// Casts and parsing.
		{"timestamp", vals(seg), TS("2023-11-25T00:30:05.728Z"), nil},
		{"timestamp", vals(S("not a time")), null, nil},
		{"timestamp", vals(I(1)), TS("1970-01-01T00:00:01Z"), nil},
		{"timestamp", vals(F(-1.5)), TS("1969-12-31T23:59:58.5Z"), nil},
		{"timestamp", vals(D("2024-02-29")), TS("2024-02-29T00:00:00Z"), nil},
		{"timestamp", vals(I(1 << 62)), null, nil},
		{"to_timestamp", vals(S("2016-12-31 00:12:00")), TS("2016-12-31T00:12:00Z"), nil},         // doc
		{"to_timestamp", vals(S("2016-12-31"), S("yyyy-MM-dd")), TS("2016-12-31T00:00:00Z"), nil}, // doc
		{"to_timestamp", vals(S("10/4/2023"), S("M/d/yyyy")), TS("2023-10-04T00:00:00Z"), nil},    // from the Segment sample
		{"to_timestamp", vals(S("25/11/2023 13:05:01.5"), S("dd/MM/yyyy HH:mm:ss.SSS")), TS("2023-11-25T13:05:01.5Z"), nil},
		{"to_timestamp", vals(S("2023-11-25 01:30 PM"), S("yyyy-MM-dd hh:mm a")), TS("2023-11-25T13:30:00Z"), nil},
		{"to_timestamp", vals(S("2023-11-25T08:00:00+08:00"), S("yyyy-MM-dd'T'HH:mm:ssXXX")), TS("2023-11-25T00:00:00Z"), nil},
		{"to_timestamp", vals(S("Nov 25 2023"), S("MMM dd yyyy")), TS("2023-11-25T00:00:00Z"), nil},
		{"to_timestamp", vals(S("20231125"), S("yyyyMMdd")), TS("2023-11-25T00:00:00Z"), nil},
		{"to_timestamp", vals(S("2023-13-01"), S("yyyy-MM-dd")), null, nil},
		{"to_timestamp", vals(S("garbage")), null, nil},
		{"to_timestamp", vals(S("2023"), S("yyyy-ww")), null, ErrBadPattern},
		{"to_timestamp", vals(S("x"), S("QQQ yyyy")), null, ErrBadPattern}, // formatting-only letter
		{"to_timestamp", vals(S("20231"), S("yyyy'1'")), TS("2023-01-01T00:00:00Z"), nil},
		{"to_timestamp", vals(S("Sat 2023"), S("EEE yyyy")), null, ErrBadPattern}, // Spark formats with E but cannot parse it
		{"to_timestamp", vals(TS("2020-01-01T00:00:00Z"), S("yyyy")), TS("2020-01-01T00:00:00Z"), nil},
		{"to_timestamp", vals(I(0)), TS("1970-01-01T00:00:00Z"), nil},
		{"to_date", vals(S("2009-07-30 04:17:52")), D("2009-07-30"), nil},         // doc
		{"to_date", vals(S("2016-12-31"), S("yyyy-MM-dd")), D("2016-12-31"), nil}, // doc
		{"to_date", vals(S("2023-11-25T23:30:00-05:00")), D("2023-11-25"), nil},   // date part, as Spark's cast
		{"to_date", vals(S("2023-1-5")), D("2023-01-05"), nil},
		{"to_date", vals(S("2023-02-30")), null, nil},
		{"to_date", vals(TS("1969-12-31T23:59:59Z")), D("1969-12-31"), nil},
		{"to_date", vals(S("10/4/2023"), S("M/d/yyyy")), D("2023-10-04"), nil},
		{"to_date", vals(S("x"), S("yyyy")), null, nil},
		{"date", vals(seg), D("2023-11-25"), nil},
		// Epoch conversions.
		{"from_unixtime", vals(I(0), S("yyyy-MM-dd HH:mm:ss")), S("1970-01-01 00:00:00"), nil}, // doc, in UTC
		{"from_unixtime", vals(I(0)), S("1970-01-01 00:00:00"), nil},
		{"from_unixtime", vals(I(-1)), S("1969-12-31 23:59:59"), nil},
		{"from_unixtime", vals(F(1.9)), S("1970-01-01 00:00:01"), nil},
		{"from_unixtime", vals(I(1 << 62)), null, nil},
		{"from_unixtime", vals(I(0), S("yyyy-ww")), null, ErrBadPattern},
		{"unix_timestamp", vals(S("2016-04-08"), S("yyyy-MM-dd")), I(1460073600), nil}, // doc, in UTC
		{"unix_timestamp", vals(seg), I(1700872205), nil},
		{"unix_timestamp", vals(TS("1969-12-31T23:59:59.5Z")), I(-1), nil}, // floor, not truncation
		{"unix_timestamp", vals(S("nope"), S("yyyy")), null, nil},
		{"to_unix_timestamp", vals(S("2016-04-08"), S("yyyy-MM-dd")), I(1460073600), nil},   // doc
		{"timestamp_seconds", vals(I(1230219000)), TS("2008-12-25T15:30:00Z"), nil},         // doc
		{"timestamp_seconds", vals(F(1230219000.123)), TS("2008-12-25T15:30:00.123Z"), nil}, // doc
		{"timestamp_seconds", vals(I(1 << 62)), null, nil},
		{"timestamp_millis", vals(I(1230219000123)), TS("2008-12-25T15:30:00.123Z"), nil}, // doc
		{"timestamp_micros", vals(I(1230219000123123)), TS("2008-12-25T15:30:00.123123Z"), nil},
		{"timestamp_micros", vals(I(-1)), TS("1969-12-31T23:59:59.999999Z"), nil},
		{"unix_seconds", vals(S("1970-01-01T00:00:01Z")), I(1), nil}, // doc
		{"unix_seconds", vals(TS("1969-12-31T23:59:59.5Z")), I(-1), nil},
		{"unix_millis", vals(TS("1970-01-01T00:00:01Z")), I(1000), nil},
		{"unix_millis", vals(TS("1969-12-31T23:59:59.9995Z")), I(-1), nil},
		{"unix_micros", vals(TS("1970-01-01T00:00:01Z")), I(1000000), nil},
		{"unix_micros", vals(D("1970-01-02")), I(86400000000), nil},
		{"unix_date", vals(D("1970-01-02")), I(1), nil}, // doc
		{"date_from_unix_date", vals(I(1)), D("1970-01-02"), nil},
		{"date_from_unix_date", vals(I(-1)), D("1969-12-31"), nil},
		// Fields.
		{"year", vals(S("2016-07-30")), I(2016), nil}, // doc
		{"year", vals(TS("1969-12-31T23:59:59Z")), I(1969), nil},
		{"year", vals(D("0001-01-01")), I(1), nil},
		{"quarter", vals(S("2016-08-31")), I(3), nil}, // doc
		{"quarter", vals(D("2016-01-01")), I(1), nil},
		{"quarter", vals(D("2016-12-31")), I(4), nil},
		{"month", vals(S("2016-07-30")), I(7), nil}, // doc
		{"day", vals(S("2009-07-30")), I(30), nil},  // doc
		{"dayofmonth", vals(D("2024-02-29")), I(29), nil},
		{"dayofweek", vals(S("2009-07-30")), I(5), nil}, // doc: Thursday
		{"dayofweek", vals(D("2023-11-26")), I(1), nil}, // Sunday
		{"dayofweek", vals(D("2023-11-25")), I(7), nil}, // Saturday
		{"dayofweek", vals(D("1969-12-29")), I(2), nil}, // Monday before the epoch
		{"weekday", vals(S("2009-07-30")), I(3), nil},   // doc
		{"weekday", vals(D("2023-11-27")), I(0), nil},
		{"weekday", vals(D("1969-12-28")), I(6), nil},
		{"dayofyear", vals(S("2016-04-09")), I(100), nil}, // doc
		{"dayofyear", vals(D("2024-12-31")), I(366), nil},
		{"dayofyear", vals(D("2023-12-31")), I(365), nil},
		{"dayofyear", vals(D("1900-03-01")), I(60), nil},  // 1900 is not a leap year
		{"weekofyear", vals(S("2008-02-20")), I(8), nil},  // doc
		{"weekofyear", vals(D("2021-01-03")), I(53), nil}, // ISO week of the previous year
		{"weekofyear", vals(D("2024-12-30")), I(1), nil},
		{"hour", vals(S("2009-07-30 12:58:59")), I(12), nil}, // doc
		{"hour", vals(seg), I(0), nil},
		{"hour", vals(TS("1969-12-31T23:59:59Z")), I(23), nil},
		{"hour", vals(D("2020-01-01")), I(0), nil},
		{"hour", vals(S("yesterday")), null, nil},
		{"minute", vals(S("2009-07-30 12:58:59")), I(58), nil}, // doc
		{"minute", vals(TS("1969-12-31T23:59:59Z")), I(59), nil},
		{"second", vals(S("2009-07-30 12:58:59")), I(59), nil}, // doc
		{"second", vals(TS("1969-12-31T23:59:59.5Z")), I(59), nil},
		{"second", vals(TS("1969-12-31T23:59:00.5Z")), I(0), nil},
		// Truncation.
		{"date_trunc", vals(S("YEAR"), S("2015-03-05T09:32:05.359")), TS("2015-01-01T00:00:00Z"), nil},               // doc
		{"date_trunc", vals(S("MM"), S("2015-03-05T09:32:05.359")), TS("2015-03-01T00:00:00Z"), nil},                 // doc
		{"date_trunc", vals(S("DD"), S("2015-03-05T09:32:05.359")), TS("2015-03-05T00:00:00Z"), nil},                 // doc
		{"date_trunc", vals(S("HOUR"), S("2015-03-05T09:32:05.359")), TS("2015-03-05T09:00:00Z"), nil},               // doc
		{"date_trunc", vals(S("MILLISECOND"), S("2015-03-05T09:32:05.123456")), TS("2015-03-05T09:32:05.123Z"), nil}, // doc
		{"date_trunc", vals(S("quarter"), S("2015-08-05T09:32:05")), TS("2015-07-01T00:00:00Z"), nil},
		{"date_trunc", vals(S("week"), S("2023-11-26T10:00:00Z")), TS("2023-11-20T00:00:00Z"), nil}, // Sunday → Monday before
		{"date_trunc", vals(S("week"), S("2023-11-27T10:00:00Z")), TS("2023-11-27T00:00:00Z"), nil},
		{"date_trunc", vals(S("week"), D("1970-01-01")), TS("1969-12-29T00:00:00Z"), nil},
		{"date_trunc", vals(S("day"), TS("1969-12-31T23:59:59.9Z")), TS("1969-12-31T00:00:00Z"), nil},
		{"date_trunc", vals(S("minute"), TS("1969-12-31T23:59:59.9Z")), TS("1969-12-31T23:59:00Z"), nil},
		{"date_trunc", vals(S("second"), TS("1969-12-31T23:59:59.9Z")), TS("1969-12-31T23:59:59Z"), nil},
		{"date_trunc", vals(S("microsecond"), TS("1969-12-31T23:59:59.9Z")), TS("1969-12-31T23:59:59.9Z"), nil},
		{"date_trunc", vals(S("fortnight"), seg), null, nil},
		{"trunc", vals(S("2019-08-04"), S("week")), D("2019-07-29"), nil},    // doc
		{"trunc", vals(S("2019-08-04"), S("quarter")), D("2019-07-01"), nil}, // doc
		{"trunc", vals(S("2009-02-12"), S("MM")), D("2009-02-01"), nil},      // doc
		{"trunc", vals(S("2015-10-27"), S("YEAR")), D("2015-01-01"), nil},    // doc
		{"trunc", vals(D("2015-10-27"), S("day")), null, nil},                // not a trunc unit
		{"trunc", vals(D("2015-10-27"), S("hour")), null, nil},
		// Arithmetic.
		{"last_day", vals(S("2009-01-12")), D("2009-01-31"), nil}, // doc
		{"last_day", vals(D("2024-02-10")), D("2024-02-29"), nil},
		{"last_day", vals(D("2023-02-10")), D("2023-02-28"), nil},
		{"last_day", vals(D("1900-02-01")), D("1900-02-28"), nil},
		{"last_day", vals(D("2000-02-01")), D("2000-02-29"), nil},
		{"next_day", vals(S("2015-01-14"), S("TU")), D("2015-01-20"), nil}, // doc
		{"next_day", vals(D("2015-01-20"), S("tuesday")), D("2015-01-27"), nil},
		{"next_day", vals(D("2015-01-20"), S("xx")), null, ErrInvalidArg}, // Spark: ILLEGAL_DAY_OF_WEEK
		{"date_add", vals(S("2016-07-30"), I(1)), D("2016-07-31"), nil},   // doc
		{"date_add", vals(D("2024-02-28"), I(1)), D("2024-02-29"), nil},
		{"date_add", vals(D("1970-01-01"), I(-1)), D("1969-12-31"), nil},
		{"date_add", vals(seg, S("2")), D("2023-11-27"), nil},
		{"dateadd", vals(D("2023-12-31"), I(1)), D("2024-01-01"), nil},
		{"date_sub", vals(S("2016-07-30"), I(1)), D("2016-07-29"), nil}, // doc
		{"date_sub", vals(D("2024-03-01"), I(1)), D("2024-02-29"), nil},
		{"add_months", vals(S("2016-08-31"), I(1)), D("2016-09-30"), nil}, // doc
		{"add_months", vals(D("2024-02-29"), I(12)), D("2025-02-28"), nil},
		{"add_months", vals(D("2024-01-31"), I(1)), D("2024-02-29"), nil},
		{"add_months", vals(D("2024-01-15"), I(-13)), D("2022-12-15"), nil},
		{"add_months", vals(D("1969-12-31"), I(2)), D("1970-02-28"), nil},
		{"add_months", vals(D("2024-01-15"), I(1<<40)), null, nil},
		{"datediff", vals(S("2009-07-31"), S("2009-07-30")), I(1), nil},  // doc
		{"datediff", vals(S("2009-07-30"), S("2009-07-31")), I(-1), nil}, // doc
		{"datediff", vals(TS("2024-03-01T01:00:00Z"), D("2024-02-28")), I(2), nil},
		{"date_diff", vals(D("1970-01-01"), D("1969-12-31")), I(1), nil},
		{"months_between", vals(S("1997-02-28 10:30:00"), S("1996-10-30")), F(3.94959677), nil},                   // doc
		{"months_between", vals(S("1997-02-28 10:30:00"), S("1996-10-30"), B(false)), F(3.9495967741935485), nil}, // doc
		{"months_between", vals(D("2024-02-29"), D("2024-01-31")), F(1), nil},                                     // both month ends
		{"months_between", vals(D("2024-03-15"), D("2024-01-15")), F(2), nil},
		{"months_between", vals(D("2024-01-15"), D("2024-03-15")), F(-2), nil},
		{"make_date", vals(I(2013), I(7), I(15)), D("2013-07-15"), nil}, // doc
		{"make_date", vals(I(2019), I(7), null), null, nil},             // doc
		{"make_date", vals(I(2019), I(13), I(1)), null, ErrInvalidArg},
		{"make_date", vals(I(2023), I(2), I(29)), null, ErrInvalidArg},
		{"make_date", vals(I(2024), I(2), I(29)), D("2024-02-29"), nil},
		{"make_date", vals(I(1969), I(12), I(31)), D("1969-12-31"), nil},
		{"make_timestamp", vals(I(2014), I(12), I(28), I(6), I(30), F(45.887)), TS("2014-12-28T06:30:45.887Z"), nil}, // doc, in UTC
		{"make_timestamp", vals(I(2014), I(12), I(28), I(6), I(30), F(45.887), S("CET")), TS("2014-12-28T05:30:45.887Z"), nil},
		{"make_timestamp", vals(D("2021-07-11")), TS("2021-07-11T00:00:00Z"), nil}, // Spark 4.1: a date's midnight
		{"make_timestamp", vals(D("2021-07-11"), null), null, nil},
		{"try_make_timestamp", vals(D("1970-01-01")), TS("1970-01-01T00:00:00Z"), nil},
		{"try_make_timestamp", vals(I(2021), I(13), I(1), I(0), I(0), I(0)), null, nil}, // out of range: NULL
		{"make_timestamp", vals(I(2021), I(13), I(1), I(0), I(0), I(0)), null, ErrInvalidArg},
		{"make_timestamp", vals(I(2019), I(6), I(30), I(23), I(59), I(60)), TS("2019-07-01T00:00:00Z"), nil}, // doc
		{"make_timestamp", vals(I(2019), I(6), I(30), I(23), I(59), F(60.5)), null, ErrInvalidArg},
		{"make_timestamp", vals(I(2019), I(6), I(30), I(24), I(0), I(0)), null, ErrInvalidArg},
		{"from_utc_timestamp", vals(S("2016-08-31"), S("Asia/Seoul")), TS("2016-08-31T09:00:00Z"), nil}, // doc
		{"from_utc_timestamp", vals(seg, S("America/Los_Angeles")), TS("2023-11-24T16:30:05.728Z"), nil},
		{"from_utc_timestamp", vals(TS("2023-07-01T12:00:00Z"), S("America/Los_Angeles")), TS("2023-07-01T05:00:00Z"), nil}, // DST
		{"from_utc_timestamp", vals(TS("2023-07-01T12:00:00Z"), S("PST")), TS("2023-07-01T05:00:00Z"), nil},
		{"from_utc_timestamp", vals(TS("2023-07-01T12:00:00Z"), S("+05:30")), TS("2023-07-01T17:30:00Z"), nil},
		{"from_utc_timestamp", vals(TS("2023-07-01T12:00:00Z"), S("GMT-8")), TS("2023-07-01T04:00:00Z"), nil},
		{"from_utc_timestamp", vals(TS("2023-07-01T12:00:00Z"), S("UTC")), TS("2023-07-01T12:00:00Z"), nil},
		{"from_utc_timestamp", vals(TS("2023-07-01T12:00:00Z"), S("Mars/Olympus")), null, ErrInvalidArg},
		{"from_utc_timestamp", vals(TS("2023-07-01T12:00:00Z"), S("+25:00")), null, ErrInvalidArg},
		{"to_utc_timestamp", vals(S("2016-08-31"), S("Asia/Seoul")), TS("2016-08-30T15:00:00Z"), nil}, // doc
		{"to_utc_timestamp", vals(TS("2023-07-01T05:00:00Z"), S("America/Los_Angeles")), TS("2023-07-01T12:00:00Z"), nil},
		{"to_utc_timestamp", vals(TS("2023-07-01T05:00:00Z"), S("-0700")), TS("2023-07-01T12:00:00Z"), nil},
		// Formatting.
		{"date_format", vals(S("2016-04-08"), S("y")), S("2016"), nil}, // doc
		{"date_format", vals(seg, S("yyyy-MM-dd HH:mm:ss.SSS")), S("2023-11-25 00:30:05.728"), nil},
		{"date_format", vals(seg, S("EEEE, MMMM d, yyyy h:mm a")), S("Saturday, November 25, 2023 12:30 AM"), nil},
		{"date_format", vals(seg, S("yyyy-ww")), null, ErrBadPattern},
		{"date_format", vals(S("junk"), S("yyyy")), null, nil},
		{"current_timezone", vals(), S("UTC"), nil},
	})
}

func TestVolatileFunctions(t *testing.T) {
	fixed := time.Date(2023, 11, 25, 0, 30, 5, 728000000, time.UTC)
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return fixed }
	run(t, []evalCase{
		{"current_timestamp", vals(), TS("2023-11-25T00:30:05.728Z"), nil},
		{"now", vals(), TS("2023-11-25T00:30:05.728Z"), nil},
		{"current_date", vals(), D("2023-11-25"), nil},
		{"curdate", vals(), D("2023-11-25"), nil},
		{"unix_timestamp", vals(), I(1700872205), nil},
	})
	later := fixed.Add(36 * time.Hour)
	for name, want := range map[string]types.Value{
		"current_timestamp": TS("2023-11-26T12:30:05.728Z"),
		"now":               TS("2023-11-26T12:30:05.728Z"),
		"localtimestamp":    TS("2023-11-26T12:30:05.728Z"),
		"current_date":      D("2023-11-26"),
		"curdate":           D("2023-11-26"),
		"unix_timestamp":    I(1701001805),
	} {
		f, _ := Lookup(name)
		if f.Instant == nil {
			t.Errorf("%s has no Instant", name)
			continue
		}
		if got := f.Instant(later); got != want {
			t.Errorf("%s at %v = %v, want %v", name, later, got, want)
		}
	}
	for _, name := range []string{"date_add", "to_unix_timestamp", "current_timezone"} {
		if f, _ := Lookup(name); f.Instant != nil {
			t.Errorf("%s has an Instant", name)
		}
	}
}

// TestCivilRoundTrip checks the calendar arithmetic against the time
// package over a wide range, including leap days and negative days.
func TestCivilRoundTrip(t *testing.T) {
	for days := int64(-800000); days <= 800000; days += 37 {
		y, m, d := civilFromDays(days)
		want := time.Unix(days*86400, 0).UTC()
		if y != want.Year() || m != int(want.Month()) || d != want.Day() {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", days, y, m, d, want.Format(types.DateLayout))
		}
		if back, ok := daysFromCivil(y, m, d); !ok || back != days {
			t.Fatalf("daysFromCivil(%d-%d-%d) = %d, %v; want %d", y, m, d, back, ok, days)
		}
		wd := int64(want.Weekday()+6) % 7
		if weekday0(days) != wd {
			t.Fatalf("weekday0(%d) = %d, want %d", days, weekday0(days), wd)
		}
	}
	for _, bad := range [][3]int{{2023, 2, 29}, {2023, 0, 1}, {2023, 13, 1}, {2023, 4, 31}, {2023, 1, 0}, {1900, 2, 29}} {
		if _, ok := daysFromCivil(bad[0], bad[1], bad[2]); ok {
			t.Errorf("daysFromCivil%v accepted an impossible date", bad)
		}
	}
}

func BenchmarkHour(b *testing.B) {
	f, _ := Lookup("hour")
	args := vals(S("2023-11-25T00:30:05.728Z"))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Call(args)
	}
}

func BenchmarkDateFormat(b *testing.B) {
	f, _ := Lookup("date_format")
	args := vals(TS("2023-11-25T00:30:05.728Z"), S("yyyy-MM-dd HH:mm"))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Call(args)
	}
}

func TestDatePart(t *testing.T) {
	ts := TS("2023-11-26T13:45:07.5Z") // a Sunday
	run(t, []evalCase{
		{"date_part", vals(S("YEAR"), ts), I(2023), nil},
		{"extract", vals(S("yr"), ts), I(2023), nil},
		{"date_part", vals(S("quarter"), ts), I(4), nil},
		{"date_part", vals(S("MONTH"), ts), I(11), nil},
		{"date_part", vals(S("week"), ts), I(47), nil},
		{"date_part", vals(S("day"), ts), I(26), nil},
		{"date_part", vals(S("dow"), ts), I(1), nil},
		{"date_part", vals(S("yearofweek"), D("2021-01-01")), I(2020), nil}, // Friday of 2020's week 53
		{"date_part", vals(S("YEAROFWEEK"), D("2024-12-30")), I(2025), nil}, // Monday of 2025's week 1
		{"date_part", vals(S("dow_iso"), ts), I(7), nil},
		{"date_part", vals(S("doy"), ts), I(330), nil},
		{"datepart", vals(S("hour"), ts), I(13), nil},
		{"date_part", vals(S("MINUTE"), ts), I(45), nil},
		{"date_part", vals(S("second"), ts), I(7), nil},
		{"date_part", vals(S("year"), S("junk")), null, nil},
		{"date_part", vals(S("fortnight"), ts), null, ErrInvalidArg},
	})
}
