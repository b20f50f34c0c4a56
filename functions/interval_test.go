package functions

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/types"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"2 hours", 2 * time.Hour}, {"15 minutes", 15 * time.Minute}, {"1 day", 24 * time.Hour},
		{"INTERVAL '30 seconds'", 30 * time.Second}, {"90m", 90 * time.Minute}, {"500 ms", 500 * time.Millisecond},
		{"10 fortnights", 0}, {"-1 hour", 0}, {"", 0},
	} {
		got, err := ParseDuration(tc.in)
		if got != tc.want || (err != nil) != (tc.want == 0) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestAddIntervalOverflows(t *testing.T) {
	ts := types.Value{K: types.Timestamp, I: 0}
	for _, iv := range []types.Value{
		{K: types.YearMonth, I: math.MaxInt32},
		{K: types.DayTime, I: math.MaxInt64},
	} {
		if _, err := AddInterval(types.Value{K: types.Timestamp, I: math.MaxInt64 / 2}, iv, types.Timestamp, false); !errors.Is(err, ErrOverflow) {
			t.Errorf("far timestamp + %s: %v, want ErrOverflow", iv, err)
		}
	}
	if v, err := AddInterval(types.Value{K: types.Timestamp, I: 30 * types.MicrosPerDay}, types.Value{K: types.YearMonth, I: 1}, types.Timestamp, false); err != nil || v.I != (31+27)*types.MicrosPerDay {
		t.Errorf("1970-01-31 + 1 month = %v, %v; want 1970-02-28", v, err)
	}
	if _, err := AddInterval(ts, types.Value{K: types.DayTime, I: math.MinInt64}, types.Timestamp, true); !errors.Is(err, ErrOverflow) {
		t.Errorf("ts - MIN: %v, want ErrOverflow", err)
	}
	if v, err := AddInterval(types.Value{K: types.DayTime, I: -1}, types.Value{K: types.DayTime, I: math.MinInt64}, types.DayTime, true); err != nil || v.I != math.MaxInt64 {
		t.Errorf("-1 - MIN = %v, %v; want MAX", v, err)
	}
}

func TestDivIntervalRoundsHalfUp(t *testing.T) {
	for _, c := range []struct{ n, d, want int64 }{{3, 2, 2}, {-3, 2, -2}, {5, 4, 1}, {-5, 4, -1}, {7, -2, -4}} {
		v, err := DivInterval(types.Value{K: types.DayTime, I: c.n}, types.IntValue(c.d), types.DayTime)
		if err != nil || v.I != c.want {
			t.Errorf("%d / %d = %v, %v; want %d", c.n, c.d, v, err, c.want)
		}
	}
}

func TestMonthsUntil(t *testing.T) {
	day := func(y, m, d int) int64 { n, _ := daysFromCivil(y, m, d); return n * microsPerDay }
	for _, c := range []struct {
		a, b int64
		want int64
	}{
		{day(2022, 1, 31), day(2022, 2, 28), 0},
		{day(2022, 1, 28), day(2022, 2, 28), 1},
		{day(2022, 2, 14) + 3600e6, day(2022, 1, 14), -1},
		{day(2022, 2, 14) + 3600e6, day(2022, 3, 14), 0},
	} {
		if got := monthsUntil(c.a, c.b); got != c.want {
			t.Errorf("monthsUntil = %d, want %d", got, c.want)
		}
	}
}

// Spark's documented examples of width_bucket.
func TestWidthBucket(t *testing.T) {
	for _, c := range []struct {
		x, lo, hi float64
		n, want   int64
	}{{5.3, 0.2, 10.6, 5, 3}, {-2.1, 1.3, 3.4, 3, 0}, {8.1, 0.0, 5.7, 4, 5}, {-0.9, 5.2, 0.5, 2, 3}} {
		if got, ok := widthBucket(c.x, c.lo, c.hi, c.n); !ok || got != c.want {
			t.Errorf("width_bucket(%v, %v, %v, %d) = %d, %v; want %d", c.x, c.lo, c.hi, c.n, got, ok, c.want)
		}
	}
	if _, ok := widthBucket(1, 2, 2, 3); ok {
		t.Error("lo = hi gave a bucket")
	}
}
