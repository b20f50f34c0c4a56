package gen

import (
	"regexp"
	"testing"
	"time"
)

func TestAppendTime(t *testing.T) {
	cases := []int64{
		0, 1, 999, 1000, -1, -86_400_000,
		time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC).UnixMilli(),
		time.Date(2020, 2, 29, 23, 59, 59, 999_000_000, time.UTC).UnixMilli(),
		time.Date(2000, 3, 1, 12, 0, 0, 7_000_000, time.UTC).UnixMilli(),
		time.Date(2100, 12, 31, 1, 2, 3, 45_000_000, time.UTC).UnixMilli(),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC).UnixMilli(),
	}
	r := newRNG(1, 1)
	for i := 0; i < 2000; i++ {
		cases = append(cases, r.between(0, 4_102_444_800_000))
	}
	for _, ms := range cases {
		want := time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
		if got := string(appendTime(nil, ms)); got != want {
			t.Fatalf("appendTime(%d) = %s, want %s", ms, got, want)
		}
	}
}

func TestAppendUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	r := newRNG(2, 2)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		u := string(appendUUID([]byte("x"), r.next(), r.next()))[1:]
		if !re.MatchString(u) {
			t.Fatalf("bad UUID %q", u)
		}
		if seen[u] {
			t.Fatalf("UUID %s repeated", u)
		}
		seen[u] = true
	}
}

func TestSplitWeighted(t *testing.T) {
	for _, c := range []struct {
		total int64
		w     []float64
		want  []int64
	}{
		{10, []float64{1, 1, 1}, []int64{4, 3, 3}},
		{0, []float64{1, 2}, []int64{0, 0}},
		{7, []float64{1, 0, 1}, []int64{4, 0, 3}},
		{100, []float64{0.9, 0.1}, []int64{90, 10}},
		{3, []float64{1, 1, 1, 1, 1}, []int64{1, 1, 1, 0, 0}},
	} {
		got := splitWeighted(c.total, c.w)
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("splitWeighted(%d, %v) = %v, want %v", c.total, c.w, got, c.want)
				break
			}
		}
	}
}

func TestQuantileInverse(t *testing.T) {
	for _, off := range []int64{0, 1, 59_999, 60_000, 3_600_000, 43_210_123, msPerDay - 1} {
		q := quantileAt(off)
		if got := offsetAt(q); got < off-2 || got > off+2 {
			t.Errorf("offsetAt(quantileAt(%d)) = %d", off, got)
		}
	}
	if quantileAt(msPerDay) != 1 || offsetAt(1) != msPerDay-1 {
		t.Error("day edges are not closed")
	}
}

func TestUserStable(t *testing.T) {
	var a, b user
	for i := uint32(0); i < 100; i++ {
		makeUser(9, i, &a)
		makeUser(9, i, &b)
		if a != b {
			t.Fatalf("user %d differs between calls", i)
		}
		if a.variant != variantOf(9, i) {
			t.Fatalf("user %d variant disagrees with variantOf", i)
		}
	}
}
