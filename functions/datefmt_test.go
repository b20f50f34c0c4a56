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

// TestParsePatterns checks which patterns parse and which are refused
// for parsing, as Spark refuses them.
func TestParsePatterns(t *testing.T) {
	cases := []struct {
		pattern string
		bad     bool
	}{
		{"yyyy-MM-dd HH:mm:ss", false},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", false},
		{"M/d/yy h:m:s a", false},
		{"yyyyMMddHHmmss", false},
		{"dd MMM yyyy HH:mm:ss Z", false},
		{"yyyy-DDD", false},
		{"HH:mm z", false},
		{"ss SSS", false},
		{"kk VV", false},
		{"yyyy'-1-'MM", false},
		{"QQQ", true},
		{"EEE, dd MMM yyyy", true}, // Spark formats with 'E' but cannot parse it
		{"dd MMMMM", true},
		{"yyyy]", true},
		{"yyyy[MM", true},
	}
	for _, c := range cases {
		cp, err := compilePattern(c.pattern)
		if err != nil {
			t.Errorf("compile %q: %v", c.pattern, err)
			continue
		}
		if c.bad != (cp.parseErr != nil) || (c.bad && !errors.Is(cp.parseErr, ErrBadPattern)) {
			t.Errorf("%q: parse error %v, want refused %v", c.pattern, cp.parseErr, c.bad)
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
		{"25 Nov 2023 00:30:05 +0100", "dd MMM yyyy HH:mm:ss Z", "2023-11-24T23:30:05Z"},
		{"2023-11-25 01:30 pm", "yyyy-MM-dd hh:mm a", "2023-11-25T13:30:00Z"},
		{"2023-11-25T08:00:00+08:00", "yyyy-MM-dd'T'HH:mm:ssXXX", "2023-11-25T00:00:00Z"},
		{"2023-11-25T08:00:00Z", "yyyy-MM-dd'T'HH:mm:ssXXX", "2023-11-25T08:00:00Z"},
		{"2023-11-25 08:00 GMT+8", "yyyy-MM-dd HH:mm O", "2023-11-25T00:00:00Z"},
		{"2023-11-25 08:00 Asia/Tokyo", "yyyy-MM-dd HH:mm VV", "2023-11-24T23:00:00Z"},
		// The cases of Spark's datetime-parsing.sql and timestamp.sql
		// (Apache Spark, Apache License 2.0).
		{"1", "y", "0001-01-01T00:00:00Z"},
		{"009999", "y", "9999-01-01T00:00:00Z"},
		{"00", "yy", "2000-01-01T00:00:00Z"},
		{"99", "yy", "2099-01-01T00:00:00Z"},
		{"009999", "yyy", "9999-01-01T00:00:00Z"},
		{"09999", "yyyyy", "9999-01-01T00:00:00Z"},
		{"12345", "yyyy", ""},
		{"300", "D", "1970-10-27T00:00:00Z"},
		{"100", "DD", "1970-04-10T00:00:00Z"},
		{"365", "DDD", "1970-12-31T00:00:00Z"},
		{"31-365", "dd-DDD", "1970-12-31T00:00:00Z"},
		{"2020-365", "yyyy-DDD", "2020-12-30T00:00:00Z"},
		{"2020-12-350", "yyyy-MM-DDD", "2020-12-15T00:00:00Z"},
		{"16", "dd", "1970-01-16T00:00:00Z"},
		{"02-29", "MM-dd", ""}, // 1970 has no 29 February
		{"2019 10:10:10", "yyyy hh:mm:ss", "2019-01-01T10:10:10Z"},
		{"2019-10-06 10:11", "yyyy-MM-dd HH:mm[:ss.SSSSSS]", "2019-10-06T10:11:00Z"},
		{"2019-10-06 10:11:12.12", "yyyy-MM-dd HH:mm[:ss.SSSSSS]", "2019-10-06T10:11:12.12Z"},
		{"2019-10-06 10:11:12.1", "yyyy-MM-dd HH:mm:ss.SSSSSS[zzz]", "2019-10-06T10:11:12.1Z"},
		{"2019-10-06 10:11:12.12345CST", "yyyy-MM-dd HH:mm:ss.SSSSSS[zzz]", "2019-10-06T15:11:12.12345Z"},
		{"2019-10-06 10:11:12.1234567PST", "yyyy-MM-dd HH:mm:ss.SSSSSS[zzz]", ""},
		{"2019-10-06 10:11:12.", "yyyy-MM-dd HH:mm:ss.SSSSSS[zzz]", ""},
		{"12.12342019-10-06S10:11", "ss.SSSSyyyy-MM-dd'S'HH:mm", "2019-10-06T10:11:12.1234Z"},
		{"12.1234019-10-06S10:11", "ss.SSSSy-MM-dd'S'HH:mm", "0019-10-06T10:11:12.1234Z"},
		{"12.1232019-10-06S10:11", "ss.SSSSyyyy-MM-dd'S'HH:mm", ""},
		{"123456 2019-10-06 10:11:12.123456", "SSSSSS yyyy-MM-dd HH:mm:ss.SSSSSS", "2019-10-06T10:11:12.123456Z"},
		{"2019-10-06T10:11:12'12", "yyyy-MM-dd'T'HH:mm:ss''SSSS", "2019-10-06T10:11:12.12Z"},
		{"0100 BC", "yyyy G", "-0099-01-01T00:00:00Z"},
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

// TestParseConflicts checks that a field given twice with two values, or
// a day of the year against its month, is an error, as in Spark.
func TestParseConflicts(t *testing.T) {
	for _, c := range [][2]string{
		{"223456 2019-10-06 10:11:12.123456", "SSSSSS yyyy-MM-dd HH:mm:ss.SSSSSS"},
		{"2020-11-350", "yyyy-MM-DDD"},
		{"2020-11-12 2020-11-13", "yyyy-MM-dd[ yyyy-MM-dd]"},
	} {
		if got, ok, err := parseWith(c[0], c[1]); ok || !errors.Is(err, ErrInvalidArg) {
			t.Errorf("parseWith(%q, %q) = %s, %v, %v; want ErrInvalidArg", c[0], c[1], got, ok, err)
		}
	}
}

func FuzzFormatTime(f *testing.F) {
	for _, s := range []string{"yyyy-MM-dd", "'x''y'", "[HH]:mm", "EEEE QQQQ", "'"} {
		f.Add(s, int64(1700872205728000))
	}
	for _, s := range []string{"yyyy-MM-dd HH:mm[:ss.SSSSSS][zzz]", "ss.SSSSy-MM-dd'S'HH:mm", "DDD", "yy G", "h:mm a VV", "xxx XXXXX O"} {
		f.Add(s, int64(-62135596800000000))
	}
	f.Fuzz(func(t *testing.T, pattern string, us int64) {
		s, err := FormatTime(time.UnixMicro(us), pattern)
		_, _, _ = parseWith("2023-11-25", pattern)
		if err == nil {
			// What a pattern writes it reads back without panicking.
			_, _, _ = parseWith(s, pattern)
		}
	})
}
