package shell

import (
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"", true},
		{"   \n", true},
		{"SELECT 1;", true},
		{"SELECT 1", false},
		{"SELECT 1;  -- done", true},
		{"SELECT 1; /* done */", true},
		{"SELECT 1 -- ends here;", false},
		{"SELECT ';'", false},
		{"SELECT ';' ;", true},
		{"SELECT 'it''s;'", false},
		{`SELECT 'a\';'`, false},
		{`SELECT 'a\'';`, true},
		{`SELECT "x;" AS s;`, true},
		{"SELECT `a;b`", false},
		{"SELECT `a;b`;", true},
		{"SELECT 1 /* a /* nested; */ still; */", false},
		{"SELECT 1 /* a /* nested */ */;", true},
		{"SELECT 'open;", false},
		{"SELECT 1; SELECT 2", false},
		{"SELECT 1;\nSELECT 2;", true},
		{"FROM t\n|> WHERE a = 1;", true},
		{"-- only a comment", true},
		{".tables", true},
		{"  .mode line", true},
		{".5 + 1", false},
	}
	for _, c := range cases {
		if got := complete(c.text); got != c.want {
			t.Errorf("complete(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestScriptReader(t *testing.T) {
	in := "SELECT 1\n  AS a;\n.mode line\nSELECT 'x;\ny' AS s; SELECT 2;\n-- tail\nSELECT 3"
	s := newScript(stringsReader(in))
	var got []string
	for {
		text, err := s.read()
		got = append(got, text)
		if err != nil {
			break
		}
	}
	// SQL is preceded by a newline for each line before it.
	want := []string{"SELECT 1\n  AS a;\n", ".mode line", "\n\n\nSELECT 'x;\ny' AS s; SELECT 2;\n", "\n\n\n\n\n-- tail\nSELECT 3\n"}
	if len(got) != len(want) {
		t.Fatalf("pieces %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("piece %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
