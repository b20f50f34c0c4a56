package functions

import (
	"errors"
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	ts := time.Date(2023, 11, 5, 14, 7, 9, 728123456, time.UTC)
	morning := time.Date(2023, 1, 2, 0, 5, 0, 0, time.UTC)
	bc := time.Date(-43, 3, 15, 0, 0, 0, 0, time.UTC) // 44 BC
	cases := []struct {
		t       time.Time
		pattern string
		want    string
	}{
		{ts, "yyyy-MM-dd HH:mm:ss", "2023-11-05 14:07:09"},
		{ts, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-11-05T14:07:09.728Z"},
		{ts, "yy/M/d H:m:s", "23/11/5 14:7:9"},
		{ts, "S SS SSSSSS SSSSSSSSS", "7 72 728123 728123456"},
		{ts, "MMM MMMM LLL", "Nov November Nov"},
		{ts, "E EEE EEEE", "Sun Sun Sunday"},
		{ts, "D DDD", "309 309"},
		{ts, "Q QQ QQQ QQQQ", "4 04 Q4 4th quarter"},
		{ts, "h hh a K k", "2 02 PM 2 14"},
		{morning, "h a K k HH", "12 AM 0 24 00"},
		{ts, "X XX XXX x xx xxx Z ZZZZZ", "Z Z Z +00 +0000 +00:00 +0000 Z"},
		{ts, "z VV O", "UTC UTC GMT"},
		{ts, "'Week of' yyyy", "Week of 2023"},
		{ts, "''yy''", "'23'"},
		{ts, "'it''s' h", "it's 2"},
		{ts, "[yyyy]", "2023"},
		{ts, "yyyy年MM月dd日", "2023年11月05日"},
		{ts, "G", "AD"},
		{bc, "y G", "44 BC"},
		{time.Date(12, 1, 1, 0, 0, 0, 0, time.UTC), "yyyy", "0012"},
		{ts, "", ""},
	}
	for _, c := range cases {
		got, err := FormatTime(c.t, c.pattern)
		if err != nil || got != c.want {
			t.Errorf("FormatTime(%q) = %q, %v; want %q", c.pattern, got, err, c.want)
		}
	}
	for _, bad := range []string{"YYYY", "ww", "u", "e", "'unterminated", "MMMMMM", "ddd", "HHH", "b"} {
		if _, err := FormatTime(ts, bad); !errors.Is(err, ErrBadPattern) {
			t.Errorf("FormatTime(%q) error %v, want ErrBadPattern", bad, err)
		}
	}
}

// TestGoLayout checks the Spark pattern → Go layout translation used for
// parsing, including the patterns it must refuse.
func TestGoLayout(t *testing.T) {
	cases := []struct {
		pattern, layout string
		bad             bool
	}{
		{"yyyy-MM-dd HH:mm:ss", "2006-01-02 15:04:05", false},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2006-01-02T15:04:05.999Z07:00", false},
		{"M/d/yy h:m:s a", "1/2/06 3:4:5 PM", false},
		{"yyyyMMddHHmmss", "20060102150405", false},
		{"EEE, dd MMM yyyy HH:mm:ss Z", "Mon, 02 Jan 2006 15:04:05 -0700", false},
		{"EEEE MMMM d", "Monday January 2", false},
		{"yyyy-DDD", "2006-002", false},
		{"yyyy-MM-dd xxx", "2006-01-02 -07:00", false},
		{"HH:mm z", "15:04 MST", false},
		{"ss SSS", "", true}, // a fraction needs a '.' or ',' before it
		{"QQQ", "", true},
		{"yyyy'-1-'MM", "", true},
		{"yyyy 'Jan'", "", true},
		{"VV", "", true},
		{"kk", "", true},
	}
	for _, c := range cases {
		cp, err := compilePattern(c.pattern)
		if err != nil {
			t.Errorf("compile %q: %v", c.pattern, err)
			continue
		}
		if c.bad {
			if !errors.Is(cp.parseErr, ErrBadPattern) {
				t.Errorf("%q: parse layout %q accepted, want ErrBadPattern", c.pattern, cp.layout)
			}
			continue
		}
		if cp.parseErr != nil || cp.layout != c.layout {
			t.Errorf("%q → %q, %v; want %q", c.pattern, cp.layout, cp.parseErr, c.layout)
		}
	}
}

func TestParseWith(t *testing.T) {
	cases := []struct {
		in, pattern string
		want        string // RFC 3339; "" = no match
	}{
		{"2023-11-25 00:30:05", "yyyy-MM-dd HH:mm:ss", "2023-11-25T00:30:05Z"},
		{"2023-11-25 00:30:05.1", "yyyy-MM-dd HH:mm:ss.SSS", "2023-11-25T00:30:05.1Z"}, // fewer digits than S letters
		{"  2023-11-25  ", "yyyy-MM-dd", "2023-11-25T00:00:00Z"},
		{"Sat, 25 Nov 2023 00:30:05 +0100", "EEE, dd MMM yyyy HH:mm:ss Z", "2023-11-24T23:30:05Z"},
		{"1969-12-31 23:59:59", "yyyy-MM-dd HH:mm:ss", "1969-12-31T23:59:59Z"},
		{"2024-02-29", "yyyy-MM-dd", "2024-02-29T00:00:00Z"},
		{"2023-02-29", "yyyy-MM-dd", ""},
		{"2023-11-25", "yyyy-MM-dd HH:mm", ""},
		{"", "yyyy", ""},
	}
	for _, c := range cases {
		got, ok, err := parseWith(c.in, c.pattern)
		if err != nil {
			t.Errorf("parseWith(%q, %q): %v", c.in, c.pattern, err)
			continue
		}
		if c.want == "" {
			if ok {
				t.Errorf("parseWith(%q, %q) = %s, want no match", c.in, c.pattern, got)
			}
			continue
		}
		if !ok || got.Format(time.RFC3339Nano) != c.want {
			t.Errorf("parseWith(%q, %q) = %s, %v; want %s", c.in, c.pattern, got.Format(time.RFC3339Nano), ok, c.want)
		}
	}
}

func FuzzFormatTime(f *testing.F) {
	for _, s := range []string{"yyyy-MM-dd", "'x''y'", "[HH]:mm", "EEEE QQQQ", "'"} {
		f.Add(s, int64(1700872205728000))
	}
	f.Fuzz(func(t *testing.T, pattern string, us int64) {
		_, _ = FormatTime(time.UnixMicro(us), pattern)
		_, _, _ = parseWith("2023-11-25", pattern)
	})
}
