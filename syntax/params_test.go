package syntax

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

func TestPlaceholders(t *testing.T) {
	for src, want := range map[string]int{
		"SELECT 1":                             0,
		"SELECT ?":                             1,
		"SELECT ?, ? FROM t WHERE a IN (?, ?)": 4,
		"SELECT '?', `?`, \"?\" -- ?\n":        0,
		"SELECT /* ? /* ? */ */ ?":             1,
		"SELECT ?; SELECT ?":                   2,
	} {
		if got := Placeholders(src); got != want {
			t.Errorf("Placeholders(%q) = %d, want %d", src, got, want)
		}
	}
}

func TestParseScriptParams(t *testing.T) {
	day := types.DateValue(19724)
	cases := []struct {
		src    string
		params []types.Value
		want   string // canonical text of the statements, one per line
	}{
		{"SELECT * FROM t WHERE event = ? AND n > ?", []types.Value{types.StringValue("Added to Cart"), types.IntValue(3)},
			"SELECT * FROM t WHERE event = 'Added to Cart' AND n > 3"},
		// A value is one literal whatever it holds: no way out of the string.
		{"SELECT * FROM t WHERE event = ?", []types.Value{types.StringValue("x' OR 1=1 --")},
			`SELECT * FROM t WHERE event = 'x\' OR 1=1 --'`},
		{"SELECT ? AS d, ? AS missing, -? AS neg", []types.Value{day, types.NullValue, types.FloatValue(2.5)},
			"SELECT DATE '2024-01-02' AS d, NULL AS missing, -(2.5) AS neg"},
		// Numbered through the whole script, and by place in the text even
		// where the parser backtracks over parentheses.
		{"CREATE VIEW v AS SELECT ? AS a; SELECT (?) + (SELECT ?) FROM v WHERE a IN ((?), ?)",
			[]types.Value{types.IntValue(1), types.IntValue(2), types.IntValue(3), types.IntValue(4), types.IntValue(5)},
			"CREATE TEMPORARY VIEW v AS SELECT 1 AS a\nSELECT 2 + (SELECT 3) FROM v WHERE a IN (4, 5)"},
		{"FROM t |> WHERE x = ? |> LIMIT 10", []types.Value{types.BoolValue(true)}, "FROM t\n|> WHERE x = TRUE\n|> LIMIT 10"},
	}
	for _, c := range cases {
		stmts, err := ParseScriptParams(c.src, c.params)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		var got []string
		for _, st := range stmts {
			got = append(got, st.String())
		}
		if g := strings.Join(got, "\n"); g != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.src, g, c.want)
		}
	}
}

func TestParseScriptParamsErrors(t *testing.T) {
	one := []types.Value{types.IntValue(1)}
	cases := []struct {
		src    string
		params []types.Value
		bound  bool
		pos    Pos // NoPos: the error has no place in the text
		msg    string
	}{
		{"SELECT ? AS a", nil, false, 7, "no parameter values"},
		{"SELECT a FROM t WHERE a = ? AND b = ?", one, true, 36, "placeholder 2 has no value: 1 given"},
		{"SELECT 1", one, true, NoPos, "1 parameter values given for 0 ? placeholders"},
		{"SELECT ?? FROM t", []types.Value{types.IntValue(1), types.IntValue(2)}, true, 8, "expected"},
	}
	for _, c := range cases {
		var err error
		if c.bound {
			_, err = ParseScriptParams(c.src, c.params)
		} else {
			_, err = ParseScript(c.src)
		}
		var e *Error
		var list ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			e = list[0]
		} else if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want a syntax error", c.src, err)
			continue
		}
		if e.Pos != c.pos || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s: error at %d %q, want at %d containing %q", c.src, e.Pos, e.Msg, c.pos, c.msg)
		}
	}
}

func TestNamedParams(t *testing.T) {
	args := map[string]types.Value{"ev": types.StringValue("Added to Cart"), "n": types.IntValue(3)}
	out, vals, err := NamedParams("SELECT ':ev' AS s, `:n` AS q, x::STRING, :n + 1 FROM t WHERE e = :ev AND k > :n -- :nope", args)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT ':ev' AS s, `:n` AS q, x::STRING, ? + 1 FROM t WHERE e = ? AND k > ? -- :nope"; out != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	if fmt.Sprint(vals) != fmt.Sprint([]types.Value{types.IntValue(3), types.StringValue("Added to Cart"), types.IntValue(3)}) {
		t.Fatalf("values %v", vals)
	}
	if _, _, err := NamedParams("SELECT :missing", args); err == nil || !strings.Contains(err.Error(), "UNBOUND_SQL_PARAMETER") {
		t.Fatalf("unbound: %v", err)
	}
	if _, _, err := NamedParams("SELECT ?, :n", args); err == nil {
		t.Fatal("? and :name mixed: no error")
	}
}
