package server

import "testing"

func TestLike(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"%", "", true},
		{"%", "events", true},
		{"", "", true},
		{"", "x", false},
		{"ev%", "events", true},
		{"ev%", "sevents", false},
		{"%nts", "events", true},
		{"e_ents", "events", true},
		{"e_ents", "eents", false},
		{"%v%t%", "events", true},
		{"%x%", "events", false},
		{"events", "Events", false},
		{`ev\_%`, "ev_x", true},
		{`ev\_%`, "evax", false},
		{`100\%`, "100%", true},
		{"%a%a", "banana", true},
		{"%a%b", "banana", false},
		{"ü%", "über", true},
	} {
		if got := like(c.pattern, c.s); got != c.want {
			t.Errorf("like(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}
