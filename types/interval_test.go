package types

import (
	"errors"
	"math"
	"testing"
)

// The texts are Spark 4.2's, from sql-tests/results/interval.sql.out and
// ansi/interval.sql.out.
func TestIntervalText(t *testing.T) {
	dt := func(s, e IntervalField) Kind { return DayTimeKind(s, e) }
	ym := func(s, e IntervalField) Kind { return YearMonthKind(s, e) }
	for _, c := range []struct {
		k          Kind
		in         string
		ansi, hive string
	}{
		{ym(Year, Month), "2-4", "INTERVAL '2-4' YEAR TO MONTH", "2-4"},
		{ym(Year, Month), "-1-1", "INTERVAL '-1-1' YEAR TO MONTH", "-1-1"},
		{ym(Year, Year), "-1", "INTERVAL '-1' YEAR", "-1-0"},
		{ym(Month, Month), "1000", "INTERVAL '1000' MONTH", "83-4"},
		{dt(Day, Second), "1 2:3:4.001", "INTERVAL '1 02:03:04.001' DAY TO SECOND", "1 02:03:04.001000000"},
		{dt(Day, Second), "\n-10 12:34:46.789\t", "INTERVAL '-10 12:34:46.789' DAY TO SECOND", "-10 12:34:46.789000000"},
		{dt(Hour, Hour), "-23", "INTERVAL '-23' HOUR", "-0 23:00:00.000000000"},
		{dt(Second, Second), "54.775807", "INTERVAL '54.775807' SECOND", "0 00:00:54.775807000"},
		{dt(Second, Second), "2", "INTERVAL '02' SECOND", "0 00:00:02.000000000"},
		{dt(Minute, Second), "40:32.99899999", "INTERVAL '40:32.998999' MINUTE TO SECOND", "0 00:40:32.998999000"},
		{dt(Day, Minute), "100 02:10", "INTERVAL '100 02:10' DAY TO MINUTE", "100 02:10:00.000000000"},
		{dt(Hour, Minute), "2562047788:00", "INTERVAL '2562047788:00' HOUR TO MINUTE", "106751991 04:00:00.000000000"},
		{dt(Day, Second), "-106751991 04:00:54.775808", "INTERVAL '-106751991 04:00:54.775808' DAY TO SECOND", "-106751991 04:00:54.775808000"},
		{dt(Day, Second), "INTERVAL '1 02:03:04' DAY TO SECOND", "INTERVAL '1 02:03:04' DAY TO SECOND", "1 02:03:04.000000000"},
	} {
		v, err := ParseInterval(c.in, c.k)
		if err != nil {
			t.Errorf("ParseInterval(%q, %s): %v", c.in, c.k, err)
			continue
		}
		if got := v.String(); got != c.ansi {
			t.Errorf("%q as %s prints %q, want %q", c.in, c.k, got, c.ansi)
		}
		if got := FormatIntervalHive(v); got != c.hive {
			t.Errorf("%q as %s prints %q in Hive style, want %q", c.in, c.k, got, c.hive)
		}
		if back, err := ParseInterval(v.String(), c.k); err != nil || back != v {
			t.Errorf("%s does not read back: %v, %v", v, back, err)
		}
	}
}

func TestIntervalTextRefused(t *testing.T) {
	for _, c := range []struct {
		k  Kind
		in string
	}{
		{YearMonth, "178956970-8"},
		{YearMonthKind(Month, Month), "2147483648"},
		{DayTimeKind(Day, Hour), "106751992 04"},
		{DayTimeKind(Minute, Second), "153722867281:54.775808"},
		{DayTimeKind(Day, Second), "1 24:00:00"},
		{DayTimeKind(Hour, Minute), "1 day"},
		{DayTime, "INTERVAL '1' DAY"},
		{DayTime, "\n-\t10\t 12:34:46.789\t"},
	} {
		if v, err := ParseInterval(c.in, c.k); err == nil {
			t.Errorf("ParseInterval(%q, %s) = %s, want an error", c.in, c.k, v)
		}
	}
}

func TestIntervalKinds(t *testing.T) {
	for s := Day; s <= Second; s++ {
		for e := s; e <= Second; e++ {
			k := DayTimeKind(s, e)
			if back, ok := ParseKind(k.String()); !ok || back != k || !k.IsDayTime() || k.IsYearMonth() {
				t.Errorf("%s: ParseKind gives %v %v", k, back, ok)
			}
		}
	}
	if k, ok := ParseKind("interval year to month"); !ok || k != YearMonth {
		t.Errorf("ParseKind(interval year to month) = %s", k)
	}
	if _, ok := ParseKind("INTERVAL MONTH TO YEAR"); ok {
		t.Error("INTERVAL MONTH TO YEAR read as a type")
	}
	if w := Widen(DayTimeKind(Hour, Hour), DayTimeKind(Day, Minute)); w != DayTimeKind(Day, Minute) {
		t.Errorf("Widen = %s", w)
	}
	if _, err := Cast(IntValue(math.MaxInt64), DayTimeKind(Day, Day)); !errors.Is(err, ErrIntervalOverflow) || !errors.Is(err, ErrCast) {
		t.Errorf("a cast that overflows gives %v", err)
	}
	if v, _ := Cast(Value{K: DayTimeKind(Day, Second), I: 90 * MicrosPerMinute}, DayTimeKind(Hour, Hour)); v.I != MicrosPerHour {
		t.Errorf("cast to INTERVAL HOUR keeps %d µs", v.I)
	}
}
