package syntax

import (
	"errors"
	"strings"
	"testing"
)

// rejectedCases are inputs the parser must refuse, with where the error
// points (line:col, 1-based) and fragments of the message and hint.
var rejectedCases = []struct {
	src       string
	line, col int
	msg, hint string
}{
	// misspelled keywords
	{"SELECT a FORM t", 1, 10, "expected FROM or end of query, found 'FORM'", "did you mean FROM?"},
	{"SELEC a FROM t", 1, 1, "expected a statement", "did you mean SELECT?"},
	{"SELECT a FROM t WHRE x = 1", 1, 17, "expected WHERE or end of query, found 'WHRE'", "did you mean WHERE?"},
	{"SELECT a\nFROM t\nGRUOP BY a", 3, 1, "expected GROUP BY or end of query", "did you mean GROUP BY?"},
	{"FROM t |> WHER x", 1, 11, "expected a pipe operator", "did you mean WHERE?"},
	{"SELECT CAST(x AS INTEGR)", 1, 18, "unknown type 'INTEGR'", "did you mean INTEGER?"},
	// unclosed brackets say where they opened
	{"SELECT count(* FROM t", 1, 16, "expected ')', found 'FROM'", "opened at 1:13"},
	{"SELECT (a + b\nFROM t", 2, 1, "expected ')'", "opened at 1:8"},
	{"SELECT a FROM (SELECT b FROM t", 1, 31, "found end of input", "opened at 1:15"},
	{"SELECT a[1", 1, 11, "expected ']'", "opened at 1:9"},
	{"SELECT CASE WHEN a THEN 1", 1, 26, "expected WHEN, ELSE or END", "CASE at 1:8 needs an END"},
	// lexical errors
	{"SELECT a FROM t WHERE x = 'abc", 1, 27, "unterminated string literal", "no closing '"},
	{"SELECT `abc FROM t", 1, 8, "unterminated quoted identifier", "no closing `"},
	{"SELECT a /* never closed", 1, 10, "unterminated comment", "*/"},
	{`SELECT '\u12'`, 1, 9, `invalid escape \u`, ""},
	{"SELECT ``", 1, 8, "empty quoted identifier", ""},
	{"SELECT 1.5abc", 1, 8, "invalid number '1.5abc'", "backquotes"},
	{"SELECT a | b", 1, 10, "unexpected character '|'", "||"},
	{"SELECT a & b", 1, 10, "unexpected character '&'", "not supported"},
	{"SELECT 1e999", 1, 8, "number out of range", ""},
	// double-quoted names
	{`SELECT a AS "alias" FROM t`, 1, 13, "expected an alias name, found string 'alias'", "double quotes make a string"},
	{`SELECT a FROM "events"`, 1, 15, "expected a table name", "backquotes (`events`)"},
	// list and clause mistakes
	{"SELECT a, FROM t", 1, 11, "expected an expression, found 'FROM'", "trailing comma"},
	{"SELECT FROM t", 1, 8, "expected an expression", "select list is empty"},
	{"SELECT a b c FROM t", 1, 12, "expected end of query, found 'c'", "comma missing"},
	{"SELECT a FROM t FROM u", 1, 17, "expected end of query, found 'FROM'", "clauses go in the order"},
	{"SELECT a FROM t ORDER BY a UNION SELECT b FROM u", 1, 28, "found 'UNION'", "parentheses"},
	{"SELECT a FROM t ORDER a", 1, 23, "expected BY, found 'a'", ""},
	{"SELECT a FROM t WHERE", 1, 22, "expected an expression, found end of input", ""},
	{"SELECT * FROM t WHERE x = 1 AND", 1, 32, "expected an expression", ""},
	{"SELECT a FROM t LIMIT", 1, 22, "expected an expression", ""},
	{"SELECT select FROM t", 1, 8, "found 'select'", "reserved word"},
	{"SELECT a FROM t ORDER BY a NULLS", 1, 33, "expected FIRST or LAST", ""},
	// expressions
	{"SELECT a IS 5", 1, 13, "expected NULL, NOT NULL or DISTINCT FROM after IS", ""},
	{"SELECT a BETWEEN 1 OR 2", 1, 20, "expected AND, found 'OR'", ""},
	{"SELECT a IN 1", 1, 13, "expected '(' after IN", ""},
	{"SELECT a NOT b", 1, 10, "expected end of query, found 'NOT'", ""},
	{"SELECT CAST(x INT)", 1, 15, "expected AS, found 'INT'", ""},
	{"SELECT CAST(x AS ARRAY)", 1, 18, "type ARRAY needs the types inside it", "ARRAY<BIGINT>"},
	{"SELECT CAST(x AS ARRAY<INT)", 1, 23, "expected '>' to close ARRAY<", ""},
	{"SELECT CAST(x AS MAP<INT>)", 1, 25, "expected ','", ""},
	{"SELECT a FROM t LATERAL VIEW explode(a)", 1, 40, "expected a table alias after the generator", "LATERAL VIEW explode(a) t AS col"},
	{"SELECT a FROM t LATERAL VIEW a", 1, 30, "expected a generator function call after LATERAL VIEW", ""},
	{"SELECT transform(a, (x, 1) -> x)", 1, 25, "expected ')' or a parameter name", ""},
	{"SELECT x::", 1, 11, "expected a type name", ""},
	{"SELECT TIMESTAMP 'yesterday'", 1, 18, "invalid TIMESTAMP literal 'yesterday'", "YYYY-MM-DD HH:MM:SS"},
	{"SELECT DATE '2019-13-45'", 1, 13, "invalid DATE literal", "YYYY-MM-DD"},
	{"SELECT X'0g'", 1, 9, "invalid binary literal X'0g'", "hexadecimal digits"},
	{"SELECT CAST(x AS DECIMAL(2, 3))", 1, 25, "a scale from 0 to the precision", ""},
	{"SELECT a FROM t TABLESAMPLE (50 PERCENT)", 1, 30, "samples at random", ""},
	{"FROM t |> TABLESAMPLE (BUCKET 1 OUT OF 4)", 1, 24, "samples at random", ""},
	{"SELECT s LIKE 'a#b' ESCAPE '#'", 1, 15, "must be followed by %, _ or itself", ""},
	{"SELECT s LIKE t ESCAPE '#'", 1, 24, "ESCAPE needs a constant pattern", ""},
	{"SELECT a FROM t GROUP BY CUBE(a, ())", 1, 34, "not the empty grouping set", ""},
	{"SELECT INTERVAL 1 FORTNIGHT", 1, 19, "unknown interval unit 'FORTNIGHT'", "units: year"},
	{"SELECT INTERVAL 'an' hour", 1, 17, "invalid interval count 'an'", ""},
	{"SELECT INTERVAL 1 YEAR TO MONTH", 1, 17, "takes a string", ""},
	{"SELECT INTERVAL '1-2' YEAR TO MONTH '1' DAY", 1, 37, "one '…' FROM TO TO part", ""},
	{"SELECT INTERVAL 1 DAY '1 02' DAY TO HOUR", 1, 34, "cannot mix", ""},
	{"SELECT INTERVAL '1e3' hour", 1, 17, "invalid interval count '1e3'", ""},
	{"SELECT INTERVAL 1 MONTH 1 DAY", 1, 8, "mixes years or months with days", ""},
	{"SELECT INTERVAL '1 day 2'", 1, 8, "want numbers each followed by a unit", ""},
	{"SELECT INTERVAL '1.5' HOUR", 1, 8, "cannot have a fractional part", ""},
	{"SELECT INTERVAL '178956970-8' YEAR TO MONTH", 1, 8, "out of the range", ""},
	{"SELECT EXISTS", 1, 14, "expected '(' and a query after EXISTS", ""},
	// windows
	{"SELECT sum(x) OVER (PARTITION BY a ROWS)", 1, 40, "expected a frame bound", ""},
	{"SELECT sum(x) OVER (ORDER BY a ROWS BETWEEN 1 AND 2)", 1, 47, "expected PRECEDING or FOLLOWING", ""},
	{"SELECT sum(x) OVER w", 1, 20, "window w is not defined", ""},
	{"SELECT sum(x) OVER (w) FROM t WINDOW v AS (ORDER BY x)", 1, 21, "window w is not defined", ""},
	{"SELECT 1 FROM t WINDOW w AS (), w AS ()", 1, 33, "WINDOW defines w twice", ""},
	{"SELECT 1 FROM t WINDOW w AS v", 1, 29, "window v is not defined before w", ""},
	{"FROM t |> WHERE sum(x) OVER w = 1", 1, 29, "window w is not defined", ""},
	{"SELECT row_number() OVER (PARTITION a)", 1, 37, "expected BY", ""},
	{"SELECT sum(x) OVER (ORDER BY a LIMIT 1)", 1, 32, "expected ROWS, RANGE or ')'", "window opened at 1:20"},
	// FROM and joins
	{"SELECT a FROM t JOIN u USING id", 1, 30, "expected '('", ""},
	{"SELECT a FROM t LEFT u", 1, 22, "expected JOIN, found 'u'", ""},
	{"SELECT a FROM t NATURAL u", 1, 25, "expected JOIN, found 'u'", ""},
	{"WITH t AS (SELECT 1), T(x) AS (SELECT 2) SELECT * FROM t", 1, 23, "WITH names T twice", ""},
	{"SELECT a LIKE ALL () FROM t", 1, 20, "LIKE ALL needs at least one pattern", ""},
	{"SELECT a RLIKE ANY ('x') FROM t", 1, 16, "RLIKE takes one pattern", ""},
	{"SELECT a FROM t NATURAL CROSS JOIN u", 1, 17, "NATURAL CROSS JOIN is not a join Spark has", ""},
	{"SELECT a FROM t NATURAL JOIN u ON t.a = u.a", 1, 32, "expected", ""},
	{"SELECT a FROM", 1, 14, "expected a table name", ""},
	// pipes
	{"FROM t WHERE x", 1, 8, "expected |> or end of query, found 'WHERE'", "|> WHERE"},
	{"FROM t |> FILTER x", 1, 11, "expected a pipe operator", "|> WHERE"},
	{"FROM t |> GROUP BY x", 1, 11, "expected a pipe operator", "AGGREGATE"},
	{"FROM t |> AGGREGATE", 1, 20, "expected aggregates or GROUP BY", ""},
	{"FROM t |> UNION SELECT 1", 1, 17, "expected '(' and a query", ""},
	{"FROM t |> SET a", 1, 16, "expected '='", ""},
	{"FROM t |>", 1, 10, "expected a pipe operator", ""},
	// statements
	{"WITH x AS SELECT 1 SELECT 1", 1, 11, "expected '(' and a query", ""},
	{"CREATE TABLE x AS SELECT 1", 1, 8, "expected VIEW, found 'TABLE'", "views only"},
	{"CREATE VIEW AS SELECT 1", 1, 13, "expected a view name", ""},
	{"EXISTS", 1, 1, "expected a statement", ""},
	{"DESCRIBE", 1, 9, "expected a query or view name", ""},
	{"SHOW VIEWS", 1, 6, "expected TABLES, found 'VIEWS'", "SHOW TABLES (sources and views) only"},
	{"SHOW TABLES IN db", 1, 13, "nectar has no databases", "drop IN and the database name"},
	{"SHOW TABLES LIKE ev", 1, 18, "expected a pattern in quotes", ""},
	{"SHOW TABLES x", 1, 13, "expected end of", ""},
	{"SET = true", 1, 5, "expected a setting's name after SET, found nothing", "SET key = value"},
	{"SET -v", 1, 5, "expected a setting's name after SET, found '-v'", "no SET -v"},
	{"SET a b = 1", 1, 5, "expected a setting's name after SET, found 'a b'", ""},
	{"SET TIME ZONE LOCAL", 1, 15, "expected a time zone in quotes", "only zone"},
	{"RESET a b", 1, 7, "expected a setting's name after RESET", ""},
	{"SELECT 1\n  ; SELEC 2", 2, 5, "expected a statement", "did you mean SELECT?"},
}

func TestRejected(t *testing.T) {
	if len(rejectedCases) < 30 {
		t.Errorf("only %d rejected cases; want at least 30", len(rejectedCases))
	}
	for _, tc := range rejectedCases {
		_, err := ParseScript(tc.src)
		if err == nil {
			t.Errorf("ParseScript(%q) succeeded, want an error", tc.src)
			continue
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("ParseScript(%q) error is %T, want a non-empty ErrorList", tc.src, err)
			continue
		}
		e := list[0]
		line, col := LineCol(tc.src, e.Pos)
		if line != tc.line || col != tc.col {
			t.Errorf("ParseScript(%q): error at %d:%d, want %d:%d\n%s", tc.src, line, col, tc.line, tc.col, Format(tc.src, err))
		}
		if !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("ParseScript(%q): message %q does not contain %q", tc.src, e.Msg, tc.msg)
		}
		if !strings.Contains(e.Hint, tc.hint) {
			t.Errorf("ParseScript(%q): hint %q does not contain %q", tc.src, e.Hint, tc.hint)
		}
	}
}

func TestErrorRecovery(t *testing.T) {
	src := "SELECT 1; SELEC 2; SELECT (3; SELECT 4; FROM"
	stmts, err := ParseScript(src)
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v is not an ErrorList", err)
	}
	if len(list) != 3 {
		t.Fatalf("got %d errors, want 3:\n%s", len(list), Format(src, err))
	}
	wantCols := []int{11, 29, 45}
	for i, e := range list {
		if _, col := LineCol(src, e.Pos); col != wantCols[i] {
			t.Errorf("error %d at column %d, want %d", i, col, wantCols[i])
		}
	}
	// The statements that parse are still returned.
	if len(stmts) != 2 {
		t.Errorf("got %d good statements, want 2", len(stmts))
	}

	// Collecting stops at 10 errors.
	many := strings.Repeat("SELEC 1;", 25)
	_, err = ParseScript(many)
	if !errors.As(err, &list) || len(list) != maxErrors {
		t.Errorf("got %d errors for 25 bad statements, want %d", len(list), maxErrors)
	}
}

func TestSingleErrorAPIs(t *testing.T) {
	tests := []struct {
		name string
		err  error
		col  int
	}{
		{"ParseQuery trailing", func() error { _, err := ParseQuery("SELECT 1; SELECT 2"); return err }(), 11},
		{"ParseQuery empty", func() error { _, err := ParseQuery(""); return err }(), 1},
		{"ParseQuery statement", func() error { _, err := ParseQuery("EXPLAIN SELECT 1"); return err }(), 1},
		{"ParseExpr trailing", func() error { _, err := ParseExpr("a b"); return err }(), 3},
		{"ParseExpr empty", func() error { _, err := ParseExpr(" "); return err }(), 2},
	}
	for _, tc := range tests {
		var e *Error
		if !errors.As(tc.err, &e) {
			t.Errorf("%s: error %v (%T) is not an *Error", tc.name, tc.err, tc.err)
			continue
		}
		if int(e.Pos)+1 != tc.col {
			t.Errorf("%s: error at column %d, want %d (%s)", tc.name, e.Pos+1, tc.col, e.Msg)
		}
	}
	if _, err := ParseQuery("SELECT 1;"); err != nil {
		t.Errorf("ParseQuery with a trailing ';': %v", err)
	}
	if stmts, err := ParseScript("  -- nothing\n"); err != nil || len(stmts) != 0 {
		t.Errorf("ParseScript of a comment = %v, %v; want no statements", stmts, err)
	}
}

func TestFormat(t *testing.T) {
	src := "SELECT a\nFROM t\nWHRE x = 1"
	_, err := ParseScript(src)
	want := "error at 3:1: syntax error: expected WHERE or end of query, found 'WHRE'\n" +
		"  WHRE x = 1\n" +
		"  ^\n" +
		"  hint: did you mean WHERE?"
	if got := Format(src, err); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}

	src = "SELECT count(* FROM t; SELEC 1"
	_, err = ParseScript(src)
	want = "error at 1:16: syntax error: expected ')', found 'FROM'\n" +
		"  SELECT count(* FROM t; SELEC 1\n" +
		"                 ^\n" +
		"  hint: to close the '(' opened at 1:13\n" +
		"error at 1:24: syntax error: expected a statement (SELECT, FROM, WITH, CREATE VIEW, DESCRIBE, EXPLAIN or SHOW TABLES), found 'SELEC'\n" +
		"  SELECT count(* FROM t; SELEC 1\n" +
		"                         ^\n" +
		"  hint: did you mean SELECT?"
	if got := Format(src, err); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
}

// TestDeepNesting checks that absurd nesting fails cleanly instead of
// exhausting the stack or taking exponential time.
func TestDeepNesting(t *testing.T) {
	for _, src := range []string{
		"SELECT " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"SELECT " + strings.Repeat("- ", 5000) + "a",
		"SELECT " + strings.Repeat("NOT ", 5000) + "a",
		strings.Repeat("(", 5000) + "SELECT 1" + strings.Repeat(")", 5000),
	} {
		_, err := ParseScript(src)
		if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("deeply nested input: error %v, want 'nested too deeply'", err)
		}
	}
	// Moderate nesting with ambiguous '((' must stay fast (no exponential
	// backtracking).
	src := "SELECT " + strings.Repeat("((SELECT 1) + ", 40) + "1" + strings.Repeat(")", 40)
	if _, err := ParseScript(src); err != nil {
		t.Errorf("nested scalar subqueries: %v", err)
	}
}
