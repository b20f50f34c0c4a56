package jsonpath

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in        string
		want      Path
		canonical string // "" means in is canonical
	}{
		{in: "event", want: Path{{Key: "event"}}},
		{in: "context.page.url", want: Path{{Key: "context"}, {Key: "page"}, {Key: "url"}}},
		{in: "properties.products[0].price", want: Path{{Key: "properties"}, {Key: "products"}, {Index: 0, IsIndex: true}, {Key: "price"}}},
		{in: "a[1][22]", want: Path{{Key: "a"}, {Index: 1, IsIndex: true}, {Index: 22, IsIndex: true}}},
		{in: "a.`b.c`.d", want: Path{{Key: "a"}, {Key: "b.c"}, {Key: "d"}}},
		{in: "`x[0]`", want: Path{{Key: "x[0]"}}},
		{in: "`it``s`", want: Path{{Key: "it`s"}}},
		{in: "``", want: Path{{Key: ""}}},
		{in: "`plain`", want: Path{{Key: "plain"}}, canonical: "plain"},
		{in: "a[007]", want: Path{{Key: "a"}, {Index: 7, IsIndex: true}}, canonical: "a[7]"},
		{in: "$ weird key", want: Path{{Key: "$ weird key"}}},
		{in: "ünï.ç", want: Path{{Key: "ünï"}, {Key: "ç"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			canon := tt.canonical
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Fatalf("String() = %q, want %q", s, canon)
			}
			again, err := Parse(got.String())
			if err != nil || !again.Equal(got) {
				t.Fatalf("round trip of %q: %v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", ".a", "a.", "a..b", "[0]", "a[", "a[x]", "a[-1]", "a[+1]", "a[]", "a]", "`a", "`a`b", "a[0]b", "a.[0]"} {
		t.Run(in, func(t *testing.T) {
			if p, err := Parse(in); !errors.Is(err, ErrBad) {
				t.Fatalf("Parse(%q) = %v, %v; want ErrBad", in, p, err)
			}
		})
	}
}

func TestPathStringRoundTripKeys(t *testing.T) {
	for _, key := range []string{"", "a.b", "[", "]", "`", "``", "a`.`b", " ", "0", "a b"} {
		p := Path{{Key: "root"}, {Key: key}, {Index: 3, IsIndex: true}}
		got, err := Parse(p.String())
		if err != nil || !got.Equal(p) {
			t.Errorf("key %q: Parse(%q) = %#v, %v", key, p.String(), got, err)
		}
	}
}
