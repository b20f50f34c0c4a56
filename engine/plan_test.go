package engine_test

import (
	"context"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/syntax"
)

// testEngine names the files under testdata as sources events, users and
// t. Paths are relative to Dir, so EXPLAIN text does not depend on where
// the test runs.
func testEngine() *engine.Session {
	e := engine.New(engine.Options{Dir: "testdata", Strict: true})
	for _, name := range []string{"events", "users", "t"} {
		e.DefineSource(name, "read_json", name+".jsonl")
	}
	return e
}

// nestedEngine is testEngine with orders, whose events carry the
// e-commerce spec's products arrays.
func nestedEngine() *engine.Session {
	e := testEngine()
	e.DefineSource("orders", "read_json", "orders.jsonl")
	return e
}

// explain parses, binds and optimises one query and returns its plan text.
func explain(e *engine.Session, q string) (string, error) {
	parsed, err := syntax.ParseQuery(q)
	if err != nil {
		return "", err
	}
	n, err := e.Plan(context.Background(), parsed)
	if err != nil {
		return "", err
	}
	return plan.Explain(n), nil
}

// TestSQLAndPipeAgree checks that a SQL query and its pipe-syntax
// spelling bind to one optimised plan, so that neither syntax is a second
// class citizen and the corpus's SQL cases vouch for the pipe forms too.
func TestSQLAndPipeAgree(t *testing.T) {
	pairs := []struct{ name, sql, pipe string }{
		{"where-select", "SELECT id FROM t WHERE v > 6", "FROM t |> WHERE v > 6 |> SELECT id"},
		{"select-star", "SELECT * FROM t", "FROM t"},
		{"select-star-where", "SELECT * FROM t WHERE g = 'x'", "FROM t |> WHERE g = 'x'"},
		{"two-wheres", "SELECT id FROM t WHERE v > 1 AND g = 'x'", "FROM t |> WHERE v > 1 |> WHERE g = 'x' |> SELECT id"},
		{"projection-alias", "SELECT id * 2 AS d, upper(s) AS u FROM t", "FROM t |> SELECT id * 2 AS d, upper(s) AS u"},
		{"extend", "SELECT *, id * 10 AS big FROM t", "FROM t |> EXTEND id * 10 AS big"},
		{"extend-where-select", "SELECT id, big FROM (SELECT *, id * 10 AS big FROM t) WHERE big > 20", "FROM t |> EXTEND id * 10 AS big |> WHERE big > 20 |> SELECT id, big"},
		{"global-aggregate", "SELECT count(*) AS n, avg(v) AS a FROM t", "FROM t |> AGGREGATE count(*) AS n, avg(v) AS a"},
		{"group-by", "SELECT g, count(*) AS n, sum(id) AS s FROM t GROUP BY g", "FROM t |> AGGREGATE count(*) AS n, sum(id) AS s GROUP BY g"},
		{"group-by-alias", "SELECT properties.vertical AS vertical, count(*) AS n FROM events GROUP BY properties.vertical", "FROM events |> AGGREGATE count(*) AS n GROUP BY properties.vertical AS vertical"},
		{"group-by-expr", "SELECT hour(timestamp) AS h, count(*) AS n FROM events GROUP BY hour(timestamp)", "FROM events |> AGGREGATE count(*) AS n GROUP BY hour(timestamp) AS h"},
		{"group-by-unaliased-agg", "SELECT g, max(v) FROM t GROUP BY g", "FROM t |> AGGREGATE max(v) GROUP BY g"},
		{"aggregate-filter", "SELECT g, count(*) FILTER (WHERE v > 5) AS big FROM t GROUP BY g", "FROM t |> AGGREGATE count(*) FILTER (WHERE v > 5) AS big GROUP BY g"},
		{"order-by", "SELECT * FROM t ORDER BY id DESC", "FROM t |> ORDER BY id DESC"},
		{"order-by-nulls", "SELECT * FROM t ORDER BY g NULLS LAST, id", "FROM t |> ORDER BY g NULLS LAST, id"},
		{"limit", "SELECT * FROM t LIMIT 3", "FROM t |> LIMIT 3"},
		{"order-limit-offset", "SELECT * FROM t ORDER BY id DESC LIMIT 2 OFFSET 1", "FROM t |> ORDER BY id DESC |> LIMIT 2 OFFSET 1"},
		{"aggregate-order", "SELECT properties.vertical AS vertical, count(*) AS n FROM events WHERE event = 'Added to Cart' GROUP BY properties.vertical ORDER BY n DESC",
			"FROM events |> WHERE event = 'Added to Cart' |> AGGREGATE count(*) AS n GROUP BY properties.vertical AS vertical |> ORDER BY n DESC"},
		{"having", "SELECT g, count(*) AS n FROM t GROUP BY g HAVING count(*) > 1", "FROM t |> AGGREGATE count(*) AS n GROUP BY g |> WHERE n > 1"},
		{"join", "SELECT e.messageId, u.plan FROM events AS e JOIN users AS u ON e.userId = u.uid", "FROM events |> AS e |> JOIN users AS u ON e.userId = u.uid |> SELECT e.messageId, u.plan"},
		{"left-join", "SELECT e.messageId, u.plan FROM events e LEFT JOIN users u ON e.userId = u.uid", "FROM events AS e |> LEFT JOIN users AS u ON e.userId = u.uid |> SELECT e.messageId, u.plan"},
		{"join-using", "SELECT * FROM t AS a JOIN t AS b USING (id)", "FROM t AS a |> JOIN t AS b USING (id)"},
		{"union-all", "SELECT id FROM t UNION ALL SELECT id FROM t", "FROM t |> SELECT id |> UNION ALL (SELECT id FROM t)"},
		{"union-distinct", "SELECT g FROM t UNION SELECT s FROM t", "FROM t |> SELECT g |> UNION DISTINCT (SELECT s FROM t)"},
		{"window-extend", "SELECT *, row_number() OVER (PARTITION BY g ORDER BY id) AS rn FROM t", "FROM t |> EXTEND row_number() OVER (PARTITION BY g ORDER BY id) AS rn"},
		{"window-running-sum", "SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS rs FROM t",
			"FROM t |> EXTEND sum(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS rs |> SELECT id, rs"},
		{"distinct", "SELECT DISTINCT g FROM t", "FROM t |> SELECT DISTINCT g"},
		{"set-drop", "SELECT id, g, upper(s) AS s FROM t WHERE id <= 2", "FROM t |> WHERE id <= 2 |> SET s = upper(s) |> DROP f, v"},
		{"seed", `SELECT properties.recommender.variant AS variant, hour(timestamp) AS h, count(*) AS n
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY properties.recommender.variant, hour(timestamp)
ORDER BY variant, h`,
			"FROM events |> WHERE event = 'Added to Cart' AND properties.vertical = 'Food' |> AGGREGATE count(*) AS n GROUP BY properties.recommender.variant AS variant, hour(timestamp) AS h |> ORDER BY variant, h"},
	}
	e := testEngine()
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			sql, err := explain(e, p.sql)
			if err != nil {
				t.Fatalf("SQL: %v", err)
			}
			pipe, err := explain(e, p.pipe)
			if err != nil {
				t.Fatalf("pipe: %v", err)
			}
			if sql != pipe {
				t.Errorf("plans differ\nSQL:  %s\n%s\npipe: %s\n%s", p.sql, sql, p.pipe, pipe)
			}
		})
	}
}
