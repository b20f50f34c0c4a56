package functions

import (
	"errors"
	"testing"
	"time"
)

func TestIntervalMicros(t *testing.T) {
	for text, want := range map[string]int64{"1 hour": 3_600_000_000, "90 minute": 5_400_000_000, "2 days": 172_800_000_000, "5 microsecond": 5} {
		if got, err := IntervalMicros(text); err != nil || got != want {
			t.Errorf("IntervalMicros(%q) = %d, %v; want %d", text, got, err, want)
		}
	}
	for _, bad := range []string{"1 month", "hour", "x hour"} {
		if _, err := IntervalMicros(bad); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("IntervalMicros(%q): %v, want ErrInvalidArg", bad, err)
		}
	}
}

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
