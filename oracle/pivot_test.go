package oracle

// pivotSQL gives, for each PIVOT and UNPIVOT corpus case, DuckDB SQL that
// computes what Spark's pivot means without DuckDB's own PIVOT (whose
// forms and missing-value rules are DuckDB's): a PIVOT of numeric
// aggregates as Spark's two-phase plan (aggregate per group and value,
// then pick, so a missing value is NULL), one of other aggregates as
// FILTERed aggregates, an UNPIVOT as a UNION ALL.
var pivotSQL = map[string]string{
	"pivot/pivot_count": `SELECT variant,
  max(CASE WHEN event = 'Product Viewed' THEN n END) AS viewed,
  max(CASE WHEN event = 'Added to Cart' THEN n END) AS added,
  max(CASE WHEN event = 'Order Completed' THEN n END) AS completed
FROM (SELECT properties.variant AS variant, event, count(*) AS n FROM t GROUP BY ALL)
GROUP BY variant ORDER BY variant`,
	"pivot/pivot_two_aggregates": `SELECT variant,
  max(CASE WHEN event = 'Order Completed' THEN s END) AS oc_gmv,
  max(CASE WHEN event = 'Order Completed' THEN a END) AS "oc_avg(price)"
FROM (SELECT properties.variant AS variant, event, sum(properties.price) AS s, avg(properties.price) AS a FROM t GROUP BY ALL)
GROUP BY variant ORDER BY variant`,
	"pivot/pivot_string_aggregate": `SELECT anonymousId AS "user",
  first(properties.sku) FILTER (WHERE event = 'Added to Cart' AND properties.sku IS NOT NULL) AS cart_sku,
  count(properties.sku) FILTER (WHERE event = 'Added to Cart') AS cart_n,
  first(properties.sku) FILTER (WHERE event = 'Order Completed' AND properties.sku IS NOT NULL) AS oc_sku,
  count(properties.sku) FILTER (WHERE event = 'Order Completed') AS oc_n
FROM t GROUP BY anonymousId ORDER BY "user"`,
	"pivot/pivot_lambda_shadows_key": `SELECT g, max(CASE WHEN e = 'a' THEN n END) AS a
FROM (SELECT g, e, sum(len(list_filter(a, x -> x > 1))) AS n FROM t GROUP BY ALL)
GROUP BY g ORDER BY g`,
	"pivot/pivot_global": `SELECT
  sum(properties.price) FILTER (WHERE properties.quantity = 1) AS "1",
  sum(properties.price) FILTER (WHERE properties.quantity = 2) AS "2",
  sum(properties.price) FILTER (WHERE properties.quantity = 3) AS "3"
FROM t`,
	"pivot/pivot_pipe": `SELECT variant, CASE event WHEN 'Product Viewed' THEN 'viewed' ELSE 'cart' END AS event, count(*) AS n
FROM (SELECT properties.variant AS variant, event FROM t) WHERE event IN ('Product Viewed', 'Added to Cart')
GROUP BY ALL ORDER BY variant, event`,
	"pivot/unpivot_include_nulls": `SELECT * FROM (
  SELECT messageId AS id, 'price' AS field, CAST(properties.price AS DOUBLE) AS value FROM t
  UNION ALL SELECT messageId, 'qty', CAST(properties.quantity AS DOUBLE) FROM t)
ORDER BY id, field`,
	"pivot/unpivot_two_values": `SELECT * FROM (
  SELECT userId AS u, 'home' AS kind, traits.home_city AS city, traits.home_zip AS zip FROM t
  UNION ALL SELECT userId, 'wc_wz', traits.work_city, traits.work_zip FROM t)
WHERE city IS NOT NULL OR zip IS NOT NULL ORDER BY u, kind`,
}
