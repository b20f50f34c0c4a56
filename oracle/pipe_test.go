package oracle

// pipeSQL gives, for each pipe-syntax case, the plain SQL that means the
// same; DuckDB has no |> syntax. The oracle runs the SQL against the case's
// own inputs and expected rows, so the pipe cases' outputs are still checked
// by an engine nobody here wrote. Each translation follows the pipe
// semantics of Spark/GoogleSQL: AGGREGATE outputs the grouping keys first,
// then the aggregates.
var pipeSQL = map[string]string{
	"pipe/where":                          "SELECT id FROM t WHERE v > 6",
	"pipe/aggregate_group":                "SELECT g, count(*) AS n, sum(id) AS s FROM t GROUP BY g",
	"pipe/aggregate_order":                "SELECT properties.vertical AS vertical, count(*) AS n FROM events WHERE event = 'Added to Cart' GROUP BY properties.vertical ORDER BY n DESC",
	"pipe/select_extend":                  "SELECT id, big FROM (SELECT *, id * 10 AS big FROM t) AS q WHERE big > 20",
	"pipe/limit":                          "SELECT * FROM t ORDER BY id DESC LIMIT 2 OFFSET 1",
	"pipe/global_aggregate":               "SELECT count(*) AS n, avg(v) AS a FROM t",
	"pipe/set_drop":                       "SELECT id, g, upper(s) AS s FROM t WHERE id <= 2",
	"pipe/set_in_order":                   "SELECT x, y, (x + length(y)) * 10 + 1 AS z, x + length(y) + 1 AS zz FROM t",
	"pipe/single_bar_offset_minus":        "SELECT id FROM t WHERE id <= 4 AND id <> 1 ORDER BY id OFFSET 1",
	"pipe/select_group_by":                "SELECT * FROM (SELECT g, count(*) AS n, sum(id) AS s FROM t GROUP BY g) WHERE n > 1",
	"pipe/natural_join":                   "SELECT id, g, v FROM (SELECT id, g FROM t) NATURAL JOIN (SELECT id, v FROM t WHERE v > 6) ORDER BY id",
	"pipe/tablesample":                    "SELECT id FROM t WHERE id <= 2 LIMIT 5",
	"pipe/join":                           "SELECT e.messageId, u.plan FROM events AS e JOIN users AS u ON e.userId = u.uid",
	"pipe/after_sql":                      "SELECT g, count(*) AS n FROM (SELECT id, g FROM t WHERE id > 1) AS q WHERE g IS NOT NULL GROUP BY g",
	"pipe/aggregate_group_ordinal":        "SELECT x, sum(y) FROM t GROUP BY x",
	"pipe/aggregate_group_ordinals_mixed": "SELECT x, y, z, sum(y) AS s FROM t GROUP BY x, y, z",
	"pipe/aggregate_group_ordinal_range":  "SELECT sum(y) FROM t GROUP BY 4",
	"pipe/union_table":                    "SELECT event, count(*) AS n FROM (SELECT event FROM t UNION ALL SELECT * FROM u) AS q GROUP BY event ORDER BY event",
	"pipe/table_start":                    "SELECT event, count(*) AS n FROM t WHERE userId = 'u1' GROUP BY event ORDER BY event",
	"pipe/seed":                           "SELECT properties.recommender.variant AS variant, hour(timestamp) AS h, count(*) AS n FROM events WHERE event = 'Added to Cart' AND properties.vertical = 'Food' GROUP BY 1, 2 ORDER BY variant, h",
}
