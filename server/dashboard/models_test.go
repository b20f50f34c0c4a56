package dashboard

import (
	"reflect"
	"testing"
)

func TestParseHops(t *testing.T) {
	// Ids may hold what looks like a relation: the ids say where each is.
	odd := "api_route:ns:GET /a -X-> b <-Y- c"
	for _, c := range []struct {
		text string
		ids  []string
		want []hop
	}{
		{"model:a:b", []string{"model:a:b"}, []hop{}},
		{"model:a:b <-VERSION_OF- model_version:a:b@1 -SERVES-> " + odd, []string{"model:a:b", "model_version:a:b@1", odd},
			[]hop{{Rel: "VERSION_OF", To: "model_version:a:b@1"}, {Rel: "SERVES", Down: true, To: odd}}},
		{odd + " <-EXPOSES- deployment:ns:d", []string{odd, "deployment:ns:d"}, []hop{{Rel: "EXPOSES", To: "deployment:ns:d"}}},
		// Text that does not match its ids reads as nothing.
		{"model:a:b -SERVES-> x", []string{"model:a:b", "y"}, nil},
		{"model:a:b -SERVES-> x trailing", []string{"model:a:b", "x"}, nil},
		{"model:a:b", nil, nil},
	} {
		if got := parseHops(c.text, c.ids); !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseHops(%q, %q) = %+v, want %+v", c.text, c.ids, got, c.want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"2019.10", "2019.9", 1},
		{"2019.02", "2018.11", 1},
		{"1.4.2", "1.4.2", 0},
		{"1.4", "1.4.2", -1},
		{"v2", "v10", -1},
		{"1.0.0-rc.1", "1.0.0-rc.2", -1},
		{"abc", "abd", -1},
	} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
