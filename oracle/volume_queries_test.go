package oracle

// volumeQuery is one analyst question asked of the generated logs, written
// in nectar's Spark SQL and, where the text must differ, in DuckDB's.
type volumeQuery struct {
	name    string
	nectar  string  // Spark SQL, run on nectar as written
	duck    string  // DuckDB's text; "" means nectar's, through the oracle's rewrites
	ordered bool    // ORDER BY fixes every row's place: compare in order
	tol     float64 // relative tolerance for DOUBLE values (0: exact); needs ordered
	skip    string  // a deliberate Spark-vs-DuckDB difference: not run
}

func (q volumeQuery) duckText() string {
	if q.duck != "" {
		return q.duck
	}
	return q.nectar
}

// nectarBugs lists queries where nectar disagrees with DuckDB because nectar
// is wrong. They are skipped while they still disagree and fail once they
// agree, so that a fix removes its entry.
var nectarBugs = map[string]string{}

// sumTolerance is the relative difference allowed between DOUBLE sums and
// averages. nectar adds DOUBLEs with Neumaier compensation (FUNCTIONS.md:
// sum is "compensated summation"); DuckDB's sum and avg add plainly, in an
// order of its choosing, and so does Spark. Over a few hundred prices the
// plain sum drifts in the last one or two digits (166.29999999999998 for
// nectar's 166.3), far inside 1e-9. gmv_compensated_exact checks the sums
// exactly against DuckDB's compensated fsum.
const sumTolerance = 1e-9

// isoMillis prints a DuckDB TIMESTAMP the way Segment writes it, so results
// holding nectar's timestamp STRINGs compare as text.
const isoMillis = "'%Y-%m-%dT%H:%M:%S.%gZ'"

// Timestamps: nectar (like Spark reading JSON) keeps Segment's ISO strings
// as STRING and converts them where a timestamp is expected; DuckDB's
// read_json detects them as TIMESTAMP. Comparisons and hour() agree; a
// timestamp column that is output is printed with strftime on DuckDB's side.
var volumeQueries = []volumeQuery{
	{
		name: "seed_added_to_cart_food_by_variant_hour",
		nectar: `SELECT properties.recommender.variant AS variant, hour(timestamp) AS h, count(*) AS n
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY 1, 2
ORDER BY variant, h`,
		ordered: true,
	},
	{
		name: "seed_pipe",
		nectar: `FROM events
|> WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
|> AGGREGATE count(*) AS n GROUP BY properties.recommender.variant AS variant, hour(timestamp) AS h
|> ORDER BY variant, h`,
		duck: `SELECT properties.recommender.variant AS variant, hour(timestamp) AS h, count(*) AS n
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY 1, 2
ORDER BY variant, h`,
		ordered: true,
	},
	{
		name:   "count_by_type_and_event",
		nectar: `SELECT type, event, count(*) AS n FROM events GROUP BY type, event`,
	},
	{
		name: "distinct_users_per_variant",
		nectar: `SELECT properties.recommender.variant AS variant, count(DISTINCT userId) AS users, count(*) AS events
FROM events
GROUP BY 1`,
	},
	{
		name: "gmv_per_day_and_vertical",
		nectar: `SELECT to_date(timestamp) AS day, properties.vertical AS vertical,
       sum(properties.revenue) AS gmv, count(*) AS orders
FROM events
WHERE event = 'Order Completed'
GROUP BY 1, 2
ORDER BY day, vertical`,
		duck: `SELECT CAST(timestamp AS DATE) AS day, properties.vertical AS vertical,
       sum(properties.revenue) AS gmv, count(*) AS orders
FROM events
WHERE event = 'Order Completed'
GROUP BY 1, 2
ORDER BY day, vertical`,
		ordered: true,
		tol:     sumTolerance,
	},
	{
		name: "gmv_compensated_exact",
		nectar: `SELECT properties.vertical AS vertical, sum(properties.revenue) AS gmv,
       sum(properties.total) AS total, sum(properties.price) AS viewed_value
FROM events
GROUP BY 1`,
		duck: `SELECT properties.vertical AS vertical, fsum(properties.revenue) AS gmv,
       fsum(properties.total) AS total, fsum(properties.price) AS viewed_value
FROM events
GROUP BY 1`,
	},
	{
		name: "checkout_value_per_day_trunc",
		nectar: `SELECT date_trunc('DAY', timestamp) AS day, sum(properties.revenue) AS value,
       avg(properties.revenue) AS avg_value, max(properties.revenue) AS top
FROM events
WHERE event = 'Checkout Started'
GROUP BY 1
ORDER BY 1`,
		duck: `SELECT date_trunc('day', timestamp) AS day, sum(properties.revenue) AS value,
       avg(properties.revenue) AS avg_value, max(properties.revenue) AS top
FROM events
WHERE event = 'Checkout Started'
GROUP BY 1
ORDER BY 1`,
		ordered: true,
		tol:     sumTolerance,
	},
	{
		name: "top20_products_viewed",
		nectar: `SELECT properties.product_id AS product_id, properties.name AS name, count(*) AS views
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1, 2
ORDER BY views DESC, product_id
LIMIT 20`,
		ordered: true,
	},
	{
		name: "funnel_per_user",
		nectar: `SELECT userId,
       count(*) FILTER (WHERE event = 'Product Viewed') AS viewed,
       count(*) FILTER (WHERE event = 'Added to Cart') AS carted,
       count(*) FILTER (WHERE event = 'Checkout Started') AS checkouts,
       count(*) FILTER (WHERE event = 'Order Completed') AS orders
FROM events
WHERE userId IS NOT NULL
GROUP BY userId`,
	},
	{
		name: "funnel_users_per_step",
		nectar: `SELECT count(DISTINCT CASE WHEN event = 'Product Viewed' THEN userId END) AS viewed,
       count(DISTINCT CASE WHEN event = 'Product Clicked' THEN userId END) AS clicked,
       count(DISTINCT CASE WHEN event = 'Added to Cart' THEN userId END) AS carted,
       count(DISTINCT CASE WHEN event = 'Checkout Started' THEN userId END) AS checked_out,
       count(DISTINCT CASE WHEN event = 'Order Completed' THEN userId END) AS ordered
FROM events`,
	},
	{
		name: "dedupe_by_message_id",
		nectar: `SELECT event, count(*) AS n
FROM (SELECT event, messageId,
             row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn
      FROM events) AS d
WHERE rn = 1
GROUP BY event`,
	},
	{
		name: "dedupe_pipe",
		nectar: `FROM events
|> EXTEND row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn
|> WHERE rn = 1
|> AGGREGATE count(*) AS n, count(DISTINCT messageId) AS ids GROUP BY type`,
		duck: `SELECT type, count(*) AS n, count(DISTINCT messageId) AS ids
FROM (SELECT *, row_number() OVER (PARTITION BY messageId ORDER BY receivedAt) AS rn FROM events) AS d
WHERE rn = 1
GROUP BY type`,
	},
	{
		name: "duplicate_deliveries",
		nectar: `SELECT messageId, count(*) AS copies
FROM events
GROUP BY messageId
HAVING count(*) > 1`,
	},
	{
		name: "first_exposure_per_user",
		nectar: `SELECT userId, coalesce(properties.variation_id, properties.variationId) AS variant,
       min(timestamp) AS first_seen
FROM events
WHERE event = 'Experiment Viewed' AND userId IS NOT NULL
GROUP BY 1, 2`,
		duck: `SELECT userId, coalesce(properties.variation_id, properties.variationId) AS variant,
       strftime(min(timestamp), ` + isoMillis + `) AS first_seen
FROM events
WHERE event = 'Experiment Viewed' AND userId IS NOT NULL
GROUP BY 1, 2`,
	},
	{
		name: "conversions_after_first_exposure",
		nectar: `WITH exposure AS (
  SELECT userId, coalesce(properties.variation_id, properties.variationId) AS variant,
         min(timestamp) AS first_seen
  FROM events
  WHERE event = 'Experiment Viewed' AND userId IS NOT NULL
  GROUP BY 1, 2
)
SELECT x.variant, count(DISTINCT o.userId) AS buyers, count(*) AS orders,
       sum(o.properties.revenue) AS revenue
FROM exposure AS x
JOIN events AS o ON o.userId = x.userId AND o.timestamp > x.first_seen
WHERE o.event = 'Order Completed'
GROUP BY x.variant
ORDER BY x.variant`,
		ordered: true,
		tol:     sumTolerance,
	},
	{
		name: "assignment_share_per_variant",
		nectar: `SELECT coalesce(properties.variation_id, properties.variationId) AS variant,
       count(DISTINCT userId) AS users,
       count(DISTINCT userId) / sum(count(DISTINCT userId)) OVER () AS share
FROM events
WHERE event = 'Experiment Viewed'
GROUP BY 1
ORDER BY 1`,
		ordered: true,
	},
	{
		name: "experiment_key_spellings",
		nectar: `SELECT properties.experiment_id AS snake, properties.experimentId AS camel,
       context.library.name AS library, count(*) AS n
FROM events
WHERE event = 'Experiment Viewed'
GROUP BY 1, 2, 3`,
	},
	{
		name: "revenue_percentiles_per_vertical",
		nectar: `SELECT properties.vertical AS vertical,
       percentile_approx(properties.revenue, 0.5) AS p50,
       percentile_approx(properties.revenue, 0.9) AS p90,
       count(*) AS n
FROM events
WHERE event = 'Order Completed'
GROUP BY 1
ORDER BY 1`,
		ordered: true,
	},
	{
		name: "price_median_per_category",
		nectar: `SELECT properties.category AS category, percentile_approx(properties.price, 0.5) AS median_price
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1`,
	},
	{
		name: "first_product_of_order",
		nectar: `SELECT properties.products[0].vertical AS vertical, properties.products[0].name AS first_item,
       count(*) AS orders, sum(properties.products[0].price) AS first_item_value
FROM events
WHERE event = 'Order Completed'
GROUP BY 1, 2
ORDER BY orders DESC, first_item`,
		duck: `SELECT properties.products[1].vertical AS vertical, properties.products[1].name AS first_item,
       count(*) AS orders, sum(properties.products[1].price) AS first_item_value
FROM events
WHERE event = 'Order Completed'
GROUP BY 1, 2
ORDER BY orders DESC, first_item`,
		ordered: true,
		tol:     sumTolerance,
	},
	{
		name: "second_product_price",
		nectar: `SELECT event, properties.products[1].price AS second_price, count(*) AS n
FROM events
WHERE properties.products IS NOT NULL
GROUP BY 1, 2`,
		duck: `SELECT event, properties.products[2].price AS second_price, count(*) AS n
FROM events
WHERE properties.products IS NOT NULL
GROUP BY 1, 2`,
	},
	{
		name: "os_breakdown",
		nectar: `SELECT context.os.name AS os, count(*) AS events, count(DISTINCT anonymousId) AS devices
FROM events
GROUP BY 1`,
	},
	{
		name: "library_breakdown",
		nectar: `SELECT context.library.name AS library, context.library.version AS version,
       count(*) AS n, count(DISTINCT userId) AS users
FROM events
GROUP BY 1, 2`,
	},
	{
		name: "device_models",
		nectar: `SELECT context.device.manufacturer AS maker, context.device.model AS model, count(*) AS n
FROM events
GROUP BY 1, 2`,
	},
	{
		name: "hour_of_day_histogram",
		nectar: `SELECT hour(timestamp) AS hour_of_day, count(*) AS n
FROM events
GROUP BY 1
ORDER BY 1`,
		ordered: true,
	},
	{
		name: "hourly_date_format",
		nectar: `SELECT date_format(timestamp, 'yyyy-MM-dd HH') AS hr, count(*) AS n
FROM events
WHERE type = 'track'
GROUP BY 1
ORDER BY 1`,
		duck: `SELECT strftime(timestamp, '%Y-%m-%d %H') AS hr, count(*) AS n
FROM events
WHERE type = 'track'
GROUP BY 1
ORDER BY 1`,
		ordered: true,
	},
	{
		name: "union_all_cart_and_order_users",
		nectar: `SELECT userId, 'cart' AS kind FROM events WHERE event = 'Added to Cart'
UNION ALL
SELECT userId, 'order' AS kind FROM events WHERE event = 'Order Completed'`,
	},
	{
		name: "union_all_aggregated",
		nectar: `SELECT kind, count(*) AS n, count(DISTINCT userId) AS users
FROM (SELECT userId, 'cart' AS kind FROM events WHERE event = 'Added to Cart'
      UNION ALL
      SELECT userId, 'order' AS kind FROM events WHERE event = 'Order Completed') AS u
GROUP BY kind
ORDER BY kind`,
		ordered: true,
	},
	{
		name: "users_left_join_orders",
		nectar: `WITH users AS (
  SELECT userId, max(traits.plan) AS plan, max(traits.preferred_vertical) AS preferred
  FROM events WHERE type = 'identify' GROUP BY userId
), orders AS (
  SELECT userId, count(*) AS orders, sum(properties.revenue) AS revenue
  FROM events WHERE event = 'Order Completed' GROUP BY userId
)
SELECT u.userId, u.plan, u.preferred, o.orders, o.revenue
FROM users AS u
LEFT JOIN orders AS o ON u.userId = o.userId`,
		tol: sumTolerance,
	},
	{
		name: "plan_conversion",
		nectar: `WITH users AS (
  SELECT userId, max(traits.plan) AS plan FROM events WHERE type = 'identify' GROUP BY userId
), orders AS (
  SELECT userId, count(*) AS orders FROM events WHERE event = 'Order Completed' GROUP BY userId
)
SELECT u.plan, count(*) AS users, count(o.userId) AS buyers, sum(o.orders) AS orders
FROM users AS u
LEFT JOIN orders AS o ON u.userId = o.userId
GROUP BY u.plan
ORDER BY u.plan`,
		ordered: true,
	},
	{
		name: "heavy_viewers_having",
		nectar: `SELECT userId, count(*) AS views, count(DISTINCT properties.product_id) AS products
FROM events
WHERE event = 'Product Viewed' AND userId IS NOT NULL
GROUP BY userId
HAVING count(*) >= 40 AND count(DISTINCT properties.product_id) > 10`,
	},
	{
		name: "campaigns_nulls_last_limit",
		nectar: `SELECT context.campaign.name AS campaign, context.campaign.source AS src, count(*) AS n
FROM events
GROUP BY 1, 2
ORDER BY campaign NULLS LAST, src NULLS LAST
LIMIT 8`,
		ordered: true,
	},
	{
		name: "campaigns_default_null_order",
		nectar: `SELECT context.campaign.medium AS medium, count(*) AS n
FROM events
GROUP BY 1
ORDER BY medium`,
		ordered: true,
	},
	{
		name: "top_spenders_desc_nulls_last",
		nectar: `SELECT userId, sum(properties.revenue) AS revenue, count(*) AS events
FROM events
WHERE event IN ('Cart Viewed', 'Order Completed')
GROUP BY userId
ORDER BY revenue DESC NULLS LAST, userId NULLS LAST
LIMIT 15`,
		ordered: true,
		tol:     sumTolerance,
	},
	{
		name: "daily_active_users",
		nectar: `SELECT to_date(timestamp) AS day, count(DISTINCT userId) AS dau,
       count(DISTINCT coalesce(userId, anonymousId)) AS visitors
FROM events
GROUP BY 1
ORDER BY 1`,
		duck: `SELECT CAST(timestamp AS DATE) AS day, count(DISTINCT userId) AS dau,
       count(DISTINCT coalesce(userId, CAST(anonymousId AS VARCHAR))) AS visitors
FROM events
GROUP BY 1
ORDER BY 1`,
		ordered: true,
	},
	{
		name: "received_day_differs",
		nectar: `SELECT to_date(receivedAt) AS received_day, count(*) AS n
FROM events
WHERE to_date(receivedAt) <> to_date(timestamp)
GROUP BY 1`,
		duck: `SELECT CAST(receivedAt AS DATE) AS received_day, count(*) AS n
FROM events
WHERE CAST(receivedAt AS DATE) <> CAST(timestamp AS DATE)
GROUP BY 1`,
	},
	{
		name: "ctr_per_recommender_slot",
		nectar: `SELECT properties.recommender.variant AS variant, properties.recommender.slot AS slot,
       count(*) FILTER (WHERE event = 'Product Clicked') / count(*) FILTER (WHERE event = 'Product Viewed') AS ctr
FROM events
WHERE properties.recommender.slot IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2`,
		ordered: true,
	},
	{
		name: "avg_price_per_category",
		nectar: `SELECT properties.category AS category, avg(properties.price) AS avg_price,
       min(properties.price) AS lo, max(properties.price) AS hi, sum(properties.quantity) AS qty
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1
ORDER BY 1`,
		ordered: true,
		tol:     sumTolerance,
	},
	{
		name: "price_buckets",
		nectar: `SELECT CAST(floor(properties.price / 10) AS BIGINT) * 10 AS bucket, count(*) AS n
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1`,
	},
	{
		name: "top3_products_per_vertical",
		nectar: `SELECT vertical, product_id, views, rnk
FROM (SELECT vertical, product_id, views,
             dense_rank() OVER (PARTITION BY vertical ORDER BY views DESC) AS rnk
      FROM (SELECT properties.vertical AS vertical, properties.product_id AS product_id, count(*) AS views
            FROM events WHERE event = 'Product Viewed' GROUP BY 1, 2) AS v) AS r
WHERE rnk <= 3`,
	},
	{
		name: "previous_event_before_add",
		nectar: `SELECT prev, count(*) AS n
FROM (SELECT event, lag(event) OVER (PARTITION BY anonymousId ORDER BY timestamp, messageId) AS prev
      FROM events WHERE type = 'track') AS s
WHERE event = 'Added to Cart'
GROUP BY prev`,
	},
	{
		name: "running_orders_per_day",
		nectar: `SELECT day, orders, sum(orders) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative
FROM (SELECT to_date(timestamp) AS day, count(*) AS orders
      FROM events WHERE event = 'Order Completed' GROUP BY 1) AS d
ORDER BY day`,
		duck: `SELECT day, orders, sum(orders) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative
FROM (SELECT CAST(timestamp AS DATE) AS day, count(*) AS orders
      FROM events WHERE event = 'Order Completed' GROUP BY 1) AS d
ORDER BY day`,
		ordered: true,
	},
	{
		name: "buyers_who_saw_experiment_semi_join",
		nectar: `SELECT o.properties.vertical AS vertical, count(*) AS orders
FROM events AS o
LEFT SEMI JOIN (SELECT userId FROM events WHERE event = 'Experiment Viewed') AS x ON o.userId = x.userId
WHERE o.event = 'Order Completed'
GROUP BY 1`,
	},
	{
		name: "carts_without_order_anti_join",
		nectar: `SELECT c.userId, count(*) AS carts
FROM events AS c
LEFT ANTI JOIN (SELECT userId FROM events WHERE event = 'Order Completed') AS o ON c.userId = o.userId
WHERE c.event = 'Added to Cart' AND c.userId IS NOT NULL
GROUP BY c.userId`,
	},
	{
		name: "orders_from_model_b_in_subquery",
		nectar: `SELECT count(*) AS orders, sum(properties.total) AS total
FROM events
WHERE event = 'Order Completed'
  AND userId IN (SELECT userId FROM events WHERE coalesce(properties.variation_id, properties.variationId) = 'Model_B')`,
		tol:     sumTolerance,
		ordered: true,
	},
	{
		name: "message_id_styles",
		nectar: `SELECT CASE WHEN messageId LIKE 'ajs-next-%' THEN 'ajs-next'
            WHEN messageId LIKE 'ajs-%' THEN 'ajs'
            ELSE 'uuid' END AS style,
       context.library.name AS library, count(*) AS n
FROM events
GROUP BY 1, 2`,
	},
	{
		name: "chrome_major_versions",
		nectar: `SELECT regexp_extract(context.userAgent, 'Chrome/([0-9]+)', 1) AS chrome, count(*) AS n
FROM events
GROUP BY 1`,
	},
	{
		name: "page_paths",
		nectar: `SELECT lower(name) AS page, substr(context.page.path, 1, 3) AS prefix, count(*) AS n
FROM events
WHERE type = 'page'
GROUP BY 1, 2`,
	},
	{
		name: "email_domains_of_identified",
		nectar: `SELECT split_part(traits.email, '@', 2) AS domain, traits.plan AS plan, count(DISTINCT userId) AS users
FROM events
WHERE traits.email IS NOT NULL
GROUP BY 1, 2`,
	},
	{
		name: "order_totals_consistency",
		nectar: `SELECT count(*) AS orders,
       count(*) FILTER (WHERE abs(properties.revenue + properties.shipping + properties.tax - properties.total) > 0.011) AS mismatched,
       round(sum(properties.total), 2) AS total
FROM events
WHERE event = 'Order Completed'`,
	},
	{
		name: "round_price_with_tax",
		nectar: `SELECT DISTINCT properties.price AS price, round(properties.price * 1.0825, 2) AS with_tax
FROM events
WHERE event = 'Product Viewed'`,
	},
	{
		name: "round_average_price",
		nectar: `SELECT properties.vertical AS vertical, round(avg(properties.price), 2) AS avg_price
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1`,
	},
	{
		name:   "timestamp_vs_text_literal",
		skip:   "Spark compares a STRING timestamp with a text literal as text ('2019-02-03T…' > '2019-02-03 12:00:00' for the whole day); DuckDB's column is a TIMESTAMP and compares as time",
		nectar: `SELECT count(*) AS n FROM events WHERE timestamp >= '2019-02-03 12:00:00' AND timestamp < '2019-02-04'`,
	},
	{
		name:   "timestamp_vs_iso_literal",
		nectar: `SELECT count(*) AS n FROM events WHERE timestamp >= '2019-02-03T12:00:00' AND timestamp < '2019-02-04T00:00:00.000Z'`,
	},
	{
		name: "timestamp_literal_range",
		nectar: `SELECT event, count(*) AS n
FROM events
WHERE timestamp >= TIMESTAMP '2019-02-03 12:00:00' AND timestamp < TIMESTAMP '2019-02-04 00:00:00'
GROUP BY event`,
	},
	{
		name: "orders_within_hour_of_exposure",
		nectar: `CREATE OR REPLACE TEMP VIEW exposure_v AS
SELECT userId, min(timestamp) AS first_seen
FROM events WHERE event = 'Experiment Viewed' AND userId IS NOT NULL GROUP BY userId;
SELECT count(*) AS orders, count(DISTINCT o.userId) AS buyers
FROM exposure_v AS x JOIN events AS o ON o.userId = x.userId
WHERE o.event = 'Order Completed'
  AND CAST(o.timestamp AS TIMESTAMP) BETWEEN CAST(x.first_seen AS TIMESTAMP)
      AND CAST(x.first_seen AS TIMESTAMP) + INTERVAL 1 HOUR`,
	},
	{
		name: "not_in_with_null_user",
		nectar: `SELECT count(*) AS n
FROM events
WHERE event = 'Added to Cart'
  AND userId NOT IN (SELECT userId FROM events WHERE event = 'Order Completed')`,
		// Zero rows qualify when the subquery holds a NULL userId; the
		// second query checks that the first one is not vacuous.
	},
	{
		name: "not_in_without_nulls",
		nectar: `SELECT count(*) AS n
FROM events
WHERE event = 'Added to Cart'
  AND userId NOT IN (SELECT userId FROM events WHERE event = 'Order Completed' AND userId IS NOT NULL)`,
	},
	{
		name: "full_join_carts_orders",
		nectar: `WITH carts AS (SELECT userId, count(*) AS carts FROM events WHERE event = 'Added to Cart' AND userId IS NOT NULL GROUP BY userId),
orders AS (SELECT userId, count(*) AS orders FROM events WHERE event = 'Order Completed' AND userId IS NOT NULL GROUP BY userId)
SELECT coalesce(c.userId, o.userId) AS userId, c.carts, o.orders
FROM carts AS c FULL OUTER JOIN orders AS o ON c.userId = o.userId`,
	},
	{
		name: "right_join_identify",
		nectar: `SELECT i.userId, i.plan, count(e.messageId) AS orders
FROM (SELECT messageId, userId FROM events WHERE event = 'Order Completed') AS e
RIGHT JOIN (SELECT DISTINCT userId, traits.plan AS plan FROM events WHERE type = 'identify') AS i
  ON e.userId = i.userId
GROUP BY i.userId, i.plan`,
	},
	{
		name: "intersect_and_except",
		nectar: `SELECT 'both' AS k, count(*) AS n FROM (
  SELECT userId FROM events WHERE event = 'Added to Cart'
  INTERSECT
  SELECT userId FROM events WHERE event = 'Order Completed') AS a
UNION ALL
SELECT 'cart_only' AS k, count(*) AS n FROM (
  SELECT userId FROM events WHERE event = 'Added to Cart'
  EXCEPT
  SELECT userId FROM events WHERE event = 'Order Completed') AS b`,
	},
	{
		name:   "distinct_locale_zone",
		nectar: `SELECT DISTINCT context.locale AS locale, context.timezone AS tz FROM events`,
	},
	{
		name: "date_trunc_hour_and_week",
		nectar: `SELECT date_trunc('WEEK', timestamp) AS week, date_trunc('HOUR', timestamp) AS hr, count(*) AS n
FROM events
WHERE event = 'Product Clicked'
GROUP BY 1, 2`,
		duck: `SELECT date_trunc('week', timestamp) AS week, date_trunc('hour', timestamp) AS hr, count(*) AS n
FROM events
WHERE event = 'Product Clicked'
GROUP BY 1, 2`,
	},
	{
		name: "weekday_names",
		nectar: `SELECT date_format(timestamp, 'EEEE') AS weekday, date_format(timestamp, 'MMM d') AS day, count(*) AS n
FROM events
GROUP BY 1, 2`,
		duck: `SELECT strftime(timestamp, '%A') AS weekday, strftime(timestamp, '%b ') || day(timestamp) AS day, count(*) AS n
FROM events
GROUP BY 1, 2`,
	},
	{
		name: "month_day_minute_parts",
		nectar: `SELECT year(timestamp) AS y, month(timestamp) AS m, day(timestamp) AS d,
       count(DISTINCT minute(timestamp)) AS minutes, max(second(timestamp)) AS max_second
FROM events
GROUP BY 1, 2, 3`,
	},
	{
		name: "string_building",
		nectar: `SELECT concat(properties.vertical, ' / ', properties.category) AS path,
       concat_ws('|', properties.vertical, properties.recommender.variant) AS tag,
       max(length(properties.name)) AS longest, min(upper(properties.sku)) AS first_sku
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1, 2`,
	},
	{
		name: "next_event_lead_default",
		nectar: `SELECT event, nxt, count(*) AS n
FROM (SELECT event, lead(event, 1, 'END') OVER (PARTITION BY anonymousId ORDER BY timestamp, messageId) AS nxt
      FROM events WHERE type = 'track') AS s
GROUP BY event, nxt`,
	},
	{
		name: "range_window_with_peers",
		nectar: `SELECT seen, count(*) AS n
FROM (SELECT count(*) OVER (PARTITION BY anonymousId ORDER BY to_date(timestamp)) AS seen
      FROM events WHERE event = 'Experiment Viewed') AS w
GROUP BY seen`,
		duck: `SELECT seen, count(*) AS n
FROM (SELECT count(*) OVER (PARTITION BY anonymousId ORDER BY CAST(timestamp AS DATE)) AS seen
      FROM events WHERE event = 'Experiment Viewed') AS w
GROUP BY seen`,
	},
	{
		name: "rolling_three_views",
		nectar: `SELECT anonymousId, max(rolling) AS best
FROM (SELECT anonymousId, sum(properties.price) OVER (PARTITION BY anonymousId ORDER BY timestamp, messageId
                                                       ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling
      FROM events WHERE event = 'Product Viewed') AS r
GROUP BY anonymousId`,
		duck: `SELECT CAST(anonymousId AS VARCHAR) AS anonymousId, max(rolling) AS best
FROM (SELECT anonymousId, sum(properties.price) OVER (PARTITION BY anonymousId ORDER BY timestamp, messageId
                                                       ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling
      FROM events WHERE event = 'Product Viewed') AS r
GROUP BY anonymousId`,
		tol: sumTolerance,
	},
	{
		name: "rank_with_ties",
		nectar: `SELECT category, views, rank() OVER (ORDER BY views DESC) AS rnk,
       dense_rank() OVER (ORDER BY views DESC) AS drnk
FROM (SELECT properties.recommender.slot AS category, count(*) AS views
      FROM events WHERE event = 'Product Clicked' GROUP BY 1) AS c`,
	},
	{
		name: "price_quartiles_ntile",
		nectar: `SELECT q, count(*) AS n, min(price) AS lo, max(price) AS hi
FROM (SELECT properties.price AS price, ntile(4) OVER (ORDER BY properties.price) AS q
      FROM events WHERE event = 'Product Viewed') AS t
GROUP BY q
ORDER BY q`,
		ordered: true,
	},
	{
		name: "percent_rank_cume_dist",
		nectar: `SELECT vertical, orders, percent_rank() OVER (ORDER BY orders) AS pr, cume_dist() OVER (ORDER BY orders) AS cd
FROM (SELECT properties.vertical AS vertical, count(*) AS orders FROM events WHERE event = 'Checkout Started' GROUP BY 1) AS o`,
	},
	{
		name: "stddev_price_per_vertical",
		nectar: `SELECT properties.vertical AS vertical, stddev_samp(properties.price) AS sd, var_pop(properties.price) AS vp
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1`,
		tol: sumTolerance,
	},
	{
		name: "count_if_and_case_sums",
		nectar: `SELECT context.os.name AS os,
       count_if(event = 'Order Completed') AS orders,
       sum(CASE WHEN event = 'Order Completed' THEN properties.revenue ELSE 0 END) AS revenue,
       sum(CASE WHEN type = 'page' THEN 1 ELSE 0 END) AS pages
FROM events
GROUP BY 1
ORDER BY 1`,
		ordered: true,
		tol:     sumTolerance,
	},
	{
		name: "nested_arrays_in_context",
		nectar: `SELECT context.userAgentData.brands[0].brand AS brand, context.userAgentData.platform AS platform,
       _metadata.bundled[0] AS bundled, count(*) AS n
FROM events
GROUP BY 1, 2, 3`,
		duck: `SELECT context.userAgentData.brands[1].brand AS brand, context.userAgentData.platform AS platform,
       _metadata.bundled[1] AS bundled, count(*) AS n
FROM events
GROUP BY 1, 2, 3`,
	},
	{
		name: "array_index_out_of_range",
		nectar: `SELECT properties.products[2].name AS third, count(*) AS n
FROM events
WHERE event = 'Cart Viewed'
GROUP BY 1`,
		duck: `SELECT properties.products[3].name AS third, count(*) AS n
FROM events
WHERE event = 'Cart Viewed'
GROUP BY 1`,
	},
	{
		name: "integer_arithmetic",
		nectar: `SELECT properties.position DIV 3 AS band, properties.position % 3 AS rem,
       sum(properties.quantity * properties.position) AS weighted, count(*) AS n
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1, 2`,
		duck: `SELECT properties.position // 3 AS band, properties.position % 3 AS rem,
       sum(properties.quantity * properties.position) AS weighted, count(*) AS n
FROM events
WHERE event = 'Product Viewed'
GROUP BY 1, 2`,
	},
	{
		name: "greatest_least",
		nectar: `SELECT greatest(properties.shipping, properties.tax) AS bigger, least(properties.shipping, properties.tax) AS smaller
FROM events
WHERE event = 'Order Completed'`,
	},
	{
		name:   "nullif_empty_search",
		nectar: `SELECT nullif(context.page.search, '') AS search, count(*) AS n FROM events GROUP BY 1`,
	},
	{
		name: "pipe_set_drop_as_join",
		nectar: `FROM events
|> WHERE event = 'Order Completed'
|> SELECT userId, properties.revenue AS revenue, properties.vertical AS vertical
|> SET vertical = lower(vertical)
|> AS o
|> JOIN (SELECT DISTINCT userId, traits.plan AS plan FROM events WHERE type = 'identify') AS u ON o.userId = u.userId
|> AGGREGATE count(*) AS n, max(revenue) AS top GROUP BY plan, vertical`,
		duck: `SELECT u.plan, lower(o.vertical) AS vertical, count(*) AS n, max(o.revenue) AS top
FROM (SELECT userId, properties.revenue AS revenue, properties.vertical AS vertical FROM events WHERE event = 'Order Completed') AS o
JOIN (SELECT DISTINCT userId, traits.plan AS plan FROM events WHERE type = 'identify') AS u ON o.userId = u.userId
GROUP BY 1, 2`,
	},
	{
		name: "limit_offset",
		nectar: `SELECT properties.sku AS sku, count(*) AS n
FROM events
WHERE event = 'Product Clicked'
GROUP BY 1
ORDER BY n DESC, sku
LIMIT 10 OFFSET 5`,
		ordered: true,
	},
	{
		name: "desc_nulls_default",
		nectar: `SELECT userId, count(*) AS n
FROM events
WHERE event = 'Checkout Started'
GROUP BY userId
ORDER BY userId DESC
LIMIT 5`,
		ordered: true,
	},
	{
		name: "row_number_nulls_first",
		nectar: `SELECT userId, rn
FROM (SELECT userId, row_number() OVER (ORDER BY userId, messageId) AS rn FROM events WHERE event = 'Order Completed') AS r
WHERE rn <= 3 OR rn % 10 = 0`,
	},
	{
		name: "scalar_subquery_last_day",
		nectar: `SELECT event, count(*) AS n
FROM events
WHERE CAST(timestamp AS TIMESTAMP) > (SELECT max(CAST(timestamp AS TIMESTAMP)) FROM events) - INTERVAL 1 DAY
GROUP BY event`,
	},
	{
		name:   "version_and_channel",
		nectar: `SELECT channel, version, sum(version) AS total, count(*) AS n FROM events GROUP BY 1, 2`,
	},
	{
		name: "timestamp_text_compare_as_spark",
		// timestamp_vs_text_literal with DuckDB comparing Segment's text,
		// as Spark compares the STRING column with a text literal.
		nectar: `SELECT count(*) AS n FROM events WHERE timestamp >= '2019-02-03 12:00:00' AND timestamp < '2019-02-04'`,
		duck: `SELECT count(*) AS n FROM events
WHERE strftime(timestamp, ` + isoMillis + `) >= '2019-02-03 12:00:00' AND strftime(timestamp, ` + isoMillis + `) < '2019-02-04'`,
	},
	{
		name: "price_percentiles_all_views",
		nectar: `SELECT percentile_approx(properties.price, 0.25) AS p25, percentile_approx(properties.price, 0.5) AS p50,
       percentile_approx(properties.price, 0.99) AS p99, count(*) AS n
FROM events
WHERE event = 'Product Viewed'`,
	},
	{
		name: "null_keys_never_join",
		nectar: `SELECT e.type, count(*) AS events, count(i.userId) AS matched
FROM events AS e
LEFT JOIN (SELECT DISTINCT userId FROM events WHERE type = 'identify') AS i ON e.userId = i.userId
GROUP BY e.type`,
	},
	{
		name: "null_safe_join",
		nectar: `SELECT count(*) AS n
FROM (SELECT DISTINCT userId FROM events WHERE event = 'Order Completed') AS a
JOIN (SELECT DISTINCT userId FROM events WHERE event = 'Checkout Started') AS b ON a.userId <=> b.userId`,
	},
	{
		name: "unicode_names_ordered",
		nectar: `SELECT traits.name AS name, upper(traits.lastName) AS last, length(traits.name) AS len
FROM events
WHERE type = 'identify'
GROUP BY 1, 2, 3
ORDER BY name DESC
LIMIT 25`,
		ordered: true,
	},
	{
		name: "like_rlike_in",
		nectar: `SELECT count_if(context.page.path LIKE '/c/%') AS category_pages,
       count_if(properties.sku LIKE 'FD\_%') AS food_skus,
       count_if(context.userAgent RLIKE 'Android|iPhone') AS mobile_agents,
       count_if(context.locale IN ('de-DE', 'fr-FR', 'en-GB')) AS europe,
       count_if(properties.price BETWEEN 10 AND 20) AS mid_priced
FROM events`,
	},
	{
		name: "price_as_text",
		nectar: `SELECT DISTINCT CAST(properties.price AS STRING) AS price_text, properties.price AS price
FROM events
WHERE event = 'Product Clicked'`,
	},
	{
		name: "distinct_message_ids_sorted_window",
		nectar: `SELECT count(*) AS rows_seen, count(DISTINCT messageId) AS ids, max(rn) AS last_rn
FROM (SELECT messageId, row_number() OVER (ORDER BY messageId, receivedAt) AS rn FROM events) AS w`,
	},
	{
		name: "earliest_events_limit",
		nectar: `SELECT messageId, event, timestamp
FROM events
WHERE type = 'track'
ORDER BY timestamp, messageId
LIMIT 12`,
		duck: `SELECT messageId, event, strftime(timestamp, ` + isoMillis + `) AS timestamp
FROM events
WHERE type = 'track'
ORDER BY events.timestamp, messageId
LIMIT 12`,
		ordered: true,
	},
	{
		name: "sessions_by_30_minute_gap",
		nectar: `SELECT count(*) AS sessions, count(DISTINCT anonymousId) AS visitors
FROM (SELECT anonymousId, CAST(timestamp AS TIMESTAMP) AS ts,
             lag(CAST(timestamp AS TIMESTAMP)) OVER (PARTITION BY anonymousId ORDER BY timestamp, messageId) AS prev_ts
      FROM events) AS g
WHERE prev_ts IS NULL OR ts > prev_ts + INTERVAL 30 MINUTES`,
	},
	{
		name: "cte_chain_conversion_rate",
		nectar: `WITH viewers AS (SELECT DISTINCT anonymousId FROM events WHERE event = 'Product Viewed'),
buyers AS (SELECT DISTINCT anonymousId FROM events WHERE event = 'Order Completed'),
counts AS (SELECT (SELECT count(*) FROM viewers) AS v, (SELECT count(*) FROM buyers) AS b)
SELECT v, b, b / v AS rate FROM counts`,
	},
	{
		name: "pipe_union_all",
		nectar: `FROM events
|> WHERE event = 'Checkout Started'
|> SELECT userId, 'checkout' AS step
|> UNION ALL (FROM events |> WHERE event = 'Cart Viewed' |> SELECT userId, 'cart' AS step)
|> AGGREGATE count(*) AS n, count(DISTINCT userId) AS users GROUP BY step`,
		duck: `SELECT step, count(*) AS n, count(DISTINCT userId) AS users
FROM (SELECT userId, 'checkout' AS step FROM events WHERE event = 'Checkout Started'
      UNION ALL
      SELECT userId, 'cart' AS step FROM events WHERE event = 'Cart Viewed') AS u
GROUP BY step`,
	},
	{
		name: "received_day_from_folder",
		// nectar's hidden _received_day is the day folder's UTC midnight;
		// DuckDB parses it from the file name.
		nectar: `SELECT _received_day AS day, count(*) AS n, count_if(_received_day <> to_date(receivedAt)) AS off_day
FROM events
GROUP BY 1`,
		duck: `SELECT CAST(to_timestamp(CAST(regexp_extract(filename, '/([0-9]+)/[^/]+$', 1) AS BIGINT) / 1000) AS DATE) AS day,
       count(*) AS n, count_if(CAST(to_timestamp(CAST(regexp_extract(filename, '/([0-9]+)/[^/]+$', 1) AS BIGINT) / 1000) AS DATE) <> CAST(receivedAt AS DATE)) AS off_day
FROM events
GROUP BY 1`,
	},
	{
		name: "events_per_file",
		nectar: `SELECT regexp_extract(_file, '([^/]+)$', 1) AS file, count(*) AS n, min(_line) AS first_line, max(_line) AS last_line
FROM events
GROUP BY 1`,
		duck: `SELECT regexp_extract(filename, '([^/]+)$', 1) AS file, count(*) AS n, 1 AS first_line, count(*) AS last_line
FROM events
GROUP BY 1`,
	},
	{
		name: "traits_created_at",
		nectar: `SELECT traits.plan AS plan, min(traits.createdAt) AS first_signup, count(DISTINCT userId) AS users
FROM events
WHERE type = 'identify'
GROUP BY 1`,
		duck: `SELECT traits.plan AS plan, strftime(min(traits.createdAt), ` + isoMillis + `) AS first_signup, count(DISTINCT userId) AS users
FROM events
WHERE type = 'identify'
GROUP BY 1`,
	},
	{
		name: "order_by_unselected_and_ordinal",
		nectar: `SELECT properties.category AS category, count(*) AS n
FROM events
WHERE event = 'Product Clicked'
GROUP BY 1
HAVING max(properties.price) > 50
ORDER BY avg(properties.price) DESC, 1`,
		ordered: true,
	},
	{
		name: "filtered_distinct_and_avg_int",
		nectar: `SELECT properties.vertical AS vertical,
       count(DISTINCT userId) FILTER (WHERE event = 'Product Clicked') AS clickers,
       avg(properties.position) AS avg_position,
       avg(properties.recommender.slot) FILTER (WHERE event = 'Product Clicked') AS avg_clicked_slot
FROM events
GROUP BY 1`,
	},
	{
		name: "exists_and_case_null",
		nectar: `SELECT CASE WHEN properties.price >= 100 THEN 'premium' WHEN properties.price >= 20 THEN 'regular' END AS tier,
       count(*) AS n
FROM events
WHERE event = 'Product Viewed' AND EXISTS (SELECT 1 FROM events WHERE event = 'Order Completed')
GROUP BY 1`,
	},
	{
		name: "mixed_case_names",
		nectar: `SELECT Event AS ev, count(DISTINCT USERID) AS users, max(Properties.Vertical) AS top_vertical
FROM Events
WHERE TYPE = 'track'
GROUP BY Event`,
	},
}
