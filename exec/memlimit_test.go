package exec

import "testing"

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"512MiB": 512 << 20, "4GB": 4e9, "2g": 2 << 30, "1073741824": 1 << 30, " 1.5 KiB ": 1536, "0": 0, "10b": 10,
	} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "x", "12 parsecs", "NaN", "inf", "1e400", "9e18g"} {
		if got, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) = %d, want an error", in, got)
		}
	}
}
