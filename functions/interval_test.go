package functions

import (
	"testing"
	"time"
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
