package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/syntax"
)

// TestBinderErrors checks that each kind of mistake is reported as a
// *syntax.Error at the offending spot, with a message a user can act on
// and, where one helps, a hint. Errors about an operator point at the
// operator (the + of id + true), errors about a clause at its keyword.
func TestBinderErrors(t *testing.T) {
	cases := []struct {
		name, query string
		line, col   int
		msg, hint   string // fragments; hint "" means none is expected
	}{
		{"unknown-column", "SELECT evnt FROM events", 1, 8, "unknown column evnt", "did you mean event?"},
		{"unknown-column-where", "SELECT id FROM t\nWHERE vv > 1", 2, 7, "unknown column vv", "did you mean v?"},
		{"unknown-column-no-suggestion", "SELECT zzzzzzzz FROM t", 1, 8, "unknown column zzzzzzzz", ""},
		{"unknown-column-pipe", "FROM t |> WHERE id > 1 |> SELECT idd", 1, 34, "unknown column idd", "did you mean id?"},
		{"ambiguous-join", "SELECT messageId FROM events AS a JOIN events AS b ON a.userId = b.userId", 1, 8, "column messageId is ambiguous", "qualify it"},
		{"ambiguous-extend", "FROM t |> EXTEND v * 2 AS s |> SELECT s", 1, 39, "column s is ambiguous", "rename one with AS"},
		{"qualify-no-window", "SELECT v FROM t QUALIFY v = 1", 1, 27, "QUALIFY needs a window function", ""},
		{"qualify-aggregate", "SELECT v, rank() OVER (ORDER BY v) FROM t QUALIFY count(*) > 1", 1, 51, "QUALIFY cannot hold an aggregate", ""},
		{"within-group-other", "SELECT round(v) WITHIN GROUP (ORDER BY v) FROM t", 1, 8, "round does not take WITHIN GROUP", ""},
		{"within-group-missing", "SELECT percentile_cont(v, 0.5) FROM t", 1, 8, "percentile_cont needs WITHIN GROUP", ""},
		{"within-group-sum", "SELECT sum(1) WITHIN GROUP (ORDER BY v) FROM t", 1, 8, "sum does not take WITHIN GROUP", ""},
		{"within-group-two-keys", "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v, v) FROM t", 1, 8, "orders by one expression", ""},
		{"within-group-percentage", "SELECT percentile_cont(2) WITHIN GROUP (ORDER BY v) FROM t", 1, 24, "between 0 and 1", ""},
		{"within-group-over", "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) OVER () FROM t", 1, 8, "does not run over a window", ""},
		{"mode-without-order", "SELECT mode(v) FROM t", 1, 8, "mode needs WITHIN GROUP", ""},
		{"count-many-nested", "SELECT count(v, sum(v)) FROM t", 1, 17, "aggregate functions cannot be nested", ""},
		{"window-rank-unordered", "SELECT rank() OVER (PARTITION BY v) FROM t", 1, 8, "rank needs ORDER BY", ""},
		{"window-lead-unordered", "SELECT lead(v) OVER () FROM t", 1, 8, "lead needs ORDER BY", ""},
		{"window-frame-backwards", "SELECT sum(v) OVER (ORDER BY v ROWS BETWEEN UNBOUNDED FOLLOWING AND 1 FOLLOWING) FROM t", 1, 8, "cannot start at UNBOUNDED FOLLOWING", ""},
		{"window-frame-int", "SELECT sum(v) OVER (ORDER BY v ROWS BETWEEN CURRENT ROW AND 2147483648 FOLLOWING) FROM t", 1, 8, "must fit in an INT", ""},
		{"count-no-args", "SELECT count() FROM t", 1, 8, "count() needs an argument", ""},
		{"grouping-id-global", "SELECT count(*) FROM t HAVING grouping_id() = 0", 1, 31, "grouping_id needs GROUP BY GROUPING SETS", ""},
		{"ambiguous-alias", "SELECT s.v FROM t AS s, t AS s", 1, 8, "column s.v is ambiguous", "another alias"},
		{"not-grouped", "SELECT g, v FROM t GROUP BY g", 1, 11, "column v must be aggregated or appear in GROUP BY", "first(v)"},
		{"not-grouped-order-by", "SELECT g, count(*) FROM t GROUP BY g ORDER BY id", 1, 47, "column id must be aggregated", "add it to GROUP BY"},
		{"aggregate-in-where", "SELECT id FROM t WHERE sum(v) > 1", 1, 24, "aggregate function sum is not allowed in WHERE", ""},
		{"aggregate-in-pipe-where", "FROM t |> WHERE count(*) > 1", 1, 17, "aggregate function count is not allowed in WHERE", ""},
		{"nested-aggregate", "SELECT sum(max(v)) FROM t", 1, 12, "aggregate functions cannot be nested", ""},
		{"window-in-where", "SELECT id FROM t WHERE row_number() OVER (ORDER BY id) = 1", 1, 24, "window function row_number is not allowed in WHERE", ""},
		{"window-in-group-by", "SELECT count(*) FROM t GROUP BY rank() OVER (ORDER BY id)", 1, 33, "window function rank is not allowed in GROUP BY", ""},
		{"arith-on-bool", "SELECT id + true FROM t", 1, 11, "expects numbers, got BIGINT and BOOLEAN", ""},
		{"sum-of-bool", "SELECT sum(id > 1) FROM t", 1, 8, "sum expects a number, got BOOLEAN", ""},
		{"where-not-bool", "SELECT id FROM t WHERE id + 1", 1, 27, "WHERE expects a boolean condition, got BIGINT", ""},
		{"not-of-number", "SELECT NOT id FROM t", 1, 8, "NOT expects a boolean, got BIGINT", ""},
		{"compare-bool-date", "SELECT id FROM t WHERE true = DATE '2020-01-01'", 1, 29, "cannot compare BOOLEAN with DATE", ""},
		{"wrong-arg-count", "SELECT upper(s, s) FROM t", 1, 8, "upper takes 1 argument, got 2", ""},
		{"unknown-function", "SELECT uppr(s) FROM t", 1, 8, "unknown function uppr", "did you mean upper?"},
		{"unknown-aggregate-typo", "SELECT g, cont(*) FROM t GROUP BY g", 1, 11, "unknown function cont", "did you mean count?"},
		{"order-by-ordinal", "SELECT id, g FROM t ORDER BY 3", 1, 30, "ORDER BY position 3 is not in the select list (1..2)", ""},
		{"order-by-ordinal-zero", "SELECT id FROM t ORDER BY 0", 1, 27, "ORDER BY position 0", ""},
		{"group-by-ordinal-negative", "SELECT g, count(*) FROM t GROUP BY -1", 1, 36, "GROUP BY position -1 is not in the select list (1..2)", ""},
		{"group-by-ordinal-star", "SELECT * FROM t GROUP BY id, g, 1", 1, 33, "GROUP BY position 1 cannot be used with * in the select list", ""},
		{"pipe-group-by-ordinal", "FROM t |> SELECT id, g |> AGGREGATE count(*) GROUP BY 3", 1, 55, "GROUP BY position 3 is not among the input's columns (1..2)", ""},
		{"union-count", "SELECT id, g FROM t\nUNION ALL\nSELECT id FROM t", 2, 1, "UNION needs the same number of columns on both sides, got 2 and 1", ""},
		{"pipe-union-count", "FROM t |> SELECT id |> UNION ALL (SELECT id, g FROM t)", 1, 24, "UNION needs the same number of columns", ""},
		{"unknown-table", "SELECT * FROM nope", 1, 15, "unknown table nope", "read_json"},
		{"unknown-table-join", "SELECT * FROM t JOIN nope ON t.id = nope.id", 1, 22, "unknown table nope", "nectar.yaml"},
		{"limit-not-constant", "SELECT * FROM t LIMIT id", 1, 23, "LIMIT takes a non-negative integer constant", ""},
		{"limit-negative", "FROM t |> LIMIT -1", 1, 17, "LIMIT takes a non-negative integer constant", ""},
		{"offset-not-constant", "SELECT * FROM t LIMIT 1 OFFSET 'a'", 1, 32, "OFFSET takes a non-negative integer constant", ""},
		{"distinct-order-by", "SELECT DISTINCT g FROM t ORDER BY id", 1, 35, "ORDER BY expressions must appear in the select list", ""},
		{"star-in-expr", "SELECT sum(*) FROM t", 1, 8, "only count takes *", ""},
		{"unknown-star-table", "SELECT x.* FROM t", 1, 8, "unknown table x", ""},
		{"interval-mixed", "SELECT INTERVAL 1 MONTH + INTERVAL 1 DAY FROM t", 1, 25, "DATATYPE_MISMATCH", ""},
		{"set-unknown-column", "FROM t |> SET nope = 1", 1, 11, "unknown column nope", ""},
		{"percentile-param", "SELECT percentile_approx(v, 2) FROM t", 1, 29, "between 0 and 1", ""},
		{"min-by-one-arg", "SELECT min_by(v) FROM t", 1, 8, "min_by takes two arguments (a value and its ordering), got 1", ""},
		{"max-by-nested", "SELECT max_by(v, max(id)) FROM t", 1, 18, "aggregate functions cannot be nested", ""},
		{"window-distinct", "SELECT count(DISTINCT v) OVER (PARTITION BY g) FROM t", 1, 8, "DISTINCT is not supported in window functions", ""},
		{"window-filter-offset", "SELECT lag(v) FILTER (WHERE v > 1) OVER (ORDER BY id) FROM t", 1, 8, "lag does not take FILTER", ""},
		{"window-filter-not-bool", "SELECT sum(v) FILTER (WHERE v) OVER () FROM t", 1, 29, "expects a boolean condition", ""},
		{"min-by-window", "SELECT min_by(v, id) OVER (PARTITION BY g) FROM t", 1, 8, "min_by is not supported as a window function", "first_value"},
		{"range-offset-two-keys", "SELECT sum(v) OVER (ORDER BY id, v RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t", 1, 8, "needs exactly one ORDER BY key", ""},
		{"range-offset-type", "SELECT sum(v) OVER (ORDER BY id RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW) FROM t", 1, 8, "does not apply to an ORDER BY key of BIGINT", ""},
		{"frame-backwards", "SELECT sum(v) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING) FROM t", 1, 8, "after its end", ""},
		{"order-by-aggregate-with-window", "SELECT g, rank() OVER (ORDER BY g) FROM t GROUP BY g ORDER BY count(*)", 1, 63, "UNSUPPORTED_EXPR_FOR_OPERATOR", ""},
		{"filter-on-scalar", "SELECT upper(s) FILTER (WHERE id > 1) FROM t", 1, 8, "apply only to aggregate functions", ""},
		{"subquery-columns", "SELECT id FROM t WHERE id = (SELECT id, g FROM t)", 1, 29, "must return one column", ""},
	}
	e := testEngine()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := explain(e, c.query)
			if err == nil {
				t.Fatalf("no error for %q", c.query)
			}
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *syntax.Error", err, err)
			}
			line, col := syntax.LineCol(c.query, se.Pos)
			if line != c.line || col != c.col {
				t.Errorf("at %d:%d, want %d:%d (%s)", line, col, c.line, c.col, se.Msg)
			}
			if !strings.Contains(se.Msg, c.msg) {
				t.Errorf("message %q does not contain %q", se.Msg, c.msg)
			}
			switch {
			case c.hint == "" && se.Hint != "":
				t.Errorf("unexpected hint %q", se.Hint)
			case !strings.Contains(se.Hint, c.hint):
				t.Errorf("hint %q does not contain %q", se.Hint, c.hint)
			}
		})
	}
}
