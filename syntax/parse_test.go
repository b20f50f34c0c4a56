package syntax

import (
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// acceptedCases are queries the parser must accept. Each is checked for a
// stable print round trip; where want is set, the canonical text must be
// exactly that. FuzzParse seeds from this table too.
var acceptedCases = []struct {
	src, want string
}{
	// ---- the seed analysis: Added to Cart in Food by recommender variant and hour of day ----
	{`SELECT properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day, count(*) AS n
	  FROM events
	  WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
	  GROUP BY 1, 2
	  ORDER BY variant, hour_of_day`,
		"SELECT properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day, count(*) AS n FROM events WHERE event = 'Added to Cart' AND properties.vertical = 'Food' GROUP BY 1, 2 ORDER BY variant, hour_of_day"},
	{`FROM events
	  |> WHERE event = "Added to Cart" AND properties.vertical = "Food"
	  |> AGGREGATE count(*) AS n GROUP BY properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day
	  |> ORDER BY variant, hour_of_day`,
		"FROM events\n|> WHERE event = 'Added to Cart' AND properties.vertical = 'Food'\n|> AGGREGATE count(*) AS n GROUP BY properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day\n|> ORDER BY variant, hour_of_day"},
	{`select Properties.Recommender.Variant variant, HOUR(Timestamp) h, COUNT(*) n from read_json('segment-logs/**/*.gz') e where e.event = 'Added to Cart' group by variant, h`,
		"SELECT Properties.Recommender.Variant AS variant, hour(Timestamp) AS h, count(*) AS n FROM read_json('segment-logs/**/*.gz') AS e WHERE e.event = 'Added to Cart' GROUP BY variant, h"},

	// ---- named table-function arguments (Spark 4) ----
	{`SELECT event FROM read_json('logs', schema => 'event STRING, properties STRUCT<price: DOUBLE>') AS l`,
		"SELECT event FROM read_json('logs', schema => 'event STRING, properties STRUCT<price: DOUBLE>') AS l"},
	{`FROM read_json(schema=>'a INT', path => 'x')`, "FROM read_json(schema => 'a INT', path => 'x')"},

	// ---- PIVOT and UNPIVOT (Spark's pivot.sql, unpivot.sql, pipe-operators.sql) ----
	{`SELECT * FROM (SELECT year, course, earnings FROM courseSales) PIVOT (sum(earnings) FOR course IN ('dotNET', 'Java'))`,
		"SELECT * FROM (SELECT year, course, earnings FROM courseSales) PIVOT (sum(earnings) FOR course IN ('dotNET', 'Java'))"},
	{`select * from t pivot (sum(e) s, avg(e) as a for y in (2012 firstYear, 2013 as secondYear))`,
		"SELECT * FROM t PIVOT (sum(e) AS s, avg(e) AS a FOR y IN (2012 AS firstYear, 2013 AS secondYear))"},
	{`SELECT * FROM t PIVOT (max(a) FOR (y, course) IN ((2012, 'dotNET'), (2013, 'Java') AS j))`,
		"SELECT * FROM t PIVOT (max(a) FOR (y, course) IN ((2012, 'dotNET'), (2013, 'Java') AS j))"},
	{`SELECT * FROM t UNPIVOT EXCLUDE NULLS (v FOR y IN (t.a AS first, b)) AS u`,
		"SELECT * FROM t UNPIVOT (v FOR y IN (t.a AS first, b)) AS u"},
	{`SELECT * FROM t UNPIVOT INCLUDE NULLS ((e, s) FOR y IN ((e1, s1) AS ` + "`2012`" + `, (e2, s2)))`,
		"SELECT * FROM t UNPIVOT INCLUDE NULLS ((e, s) FOR y IN ((e1, s1) AS `2012`, (e2, s2)))"},
	{`TABLE courseSales |> PIVOT (sum(earnings) FOR course IN ('dotNET', 'Java')) |> UNPIVOT (e FOR c IN (dotNET, Java))`,
		"FROM courseSales\n|> PIVOT (sum(earnings) FOR course IN ('dotNET', 'Java'))\n|> UNPIVOT (e FOR c IN (dotNET, Java))"},
	{`SELECT pivot.x FROM t AS pivot`, "SELECT pivot.x FROM t AS pivot"},
	{`FROM t |> PIVOT (count(*) FOR event IN ('a') GROUP BY properties.variant AS v, hour(timestamp))`,
		"FROM t\n|> PIVOT (count(*) FOR event IN ('a') GROUP BY properties.variant AS v, hour(timestamp))"},
	{`SELECT * FROM t PIVOT (count(*) FOR event IN ('a') GROUP BY ())`, "SELECT * FROM t PIVOT (count(*) FOR event IN ('a') GROUP BY ())"},
	{`SELECT pv.2012_s FROM t PIVOT (sum(e) s FOR y IN (2012)) pv`, "SELECT pv.`2012_s` FROM t PIVOT (sum(e) AS s FOR y IN (2012)) AS pv"},

	// ---- nested data: LATERAL VIEW, lambdas, nested types, element access ----
	{`SELECT p.product_id, sum(p.price * p.quantity) AS gmv FROM events LATERAL VIEW explode(properties.products) t AS p WHERE event = 'Order Completed' GROUP BY 1`,
		"SELECT p.product_id, sum(p.price * p.quantity) AS gmv FROM events LATERAL VIEW explode(properties.products) t AS p WHERE event = 'Order Completed' GROUP BY 1"},
	{`select * from t lateral view outer posexplode(a) x as pos, v lateral view explode(m) y`,
		"SELECT * FROM t LATERAL VIEW OUTER posexplode(a) x AS pos, v LATERAL VIEW explode(m) y"},
	{`SELECT * FROM a JOIN b ON a.id = b.id LATERAL VIEW inline(b.items) i AS sku, qty`,
		"SELECT * FROM a JOIN b ON a.id = b.id LATERAL VIEW inline(b.items) i AS sku, qty"},
	{`FROM t LATERAL VIEW explode(a) e AS x |> WHERE x > 1`, "FROM t LATERAL VIEW explode(a) e AS x\n|> WHERE x > 1"},
	{`SELECT posexplode(a) AS (pos, val), explode(m) (k, v) FROM t`, ""},
	{`SELECT posexplode(a) AS (pos, val) FROM t`, "SELECT posexplode(a) AS (pos, val) FROM t"},
	{`SELECT transform(a, x -> x + 1), filter(a, (x, i) -> x > i), aggregate(a, 0, (acc, x) -> acc + x, acc -> acc * 10)`,
		"SELECT transform(a, x -> x + 1), filter(a, (x, i) -> x > i), aggregate(a, 0, (acc, x) -> acc + x, acc -> acc * 10)"},
	{`SELECT exists(a, x -> x IS NULL OR x BETWEEN 1 AND 2), transform(a, x -> transform(x, y -> y * 2))`,
		"SELECT exists(a, x -> x IS NULL OR x BETWEEN 1 AND 2), transform(a, x -> transform(x, y -> y * 2))"},
	{`SELECT CAST(a AS ARRAY<INT>), TRY_CAST(m AS map<string,array<bigint>>), s::STRUCT<a: INT, ` + "`b c`" + ` STRING>, CAST(NULL AS STRUCT<>)`,
		"SELECT CAST(a AS ARRAY<BIGINT>), TRY_CAST(m AS MAP<STRING, ARRAY<BIGINT>>), CAST(s AS STRUCT<a: BIGINT, `b c`: STRING>), CAST(NULL AS STRUCT<>)"},
	{`SELECT a[0], m['k'], s.f, a[0].f, (named_struct('x', 1)).x, array(1, 2)[1 + 1], map('a', 1)['a'], element_at(a, -1)`,
		"SELECT a[0], m['k'], s.f, a[0].f, named_struct('x', 1).x, array(1, 2)[1 + 1], map('a', 1)['a'], element_at(a, -1)"},
	{`SELECT properties.* FROM events`, "SELECT properties.* FROM events"},

	// ---- dedupe by messageId and first exposure with window functions ----
	{`SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn FROM events) WHERE rn = 1`,
		"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn FROM events) WHERE rn = 1"},
	{`FROM events |> EXTEND row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn |> WHERE rn = 1 |> DROP rn`,
		"FROM events\n|> EXTEND row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn\n|> WHERE rn = 1\n|> DROP rn"},
	{`WITH dedup AS (SELECT *, row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn FROM events),
	      exposure AS (SELECT userId, min(timestamp) AS first_seen, first_value(properties.variation_id) OVER (PARTITION BY userId ORDER BY timestamp) AS variant FROM dedup WHERE rn = 1 AND event = 'Experiment Viewed' GROUP BY userId, properties.variation_id, timestamp)
	  SELECT variant, count(DISTINCT userId) AS users FROM exposure GROUP BY variant`, ""},
	{`SELECT userId, lag(timestamp, 1) OVER (PARTITION BY userId ORDER BY timestamp) AS prev, lead(event) OVER (PARTITION BY userId ORDER BY timestamp) AS next_event FROM events`, ""},
	{`SELECT rank() OVER (ORDER BY n DESC), dense_rank() OVER (ORDER BY n DESC) FROM t`,
		"SELECT rank() OVER (ORDER BY n DESC), dense_rank() OVER (ORDER BY n DESC) FROM t"},
	{`SELECT sum(revenue) OVER (PARTITION BY userId ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders`,
		"SELECT sum(revenue) OVER (PARTITION BY userId ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders"},
	{`SELECT avg(x) OVER (ORDER BY t ROWS 3 PRECEDING) FROM s`,
		"SELECT avg(x) OVER (ORDER BY t ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) FROM s"},
	{`SELECT count(*) OVER (PARTITION BY a RANGE BETWEEN 2 PRECEDING AND 3 FOLLOWING), max(x) OVER (), min(x) OVER (ORDER BY y ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM s`,
		"SELECT count(*) OVER (PARTITION BY a RANGE BETWEEN 2 PRECEDING AND 3 FOLLOWING), max(x) OVER (), min(x) OVER (ORDER BY y ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM s"},
	{`SELECT last_value(x) OVER (PARTITION BY k ORDER BY t ASC NULLS FIRST) FROM s`,
		"SELECT last_value(x) OVER (PARTITION BY k ORDER BY t NULLS FIRST) FROM s"},

	// ---- SELECT clauses ----
	{"SELECT 1", "SELECT 1"},
	{"select a from t", "SELECT a FROM t"},
	{"SELECT * FROM t", "SELECT * FROM t"},
	{"SELECT t.*, u.a FROM t, u", "SELECT t.*, u.a FROM t CROSS JOIN u"},
	{"SELECT db.t.* FROM db.t", "SELECT db.t.* FROM db.t"},
	{"SELECT DISTINCT event FROM events", "SELECT DISTINCT event FROM events"},
	{"SELECT ALL event FROM events", "SELECT event FROM events"},
	{"SELECT a AS x, b y, c AS `weird name` FROM t", "SELECT a AS x, b AS y, c AS `weird name` FROM t"},
	{"SELECT a FROM t WHERE b > 1", "SELECT a FROM t WHERE b > 1"},
	{"SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 10", "SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 10"},
	{"SELECT a FROM t ORDER BY a DESC NULLS LAST, b ASC, c NULLS FIRST", "SELECT a FROM t ORDER BY a DESC NULLS LAST, b, c NULLS FIRST"},
	{"SELECT a FROM t LIMIT 10", "SELECT a FROM t LIMIT 10"},
	{"SELECT a FROM t LIMIT 10 OFFSET 20", "SELECT a FROM t LIMIT 10 OFFSET 20"},
	{"SELECT a FROM t OFFSET 5", "SELECT a FROM t OFFSET 5"},
	{"SELECT a FROM t GROUP BY 1 ORDER BY 1", "SELECT a FROM t GROUP BY 1 ORDER BY 1"},
	{"SELECT 1 WHERE TRUE", "SELECT 1 WHERE TRUE"},
	{"SELECT a FROM t;", "SELECT a FROM t"},
	{"(SELECT a FROM t)", "SELECT a FROM t"},
	{"((SELECT a FROM t))", "SELECT a FROM t"},
	{"(SELECT a FROM t ORDER BY a) LIMIT 3", "SELECT a FROM t ORDER BY a LIMIT 3"},
	{"(SELECT a FROM t LIMIT 3) ORDER BY a", "SELECT a FROM t LIMIT 3\n|> ORDER BY a"},
	{"(SELECT a FROM t LIMIT 3) LIMIT 2 OFFSET 1", "SELECT a FROM t LIMIT 3\n|> LIMIT 2 OFFSET 1"},

	// ---- set operations ----
	{"SELECT a FROM t UNION SELECT a FROM u", "SELECT a FROM t UNION SELECT a FROM u"},
	{"SELECT a FROM t UNION ALL SELECT a FROM u", "SELECT a FROM t UNION ALL SELECT a FROM u"},
	{"SELECT a FROM t UNION DISTINCT SELECT a FROM u", "SELECT a FROM t UNION SELECT a FROM u"},
	{"SELECT a FROM t EXCEPT SELECT a FROM u", "SELECT a FROM t EXCEPT SELECT a FROM u"},
	{"SELECT a FROM t MINUS SELECT a FROM u", "SELECT a FROM t EXCEPT SELECT a FROM u"},
	{"SELECT a FROM t INTERSECT ALL SELECT a FROM u", "SELECT a FROM t INTERSECT ALL SELECT a FROM u"},
	{"SELECT 1 UNION SELECT 2 INTERSECT SELECT 3", "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"},
	{"(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3", "(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3"},
	{"SELECT 1 UNION (SELECT 2 UNION SELECT 3)", "SELECT 1 UNION (SELECT 2 UNION SELECT 3)"},
	{"SELECT 1 EXCEPT SELECT 2 UNION SELECT 3", "SELECT 1 EXCEPT SELECT 2 UNION SELECT 3"},
	{"SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 DESC LIMIT 5", "SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 DESC LIMIT 5"},
	{"(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u ORDER BY b LIMIT 1)", "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u ORDER BY b LIMIT 1)"},
	{"(SELECT 1 UNION SELECT 2 LIMIT 1) UNION SELECT 3", "(SELECT 1 UNION SELECT 2 LIMIT 1) UNION SELECT 3"},
	{"FROM t UNION ALL FROM u", "FROM t UNION ALL FROM u"},

	// ---- WITH ----
	{"WITH x AS (SELECT a FROM t) SELECT * FROM x", "WITH x AS (SELECT a FROM t) SELECT * FROM x"},
	{"WITH x AS (SELECT 1), y AS (SELECT 2) SELECT * FROM x, y", "WITH x AS (SELECT 1), y AS (SELECT 2) SELECT * FROM x CROSS JOIN y"},
	{"WITH x (SELECT 1) FROM x |> WHERE a", "WITH x AS (SELECT 1) FROM x\n|> WHERE a"},
	{"(WITH x AS (SELECT 1) SELECT * FROM x) |> LIMIT 1", "(WITH x AS (SELECT 1) SELECT * FROM x)\n|> LIMIT 1"},
	{"SELECT 1 UNION (WITH x AS (SELECT 2) SELECT * FROM x)", "SELECT 1 UNION (WITH x AS (SELECT 2) SELECT * FROM x)"},

	// ---- FROM and joins ----
	{"SELECT * FROM segment.events", "SELECT * FROM segment.events"},
	{"SELECT * FROM `my-bucket`.`events 2024`", "SELECT * FROM `my-bucket`.`events 2024`"},
	{"SELECT * FROM events AS e", "SELECT * FROM events AS e"},
	{"SELECT * FROM events e", "SELECT * FROM events AS e"},
	{"SELECT * FROM read_json('logs/**/*.gz')", "SELECT * FROM read_json('logs/**/*.gz')"},
	{"SELECT * FROM READ_PARQUET('a.parquet', 'b.parquet') p", "SELECT * FROM read_parquet('a.parquet', 'b.parquet') AS p"},
	{"SELECT * FROM (SELECT a FROM t) AS s", "SELECT * FROM (SELECT a FROM t) AS s"},
	{"SELECT * FROM (SELECT a FROM t) s", "SELECT * FROM (SELECT a FROM t) AS s"},
	{"SELECT * FROM (SELECT a FROM t)", "SELECT * FROM (SELECT a FROM t)"},
	{"SELECT * FROM ((SELECT a FROM t) UNION (SELECT b FROM u)) x", "SELECT * FROM (SELECT a FROM t UNION SELECT b FROM u) AS x"},
	{"SELECT * FROM a JOIN b ON a.id = b.id", "SELECT * FROM a JOIN b ON a.id = b.id"},
	{"SELECT * FROM a INNER JOIN b USING (id, day)", "SELECT * FROM a JOIN b USING (id, day)"},
	{"SELECT * FROM a LEFT OUTER JOIN b ON a.id = b.id", "SELECT * FROM a LEFT JOIN b ON a.id = b.id"},
	{"SELECT * FROM a LEFT JOIN b ON a.id = b.id", "SELECT * FROM a LEFT JOIN b ON a.id = b.id"},
	{"SELECT * FROM a RIGHT OUTER JOIN b ON a.id = b.id", "SELECT * FROM a RIGHT JOIN b ON a.id = b.id"},
	{"SELECT * FROM a FULL OUTER JOIN b ON a.id = b.id", "SELECT * FROM a FULL JOIN b ON a.id = b.id"},
	{"SELECT * FROM a FULL JOIN b ON a.id = b.id", "SELECT * FROM a FULL JOIN b ON a.id = b.id"},
	{"SELECT * FROM a CROSS JOIN b", "SELECT * FROM a CROSS JOIN b"},
	{"SELECT * FROM a natural join b", "SELECT * FROM a NATURAL JOIN b"},
	{"SELECT percentile_cont(0.25) within group (order by v desc) filter (where k > 0), mode() WITHIN GROUP (ORDER BY s) FROM t", "SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY v DESC) FILTER (WHERE k > 0), mode() WITHIN GROUP (ORDER BY s) FROM t"},
	{"SELECT a, rank() OVER (ORDER BY b) AS r FROM t qualify r = 1 ORDER BY a", "SELECT a, rank() OVER (ORDER BY b) AS r FROM t QUALIFY r = 1 ORDER BY a"},
	{"SELECT a FROM t GROUP BY a HAVING count(*) > 1 QUALIFY row_number() OVER w = 1 WINDOW w AS (ORDER BY a) LIMIT 3", "SELECT a FROM t GROUP BY a HAVING count(*) > 1 QUALIFY row_number() OVER (ORDER BY a) = 1 LIMIT 3"},
	{"SELECT sum(x) OVER w, rank() OVER (w) FROM t WINDOW w AS (PARTITION BY a ORDER BY b)", "SELECT sum(x) OVER (PARTITION BY a ORDER BY b), rank() OVER (PARTITION BY a ORDER BY b) FROM t"},
	{"SELECT sum(x) OVER w2 FROM t GROUP BY x HAVING x > 1 WINDOW w1 AS (ORDER BY x ROWS 1 PRECEDING), w2 AS w1 ORDER BY 1", "SELECT sum(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t GROUP BY x HAVING x > 1 ORDER BY 1"},
	{"SELECT (SELECT max(y) OVER w FROM u WINDOW w AS (PARTITION BY z)) FROM t", "SELECT (SELECT max(y) OVER (PARTITION BY z) FROM u) FROM t"},
	{"FROM t |> SELECT a, sum(b) OVER w WINDOW w AS (PARTITION BY a) |> EXTEND rank() OVER v AS r WINDOW v AS (ORDER BY a)", "FROM t\n|> SELECT a, sum(b) OVER (PARTITION BY a)\n|> EXTEND rank() OVER (ORDER BY a) AS r"},
	{"FROM t |> OFFSET 1 |> LIMIT ALL OFFSET 0 |> limit all |> MINUS ALL TABLE u", "FROM t\n|> OFFSET 1\n|> OFFSET 0\n|> LIMIT ALL\n|> EXCEPT ALL (FROM u)"},
	{"FROM t | WHERE a | select a, b | extend a || 'x' AS c | order by a | limit 1", "FROM t\n|> WHERE a\n|> SELECT a, b\n|> EXTEND a || 'x' AS c\n|> ORDER BY a\n|> LIMIT 1"},
	{"WITH t(x, `y z`) AS (SELECT 1, 2) SELECT x FROM t", "WITH t(x, `y z`) AS (SELECT 1, 2) SELECT x FROM t"},
	{"WITH t (SELECT 1), u (a) (SELECT 2) SELECT * FROM t, u", "WITH t AS (SELECT 1), u(a) AS (SELECT 2) SELECT * FROM t CROSS JOIN u"},
	{"TABLE t |> UNION ALL TABLE u, (SELECT 1) |> except table db.v", "FROM t\n|> UNION ALL (FROM u), (SELECT 1)\n|> EXCEPT (FROM db.v)"},
	{"SELECT a LIKE ANY ('x%', b || '%'), a not ilike some ('y'), a LIKE ALL (NULL, 'z') FROM t", "SELECT a LIKE ANY ('x%', b || '%'), a NOT ILIKE ANY ('y'), a LIKE ALL (NULL, 'z') FROM t"},
	{"SELECT * FROM t WHERE NOT a LIKE ALL ('%o%') AND a LIKE any", "SELECT * FROM t WHERE NOT a LIKE ALL ('%o%') AND a LIKE any"},
	{"SELECT * FROM a NATURAL LEFT OUTER JOIN b NATURAL FULL JOIN c", "SELECT * FROM a NATURAL LEFT JOIN b NATURAL FULL JOIN c"},
	{"SELECT * FROM a JOIN b", "SELECT * FROM a JOIN b"},
	{"SELECT * FROM a LEFT SEMI JOIN b ON a.id = b.id", "SELECT * FROM a LEFT SEMI JOIN b ON a.id = b.id"},
	{"SELECT * FROM a SEMI JOIN b ON a.id = b.id", "SELECT * FROM a LEFT SEMI JOIN b ON a.id = b.id"},
	{"SELECT * FROM a LEFT ANTI JOIN b USING (id)", "SELECT * FROM a LEFT ANTI JOIN b USING (id)"},
	{"SELECT * FROM a ANTI JOIN b USING (id)", "SELECT * FROM a LEFT ANTI JOIN b USING (id)"},
	{"SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c ON b.y = c.y, d", "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c ON b.y = c.y CROSS JOIN d"},
	{"SELECT * FROM a JOIN (b JOIN c ON b.y = c.y) ON a.x = b.x", "SELECT * FROM a JOIN (b JOIN c ON b.y = c.y) ON a.x = b.x"},
	{"SELECT e.userId FROM events e JOIN users u ON e.userId = u.id WHERE u.plan = 'pro'", "SELECT e.userId FROM events AS e JOIN users AS u ON e.userId = u.id WHERE u.plan = 'pro'"},

	// ---- pipe syntax ----
	{"FROM events", "FROM events"},
	{"FROM events |> WHERE type = 'track'", "FROM events\n|> WHERE type = 'track'"},
	{"FROM events |> SELECT event, timestamp", "FROM events\n|> SELECT event, timestamp"},
	{"FROM events |> SELECT DISTINCT event", "FROM events\n|> SELECT DISTINCT event"},
	{"FROM events |> EXTEND hour(timestamp) AS h, lower(event) e", "FROM events\n|> EXTEND hour(timestamp) AS h, lower(event) AS e"},
	{"FROM events |> SET event = lower(event), version = version + 1", "FROM events\n|> SET event = lower(event), version = version + 1"},
	{"FROM events |> DROP context, `_metadata`", "FROM events\n|> DROP context, _metadata"},
	{"FROM events |> DROP context.page.url", "FROM events\n|> DROP context.page.url"},
	{"FROM events |> AS e |> WHERE e.type = 'page'", "FROM events\n|> AS e\n|> WHERE e.type = 'page'"},
	{"FROM events |> AGGREGATE count(*)", "FROM events\n|> AGGREGATE count(*)"},
	{"FROM events |> AGGREGATE GROUP BY event", "FROM events\n|> AGGREGATE GROUP BY event"},
	{"FROM events |> AGGREGATE count(*) AS n, count(DISTINCT userId) AS users GROUP BY event, type AS kind", "FROM events\n|> AGGREGATE count(*) AS n, count(DISTINCT userId) AS users GROUP BY event, type AS kind"},
	{"FROM events |> ORDER BY timestamp DESC", "FROM events\n|> ORDER BY timestamp DESC"},
	{"FROM events |> LIMIT 10", "FROM events\n|> LIMIT 10"},
	{"FROM events |> LIMIT 10 OFFSET 10", "FROM events\n|> LIMIT 10 OFFSET 10"},
	{"FROM events |> JOIN users ON events.userId = users.id", "FROM events\n|> JOIN users ON events.userId = users.id"},
	{"FROM events AS e |> LEFT OUTER JOIN users u ON e.userId = u.id", "FROM events AS e\n|> LEFT JOIN users AS u ON e.userId = u.id"},
	{"FROM events |> CROSS JOIN dims", "FROM events\n|> CROSS JOIN dims"},
	{"FROM events |> LEFT SEMI JOIN (SELECT id FROM vips) v ON userId = v.id", "FROM events\n|> LEFT SEMI JOIN (SELECT id FROM vips) AS v ON userId = v.id"},
	{"FROM events |> LEFT ANTI JOIN bots USING (anonymousId)", "FROM events\n|> LEFT ANTI JOIN bots USING (anonymousId)"},
	{"FROM a |> UNION ALL (FROM b), (SELECT * FROM c)", "FROM a\n|> UNION ALL (FROM b), (SELECT * FROM c)"},
	{"FROM a |> INTERSECT DISTINCT (FROM b)", "FROM a\n|> INTERSECT (FROM b)"},
	{"FROM a |> EXCEPT (FROM b |> WHERE x)", "FROM a\n|> EXCEPT (FROM b\n|> WHERE x)"},
	{"SELECT event FROM events |> WHERE event IS NOT NULL", "SELECT event FROM events\n|> WHERE event IS NOT NULL"},
	{"SELECT 1 UNION SELECT 2 |> ORDER BY 1", "SELECT 1 UNION SELECT 2\n|> ORDER BY 1"},
	{"FROM a, b |> WHERE a.x = b.x", "FROM a CROSS JOIN b\n|> WHERE a.x = b.x"},
	{"FROM t ORDER BY x", "FROM t\n|> ORDER BY x"},
	{"SELECT * FROM (FROM events |> WHERE type = 'track') t", "SELECT * FROM (FROM events\n|> WHERE type = 'track') AS t"},

	// ---- expressions and precedence ----
	{"SELECT a + b * c - d / e % f", "SELECT a + b * c - d / e % f"},
	{"SELECT (a + b) * c", "SELECT (a + b) * c"},
	{"SELECT a - (b - c), (a - b) - c", "SELECT a - (b - c), a - b - c"},
	{"SELECT a DIV 2, a div b", "SELECT a DIV 2, a DIV b"},
	{"SELECT a || b || 'x'", "SELECT a || b || 'x'"},
	{"SELECT a || b + c", "SELECT a || b + c"},
	{"SELECT (a || b) + c", "SELECT (a || b) + c"},
	{"SELECT a OR b AND c", "SELECT a OR b AND c"},
	{"SELECT (a OR b) AND c", "SELECT (a OR b) AND c"},
	{"SELECT a AND (b AND c)", "SELECT a AND (b AND c)"},
	{"SELECT NOT a AND b", "SELECT NOT a AND b"},
	{"SELECT NOT (a AND b)", "SELECT NOT (a AND b)"},
	{"SELECT NOT NOT a", "SELECT NOT NOT a"},
	{"SELECT NOT a = b", "SELECT NOT a = b"},
	{"SELECT (NOT a) = b", "SELECT (NOT a) = b"},
	{"SELECT a = b = c", "SELECT a = b = c"},
	{"SELECT a = (b = c)", "SELECT a = (b = c)"},
	{"SELECT a == b, a <> b, a != b, a < b, a <= b, a > b, a >= b, a <=> b", "SELECT a = b, a != b, a != b, a < b, a <= b, a > b, a >= b, a <=> b"},
	{"SELECT a IS NULL, a IS NOT NULL, (a = b) IS NULL", "SELECT a IS NULL, a IS NOT NULL, a = b IS NULL"},
	{"SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b", "SELECT NOT a <=> b, a <=> b"},
	{"SELECT a IN (1, 2, 3), a NOT IN ('x')", "SELECT a IN (1, 2, 3), a NOT IN ('x')"},
	{"SELECT userId IN (SELECT id FROM vips)", "SELECT userId IN (SELECT id FROM vips)"},
	{"SELECT x IN ((SELECT 1), 2)", "SELECT x IN ((SELECT 1), 2)"},
	{"SELECT x IN ((SELECT 1) UNION (SELECT 2))", "SELECT x IN (SELECT 1 UNION SELECT 2)"},
	{"SELECT x NOT IN (FROM t |> SELECT a)", "SELECT x NOT IN (FROM t\n|> SELECT a)"},
	{"SELECT a BETWEEN 1 AND 10, a NOT BETWEEN b - 1 AND b + 1", "SELECT a BETWEEN 1 AND 10, a NOT BETWEEN b - 1 AND b + 1"},
	{"SELECT a BETWEEN 1 AND 2 AND b", "SELECT a BETWEEN 1 AND 2 AND b"},
	{"SELECT a LIKE 'Added%', a NOT LIKE '%x', a ILIKE 'p%', a RLIKE '^ajs-', a REGEXP '[0-9]+', a NOT RLIKE 'x'", "SELECT a LIKE 'Added%', a NOT LIKE '%x', a ILIKE 'p%', a RLIKE '^ajs-', a RLIKE '[0-9]+', a NOT RLIKE 'x'"},
	{"SELECT -a, +a, - -a, -(-a), -(a + b)", "SELECT -a, +a, - -a, - -a, -(a + b)"},
	{"SELECT -1, - 1, -(1), - -1, a - -1, 2 * -3", "SELECT -1, -1, -(1), - -1, a - -1, 2 * -3"},
	{"SELECT -9223372036854775808, 9223372036854775807", "SELECT -9223372036854775808, 9223372036854775807"},
	{"SELECT (a)", "SELECT a"},
	{"SELECT ((a + b))", "SELECT a + b"},
	{"SELECT ((SELECT 1) + 1)", "SELECT (SELECT 1) + 1"},
	{"SELECT (SELECT max(timestamp) FROM events) AS latest", "SELECT (SELECT max(timestamp) FROM events) AS latest"},
	{"SELECT EXISTS (SELECT 1 FROM t WHERE t.a = u.a), NOT EXISTS (SELECT 1)", "SELECT EXISTS (SELECT 1 FROM t WHERE t.a = u.a), NOT EXISTS (SELECT 1)"},

	// ---- postfix: paths, subscripts, :: casts ----
	{"SELECT properties.products[0].price FROM events", "SELECT properties.products[0].price FROM events"},
	{"SELECT properties.products[0].`unit price`, properties.products[i + 1]", "SELECT properties.products[0].`unit price`, properties.products[i + 1]"},
	{"SELECT m['key'], a[0][1]", "SELECT m['key'], a[0][1]"},
	{"SELECT properties.`order`.id, context.`page`.url", "SELECT properties.`order`.id, context.page.url"},
	{"SELECT properties.from, properties.select", "SELECT properties.`from`, properties.`select`"},
	{"SELECT (a + b)[0], (-a)[1], f(x).y", "SELECT (a + b)[0], (-a)[1], f(x).y"},
	{"SELECT x::int, x::string::bigint, (a + b)::double", "SELECT CAST(x AS INT), CAST(CAST(x AS STRING) AS BIGINT), CAST(a + b AS DOUBLE)"},
	{"SELECT -x::int", "SELECT -CAST(x AS INT)"},
	{"SELECT x::long, x::short, x::byte, CAST(x AS integer)", "SELECT CAST(x AS BIGINT), CAST(x AS SMALLINT), CAST(x AS TINYINT), CAST(x AS INT)"},

	// ---- literals ----
	{"SELECT 'it''s', 'it\\'s', \"say \\\"hi\\\"\", 'tab\\tnew\\nline', '\\u00e9'", "SELECT 'it\\'s', 'it\\'s', 'say \"hi\"', 'tab\\tnew\\nline', 'é'"},
	{"SELECT 'back\\\\slash', 'a\\%b', 'a\\_b', '\\q'", "SELECT 'back\\\\slash', 'a\\\\%b', 'a\\\\_b', 'q'"},
	{"SELECT 1.0, 1.5, .5, 1e3, 1.5E10, 2.5e-7, 123.456e2, 1e7, 9999999.0", "SELECT 1.0, 1.5, 0.5, 1000.0, 15000000000.0, 2.5E-7, 12345.6, 10000000.0, 9999999.0"},
	{"SELECT 10L, 1.5D, 2BD, 3S, 4Y, 5D", "SELECT 10, 1.5, 2.0, 3, 4, 5.0"},
	{"SELECT 99999999999999999999", "SELECT 1.0E20"},
	{"SELECT TRUE, false, NULL, null", "SELECT TRUE, FALSE, NULL, NULL"},
	{"SELECT TIMESTAMP '2019-02-01 00:00:00', timestamp '2019-02-01T13:45:10.123Z', TIMESTAMP '2019-02-01T01:00:00+01:00'", "SELECT TIMESTAMP '2019-02-01 00:00:00', TIMESTAMP '2019-02-01 13:45:10.123', TIMESTAMP '2019-02-01 00:00:00'"},
	{"SELECT DATE '2019-02-01', date '1969-12-31'", "SELECT DATE '2019-02-01', DATE '1969-12-31'"},
	{"SELECT (1, 'a'), ((2)), (a, (b, c)).col1", "SELECT struct(1, 'a'), 2, struct(a, struct(b, c)).col1"},
	{"SELECT trim(BOTH 'x' FROM s), trim('x' FROM s), trim(leading FROM s), trim(TRAILING 'x' FROM s), trim(both), trim('x', s)", "SELECT trim('x', s), trim('x', s), ltrim(s), rtrim('x', s), trim(both), trim('x', s)"},
	{"SELECT substr(s FROM 5), substring(s from -3 for 1), position('b' IN s), position(x, s), substr(s, 1, 2)", "SELECT substr(s, 5), substring(s, -3, 1), position('b', s), position(x, s), substr(s, 1, 2)"},
	{"SELECT a FROM t GROUP BY CUBE(a, (a, b))", "SELECT a FROM t GROUP BY GROUPING SETS ((a, a, b), (a), (a, b), ())"},
	{"SELECT a FROM t GROUP BY ROLLUP((a, b), (c) + 1)", "SELECT a FROM t GROUP BY GROUPING SETS ((a, b, c + 1), (a, b), ())"},
	{"SELECT a FROM t GROUP BY a, b GROUPING SETS (a, (a, b), ())", "SELECT a FROM t GROUP BY a, b GROUPING SETS ((a), (a, b), ())"},
	{"SELECT a FROM t SORT BY 1 DESC", "SELECT a FROM t ORDER BY 1 DESC"},
	{"SELECT lead(v, 2) ignore nulls OVER w, first_value(v) RESPECT NULLS OVER w, last_value(v) FILTER (WHERE v > 1) IGNORE NULLS OVER (ORDER BY id) FROM t WINDOW w AS (ORDER BY id)", "SELECT lead(v, 2) IGNORE NULLS OVER (ORDER BY id), first_value(v) OVER (ORDER BY id), last_value(v) FILTER (WHERE v > 1) IGNORE NULLS OVER (ORDER BY id) FROM t"},
	{"FROM t |> SELECT a, sum(b) AS s GROUP BY a, 2 |> WHERE s > 1", "FROM t\n|> SELECT a, sum(b) AS s GROUP BY a, 2\n|> WHERE s > 1"},
	{"FROM t |> NATURAL JOIN u |> natural left join v AS w", "FROM t\n|> NATURAL JOIN u\n|> NATURAL LEFT JOIN v AS w"},
	{"FROM t |> TABLESAMPLE (100 PERCENT) REPEATABLE (0) |> tablesample (2 rows) |> TABLESAMPLE (BUCKET 3 OUT OF 3)", "FROM t\n|> LIMIT ALL\n|> LIMIT 2\n|> LIMIT ALL"},
	{"SELECT a FROM t TABLESAMPLE (0 PERCENT) s", "SELECT a FROM (FROM t\n|> LIMIT 0) AS s"},
	{"SELECT * FROM VALUES (1 AS id, 'a' AS name), (2, 'b') AS t(a, b)", "SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(a, b)"},
	{"SELECT * FROM VALUES now(), upper('x') AS t(c)", "SELECT * FROM VALUES (now()), (upper('x')) AS t(c)"},
	{"SELECT (0 AS sum, 0 AS n), (1, 2 AS b)", "SELECT named_struct('sum', 0, 'n', 0), named_struct('col1', 1, 'b', 2)"},
	{"SELECT a FROM t DISTRIBUTE BY a SORT BY b LIMIT ALL", "SELECT a FROM t ORDER BY b"},
	{"SELECT a FROM t CLUSTER BY a, b", "SELECT a FROM t ORDER BY a, b"},
	{"SELECT a FROM t DISTRIBUTE BY a", "SELECT a FROM t ORDER BY a"},
	{"FROM t |> SORT BY a DISTRIBUTE BY a |> CLUSTER BY b |> DISTRIBUTE BY c", "FROM t\n|> ORDER BY a\n|> ORDER BY b\n|> ORDER BY c"},
	{"SELECT s ILIKE 'a%#%b' ESCAPE '#', s like 'a\\\\b' escape '#', ilike(s, 'x'), like(s, 'y') = true, rlike(s, 'z'), regexp(s, 'w')", "SELECT s ILIKE 'a%\\\\%b', s LIKE 'a\\\\\\\\b', s ILIKE 'x', s LIKE 'y' = TRUE, `rlike`(s, 'z'), `regexp`(s, 'w')"},
	{"SELECT a FROM t GROUP BY GROUPING SETS (ROLLUP(a, b), GROUPING SETS ((b), ()))", "SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), (), (b), ())"},
	{"SELECT x'537061726b', X'', x'123', CAST(s AS binary)", "SELECT X'537061726B', X'', X'0123', CAST(s AS BINARY)"},
	{"SELECT INTERVAL '1 hour', INTERVAL 1 HOUR, INTERVAL '90' MINUTE, interval 2 days, INTERVAL '3 WEEKS', INTERVAL '-1 second'", "SELECT INTERVAL '01' HOUR, INTERVAL '01' HOUR, INTERVAL '90' MINUTE, INTERVAL '2' DAY, INTERVAL '21' DAY, INTERVAL '-01' SECOND"},
	{"SELECT INTERVAL 1 DAY 2 HOURS, INTERVAL '500 milliseconds 10 microseconds', INTERVAL -1 HOUR", "SELECT INTERVAL '1 02' DAY TO HOUR, INTERVAL '00.50001' SECOND, INTERVAL '-01' HOUR"},
	{"SELECT dateadd(hour, -1, ts), date_add(d, 1), datediff(MONTH, a, b), timediff(second, a, b)", "SELECT timestampadd(HOUR, -1, ts), date_add(d, 1), timestampdiff(MONTH, a, b), timestampdiff(SECOND, a, b)"},
	{"SELECT div(a, b), a div b FROM t", "SELECT a DIV b, a DIV b FROM t"},
	{"SELECT interval '-\\t 1' day, interval ' 2 ' hour", "SELECT INTERVAL '-1' DAY, INTERVAL '02' HOUR"},
	{"SELECT INTERVAL '10.05' SECOND, interval '0.005' second, INTERVAL 1.05 SECONDS", "SELECT INTERVAL '10.05' SECOND, INTERVAL '00.005' SECOND, INTERVAL '01.05' SECOND"}, // decimal digits, not octal
	{"SELECT CAST(x AS DECIMAL(4, 2)), CAST(x AS DECIMAL), x::dec(5), CAST(x AS NUMERIC(38, 18))", "SELECT CAST(x AS DECIMAL(4,2)), CAST(x AS DECIMAL(10,0)), CAST(x AS DECIMAL(5,0)), CAST(x AS DECIMAL(38,18))"},
	{"SELECT timestamp - INTERVAL 1 HOUR AS t FROM events", "SELECT timestamp - INTERVAL '01' HOUR AS t FROM events"},
	{"SELECT interval '1-2' year to month, INTERVAL -'1 2:3:4.5' DAY TO SECOND, interval - '-1 02' day to hour", "SELECT INTERVAL '1-2' YEAR TO MONTH, INTERVAL '-1 02:03:04.5' DAY TO SECOND, INTERVAL '1 02' DAY TO HOUR"},
	{"SELECT interval '30' year '-25' month, -interval -1 day 1 hour -1.5 second, interval -'-1' day, interval 1 day day", "SELECT INTERVAL '27-11' YEAR TO MONTH, -INTERVAL '-0 23:00:01.5' DAY TO SECOND, INTERVAL '1' DAY, INTERVAL '1' DAY AS day"},

	// ---- Segment columns as plain names, and functions named like types ----
	{"SELECT event, type, timestamp, date, context, properties, version, channel, user, name, value, time, hour, day, window, interval, first, last, rows, range, over, filter FROM events",
		"SELECT event, type, timestamp, date, context, properties, version, channel, user, name, value, time, hour, day, window, interval, first, last, rows, range, over, filter FROM events"},
	{"SELECT timestamp(receivedAt), date(timestamp), hour(timestamp) FROM events", "SELECT timestamp(receivedAt), date(timestamp), hour(timestamp) FROM events"},
	{"SELECT anonymousId, messageId, userId, receivedAt, sentAt, originalTimestamp, context.library.name, context.page.path, traits.email FROM events", ""},
	{"SELECT `select`, `from`, `a``b` FROM `group`", "SELECT `select`, `from`, `a``b` FROM `group`"},
	{"SELECT événement FROM t", "SELECT `événement` FROM t"},
	{"SELECT date_trunc('hour', timestamp) AS h, count(*) FROM events GROUP BY h", "SELECT date_trunc('hour', timestamp) AS h, count(*) FROM events GROUP BY h"},

	// ---- functions ----
	{"SELECT COUNT(*), Count(DISTINCT userId), SUM(x), AVG(x), MIN(x), MAX(x) FROM t", "SELECT count(*), count(DISTINCT userId), sum(x), avg(x), min(x), max(x) FROM t"},
	{"SELECT approx_count_distinct(userId), percentile_approx(price, 0.5) FROM t", "SELECT approx_count_distinct(userId), percentile_approx(price, 0.5) FROM t"},
	{"SELECT count(ALL x), now(), coalesce(a, b, 'none')", "SELECT count(x), now(), coalesce(a, b, 'none')"},
	{"SELECT count(*) FILTER (WHERE event = 'Order Completed') AS orders FROM t", "SELECT count(*) FILTER (WHERE event = 'Order Completed') AS orders FROM t"},
	{"SELECT sum(x) FILTER (WHERE y > 0) OVER (PARTITION BY k) FROM t", "SELECT sum(x) FILTER (WHERE y > 0) OVER (PARTITION BY k) FROM t"},
	{"SELECT left(name, 3), right(name, 2), if(a, 1, 2), replace(s, 'a', 'b')", "SELECT left(name, 3), right(name, 2), if(a, 1, 2), replace(s, 'a', 'b')"},
	{"SELECT `my fn`(x), `try_cast`(y)", "SELECT `my fn`(x), `try_cast`(y)"},
	{"SELECT extract(hour FROM timestamp)", "SELECT date_part('hour', timestamp)"},
	{"SELECT CAST(x AS INT), cast(y AS string), TRY_CAST(z AS DOUBLE), CAST(d AS DECIMAL(10, 2)), CAST(s AS VARCHAR(20)), CAST(t AS timestamp), CAST(u AS DATE), CAST(b AS BOOLEAN)",
		"SELECT CAST(x AS INT), CAST(y AS STRING), TRY_CAST(z AS DOUBLE), CAST(d AS DECIMAL(10,2)), CAST(s AS STRING), CAST(t AS TIMESTAMP), CAST(u AS DATE), CAST(b AS BOOLEAN)"},

	// ---- CASE ----
	{"SELECT CASE WHEN a > 1 THEN 'big' WHEN a > 0 THEN 'small' ELSE 'none' END", "SELECT CASE WHEN a > 1 THEN 'big' WHEN a > 0 THEN 'small' ELSE 'none' END"},
	{"SELECT CASE event WHEN 'Product Viewed' THEN 1 WHEN 'Product Clicked' THEN 2 END AS step", "SELECT CASE event WHEN 'Product Viewed' THEN 1 WHEN 'Product Clicked' THEN 2 END AS step"},
	{"SELECT CASE WHEN a THEN CASE WHEN b THEN 1 END END", "SELECT CASE WHEN a THEN CASE WHEN b THEN 1 END END"},

	// ---- comments and layout ----
	{"SELECT a -- the column\nFROM t /* the table */ WHERE /* nested /* comment */ ok */ b", "SELECT a FROM t WHERE b"},
	{"-- leading comment\nSELECT 1 -- trailing", "SELECT 1"},
	{"SELECT\n\ta\n,\tb\nFROM\n\tt", "SELECT a, b FROM t"},

	// ---- statements ----
	{"CREATE VIEW food AS SELECT * FROM events WHERE properties.vertical = 'Food'", "CREATE TEMPORARY VIEW food AS SELECT * FROM events WHERE properties.vertical = 'Food'"},
	{"CREATE OR REPLACE TEMP VIEW v AS FROM events |> WHERE type = 'track'", "CREATE OR REPLACE TEMPORARY VIEW v AS FROM events\n|> WHERE type = 'track'"},
	{"CREATE OR REPLACE TEMPORARY VIEW `my view` AS SELECT 1", "CREATE OR REPLACE TEMPORARY VIEW `my view` AS SELECT 1"},
	{"DESCRIBE events", "DESCRIBE events"},
	{"DESCRIBE TABLE segment.events", "DESCRIBE segment.events"},
	{"DESC events", "DESCRIBE events"},
	{"DESCRIBE SELECT a FROM t", "DESCRIBE SELECT a FROM t"},
	{"DESCRIBE QUERY SELECT a FROM t", "DESCRIBE SELECT a FROM t"},
	{"DESCRIBE FROM events |> AGGREGATE count(*)", "DESCRIBE FROM events\n|> AGGREGATE count(*)"},
	{"DESCRIBE query", "DESCRIBE query"},
	{"EXPLAIN SELECT a FROM t WHERE b", "EXPLAIN SELECT a FROM t WHERE b"},
	{"CREATE VIEW v AS SELECT 1; SELECT * FROM v; DESCRIBE v;", "CREATE TEMPORARY VIEW v AS SELECT 1;\nSELECT * FROM v;\nDESCRIBE v"},
	{";;SELECT 1;;", "SELECT 1"},

	// ---- inline tables, TABLE t, column aliases, DROP VIEW (Spark) ----
	{"VALUES (1, 'a'), (2, 'b')", "VALUES (1, 'a'), (2, 'b')"},
	{"VALUES 1, 2, 3", "VALUES (1), (2), (3)"},
	{"values (1) + 1, (2)", "VALUES (1 + 1), (2)"},
	{"SELECT * FROM VALUES (1, 2), (3, 4) AS t(a, b) WHERE a > 1", "SELECT * FROM VALUES (1, 2), (3, 4) AS t(a, b) WHERE a > 1"},
	{"SELECT * FROM (VALUES (1, 2)) t(a, `b c`)", "SELECT * FROM (VALUES (1, 2)) AS t(a, `b c`)"},
	{"SELECT * FROM values (1), (null) v", "SELECT * FROM VALUES (1), (NULL) AS v"},
	{"SELECT * FROM (SELECT 1, 2) AS s (x, y)", "SELECT * FROM (SELECT 1, 2) AS s(x, y)"},
	{"SELECT x FROM t AS s(x, y) JOIN u ON s.x = u.a", "SELECT x FROM (FROM t) AS s(x, y) JOIN u ON s.x = u.a"},
	{"SELECT * FROM values", "SELECT * FROM values"},
	{"TABLE t", "FROM t"},
	{"SELECT a, count(*) FROM t GROUP BY ALL", "SELECT a, count(*) FROM t GROUP BY ALL"},
	{"SELECT a, b, sum(c) FROM t GROUP BY ROLLUP (a, b)", "SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS ((a, b), (a), ())"},
	{"SELECT a, b, sum(c) FROM t GROUP BY CUBE(a, b) HAVING grouping(a) = 0", "SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS ((a, b), (a), (b), ()) HAVING grouping(a) = 0"},
	{"SELECT a, b FROM t GROUP BY a, b WITH ROLLUP", "SELECT a, b FROM t GROUP BY GROUPING SETS ((a, b), (a), ())"},
	{"SELECT a, b FROM t GROUP BY a, GROUPING SETS ((b), (a + 1) + 2, ())", "SELECT a, b FROM t GROUP BY GROUPING SETS ((a, b), (a, a + 1 + 2), (a))"},
	{"VALUES (1, 'a'), (2, 'b') tbl(c1, c2) UNION ALL VALUES 1 T(col)", "VALUES (1, 'a'), (2, 'b') AS tbl(c1, c2) UNION ALL VALUES (1) AS T(col)"},
	{"TABLE db.t |> WHERE a = 1", "FROM db.t\n|> WHERE a = 1"},
	{"SELECT * FROM t WHERE a IN (TABLE u)", "SELECT * FROM t WHERE a IN (FROM u)"},
	{"CREATE TEMPORARY VIEW v(a, b) AS VALUES (1, 2)", "CREATE TEMPORARY VIEW v (a, b) AS VALUES (1, 2)"},
	{"DROP VIEW v; DROP VIEW IF EXISTS v; DROP TABLE IF EXISTS t", "DROP VIEW v;\nDROP VIEW IF EXISTS v;\nDROP VIEW IF EXISTS t"},
	{"SHOW TABLES", "SHOW TABLES"},
	{"show tables like 'ev*|logs'", "SHOW TABLES LIKE 'ev*|logs'"},
	{"SHOW TABLES 'ev*';", "SHOW TABLES LIKE 'ev*'"},
	// ---- settings (Spark's SET and RESET) ----
	{"SET spark.sql.ansi.doubleQuotedIdentifiers=true", "SET spark.sql.ansi.doubleQuotedIdentifiers = true"},
	{"set  a.b:c = x y ;", "SET a.b:c = x y"},
	{"SET a.b", "SET a.b"},
	{"SET", "SET"},
	{"SET a.b =", "SET a.b ="},
	{"SET TIME ZONE 'UTC'", "SET spark.sql.session.timeZone = UTC"},
	{"RESET; RESET spark.sql.ansi.doubleQuotedIdentifiers", "RESET;\nRESET spark.sql.ansi.doubleQuotedIdentifiers"},
}

func TestAccepted(t *testing.T) {
	if len(acceptedCases) < 120 {
		t.Errorf("only %d accepted cases; the table should cover at least 120", len(acceptedCases))
	}
	for _, tc := range acceptedCases {
		t.Run("", func(t *testing.T) {
			got := checkRoundTrip(t, tc.src)
			if tc.want != "" && got != tc.want {
				t.Errorf("canonical text of\n  %s\ngot\n  %s\nwant\n  %s", tc.src, got, tc.want)
			}
		})
	}
}

// TestDoubleQuotedIdentifiers: under Spark's ANSI setting "x" is a name
// (Spark's double-quoted-identifiers.sql), and a SET or RESET of it in a
// script changes how the statements after it are read, not those before.
func TestDoubleQuotedIdentifiers(t *testing.T) {
	cases := []struct {
		src  string
		dq   bool
		want string
	}{
		{`SELECT "a b", 'c' FROM "t"`, true, "SELECT `a b`, 'c' FROM t"},
		{`SELECT "a ""q"""`, true, "SELECT `a \"q\"`"},
		{`SELECT "a"`, false, "SELECT 'a'"},
		{`SELECT "a"; SET spark.sql.ansi.doubleQuotedIdentifiers = TRUE; SELECT "a"; RESET; SELECT "a"`, false,
			"SELECT 'a';\nSET spark.sql.ansi.doubleQuotedIdentifiers = TRUE;\nSELECT a;\nRESET;\nSELECT 'a'"},
		{`SELECT "a"; SET spark.sql.ansi.doubleQuotedIdentifiers=false; SELECT "a"`, true,
			"SELECT a;\nSET spark.sql.ansi.doubleQuotedIdentifiers = false;\nSELECT 'a'"},
		// A value the engine will refuse leaves the reading as it was.
		{`SET spark.sql.ansi.doubleQuotedIdentifiers = yes; SELECT "a"`, false,
			"SET spark.sql.ansi.doubleQuotedIdentifiers = yes;\nSELECT 'a'"},
		// Placeholders keep their numbers across the re-lexing.
		{`SELECT ?; SET spark.sql.ansi.doubleQuotedIdentifiers = true; SELECT "x", ?`, false,
			"SELECT 1;\nSET spark.sql.ansi.doubleQuotedIdentifiers = true;\nSELECT x, 2"},
	}
	for _, c := range cases {
		o := Options{DoubleQuotedIdentifiers: c.dq}
		if strings.Contains(c.src, "?") {
			o.Bind, o.Params = true, []types.Value{types.IntValue(1), types.IntValue(2)}
		}
		stmts, err := ParseScriptWith(c.src, o)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		got := make([]string, len(stmts))
		for i, s := range stmts {
			got[i] = s.String()
		}
		if g := strings.Join(got, ";\n"); g != c.want {
			t.Errorf("%s (dq %v):\ngot  %s\nwant %s", c.src, c.dq, g, c.want)
		}
	}
	_, err := ParseScriptWith(`SELECT "a`, Options{DoubleQuotedIdentifiers: true})
	if l, ok := err.(ErrorList); !ok || !strings.Contains(l[0].Hint, `no closing "`) {
		t.Errorf("unterminated double-quoted name: %#v", err)
	}
}
