package engine_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the EXPLAIN golden files under testdata/explain")

// TestExplainGolden pins the optimised plan of a few representative
// queries. Above all it shows column pruning: each Scan line lists only
// the JSON paths the query reads. Regenerate with
// go test ./engine -run TestExplainGolden -update, and review the diff.
func TestExplainGolden(t *testing.T) {
	cases := []struct{ name, query string }{
		{"seed", "FROM events |> WHERE event = 'Added to Cart' AND properties.vertical = 'Food' |> AGGREGATE count(*) AS n GROUP BY properties.recommender.variant AS variant, hour(timestamp) AS h |> ORDER BY variant, h"},
		{"count_star", "SELECT count(*) AS n FROM events"},
		{"nested_path", "SELECT properties.price * properties.quantity AS revenue FROM events WHERE properties.price IS NOT NULL"},
		{"join", "SELECT e.messageId, u.plan FROM events AS e JOIN users AS u ON e.userId = u.uid WHERE e.event = 'Order Completed'"},
		{"top_n", "SELECT messageId, timestamp FROM events ORDER BY timestamp DESC LIMIT 3"},
		{"window", "FROM t |> EXTEND sum(v) OVER (PARTITION BY g ORDER BY id) AS running |> SELECT id, running"},
		{"unused_window", "FROM t |> EXTEND rank() OVER (ORDER BY v) AS r |> SELECT id"},
		{"union", "SELECT userId FROM events UNION SELECT uid FROM users"},
		{"subquery", "SELECT messageId FROM events WHERE properties.price > (SELECT avg(properties.price) FROM events)"},
		// The join's filter is pushed into a side whose scan already holds
		// the inner WHERE: each condition must reach the scan once.
		{"join_filter_over_filter", "SELECT a.messageId FROM (SELECT * FROM events WHERE event = 'Order Completed') AS a JOIN users AS u ON a.userId = u.uid WHERE a.userId IS NOT NULL"},
		// Event time binds to plan nodes: the filter under the watermark
		// reaches the scan, and the scan reads only what the windows need.
		{"time_windows", "SELECT window.start AS s, event, count(*) AS n FROM events WATERMARK timestamp DELAY OF INTERVAL 10 MINUTES WHERE event <> 'Page Viewed' GROUP BY event, window(timestamp, '1 hour', '30 minutes')"},
		// Nested data: a constant subscript on a path is one scan column
		// (the scanner extracts that value, not the array); a generator
		// is a Generate node over the scan of the whole array.
		{"products_path", "SELECT properties.products[0].price AS first_price FROM orders WHERE properties.products[1].sku IS NULL"},
		{"lateral_view_gmv", "SELECT p.product_id, sum(p.price * p.quantity) AS gmv FROM orders LATERAL VIEW explode(properties.products) x AS p WHERE event = 'Order Completed' GROUP BY p.product_id"},
		{"select_explode", "SELECT id, explode_outer(properties.tags) AS tag FROM orders WHERE id > 1"},
		{"posexplode_aliases", "SELECT id, x.i, x.p.sku FROM orders LATERAL VIEW OUTER posexplode(properties.products) x AS i, p"},
		{"lambda", "SELECT aggregate(properties.products, 0, (acc, p) -> acc + p.price * p.quantity, acc -> round(acc, 2)) AS total, filter(properties.tags, (t, i) -> i > 0 AND t <> event) AS rest FROM orders"},
		{"constructors", "SELECT named_struct('id', id, 'tags', array(event, 'x')) AS s, map('k', id)['k'] AS v, from_json('{\"a\": 1}', 'a INT').a AS a FROM orders"},
		// Inline tables and grouping sets (Spark's golden files, issue 15).
		{"values_join", "SELECT e.event, l.label FROM events AS e JOIN VALUES ('Order Completed', 'buy') AS l(event, label) ON e.event = l.event"},
		{"rollup", "SELECT event, userId, count(*) AS n, grouping_id() AS g FROM events GROUP BY ROLLUP(event, userId)"},
		{"shared_narrowed", "WITH w AS (SELECT userId, messageId, timestamp FROM events WHERE event = 'Order Completed') SELECT a.messageId, b.n FROM w AS a JOIN (SELECT userId, count(*) AS n FROM w GROUP BY userId) AS b ON a.userId = b.userId"},
	}
	e := nestedEngine()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := explain(e, c.query)
			if err != nil {
				t.Fatal(err)
			}
			got = "-- " + c.query + "\n" + got
			path := filepath.Join("testdata", "explain", c.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("plan changed (run with -update if intended)\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestExplainPrunesScan checks pruning directly, independent of the golden
// text: the seed query's scan reads exactly the four paths it mentions.
func TestExplainPrunesScan(t *testing.T) {
	got, err := explain(testEngine(), "FROM events |> WHERE event = 'Added to Cart' AND properties.vertical = 'Food' |> AGGREGATE count(*) AS n GROUP BY properties.recommender.variant AS variant, hour(timestamp) AS h")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, line := range strings.Split(got, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "Scan "); ok {
			_, list, _ := strings.Cut(s, "[")
			list, _, _ = strings.Cut(list, "]")
			cols = strings.Split(strings.ReplaceAll(list, "`", ""), ", ")
		}
	}
	slices.Sort(cols)
	want := []string{"event", "properties.recommender.variant", "properties.vertical", "timestamp"}
	if !slices.Equal(cols, want) {
		t.Errorf("scan reads %q, want exactly %q\nplan:\n%s", cols, want, got)
	}
}

// TestExplainNestedPathsStayPaths checks that a query reading fields of
// array elements by constant subscripts has the scanner extract exactly
// those values: no whole-array column is read.
func TestExplainNestedPathsStayPaths(t *testing.T) {
	got, err := explain(nestedEngine(), "SELECT properties.products[0].price AS p, properties.products[1].product_id AS q FROM orders WHERE properties.products[0].quantity > 1")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, line := range strings.Split(got, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "Scan "); ok {
			s, _, _ = strings.Cut(s, " prune by ")
			_, list, _ := strings.Cut(s, "[")
			list = strings.TrimSuffix(list, "]")
			cols = strings.Split(strings.ReplaceAll(list, "`", ""), ", ")
		}
	}
	slices.Sort(cols)
	want := []string{"properties.products[0].price", "properties.products[0].quantity", "properties.products[1].product_id"}
	if !slices.Equal(cols, want) {
		t.Errorf("scan reads %q, want exactly %q\nplan:\n%s", cols, want, got)
	}
}
