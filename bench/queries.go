package bench

import "strings"

// Query is one benchmark query, spelled for each engine. In both texts
// {src} stands for the engine's read of the data set and {out} for the
// Parquet file a ToParquet query writes.
type Query struct {
	Name string
	// Title is the one-line description the report prints.
	Title string
	// Nectar is Spark SQL; {src} becomes read_json('<glob>').
	Nectar string
	// DuckDB is DuckDB SQL; {src} becomes read_json('<glob>', format = 'newline_delimited').
	// Empty when the Nectar text reads the same in DuckDB.
	DuckDB string
	// ToParquet queries write {out} instead of returning rows; the check
	// then compares row counts and distinct messageIds of the two files.
	ToParquet bool
	// Plain marks queries that also run over the uncompressed copy.
	Plain bool
	// NoData marks queries that read no file: throughput means nothing.
	NoData bool
	// Threads, when set, overrides the run's thread count for every
	// engine: seed_1thread measures how the engines scale.
	Threads int
	// Compacted marks queries that run only over the Parquet copy
	// `nectar compact` made of the main data set, which both engines read
	// ({src} is read_parquet).
	Compacted bool
	// SameAs names a query over the main data set whose rows this one must
	// return too: a change of threads or storage must not change the
	// answer.
	SameAs string
}

// Queries is the query set of issue 3. Orderings carry tie-breakers so
// that LIMIT picks the same rows on every engine.
var Queries = []Query{
	{
		// Start-up alone: the floor under every other wall time.
		Name:   "startup",
		Title:  "SELECT 1: process start-up, no data",
		Nectar: `SELECT 1 AS one`,
		NoData: true,
	},
	{
		Name:  "seed",
		Title: "Added to Cart in Food, count by recommender variant",
		Nectar: `SELECT properties.recommender.variant AS variant, count(*) AS n
FROM {src}
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY properties.recommender.variant ORDER BY variant`,
		Plain: true,
	},
	{
		// Against seed on --threads, this is the scaling measurement:
		// decompression and parsing split over files, so two threads
		// should come close to twice one thread.
		Name:  "seed_1thread",
		Title: "the seed query on 1 thread, for 1- vs N-thread scaling",
		Nectar: `SELECT properties.recommender.variant AS variant, count(*) AS n
FROM {src}
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY properties.recommender.variant ORDER BY variant`,
		Threads: 1,
		SameAs:  "seed",
	},
	{
		// The same Parquet files for both engines. Compaction names
		// flattened columns with their dots, which DuckDB must quote.
		Name:  "seed_compacted",
		Title: "the seed query over the compacted Parquet copy",
		Nectar: `SELECT properties.recommender.variant AS variant, count(*) AS n
FROM {src}
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY properties.recommender.variant ORDER BY variant`,
		DuckDB: `SELECT "properties.recommender.variant" AS variant, count(*) AS n
FROM {src}
WHERE event = 'Added to Cart' AND "properties.vertical" = 'Food'
GROUP BY "properties.recommender.variant" ORDER BY variant`,
		Compacted: true,
		SameAs:    "seed",
	},
	{
		Name:  "seed_by_hour",
		Title: "the seed query by hour of day",
		Nectar: `SELECT properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day, count(*) AS n
FROM {src}
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY properties.recommender.variant, hour(timestamp) ORDER BY variant, hour_of_day`,
	},
	{
		Name:  "distinct_users",
		Title: "count(DISTINCT userId) per recommender variant",
		Nectar: `SELECT properties.recommender.variant AS variant, count(DISTINCT userId) AS users
FROM {src}
GROUP BY properties.recommender.variant ORDER BY variant`,
	},
	{
		Name:  "gmv",
		Title: "GMV: sum(properties.revenue) per vertical over Order Completed",
		Nectar: `SELECT properties.vertical AS vertical, round(sum(properties.revenue), 2) AS gmv, count(*) AS orders
FROM {src}
WHERE event = 'Order Completed'
GROUP BY properties.vertical ORDER BY vertical`,
	},
	{
		Name:  "top_products",
		Title: "top-20 products viewed",
		Nectar: `SELECT properties.product_id AS product_id, count(*) AS views
FROM {src}
WHERE event = 'Product Viewed'
GROUP BY properties.product_id ORDER BY views DESC, product_id LIMIT 20`,
	},
	{
		Name:      "select_star_parquet",
		Title:     "full-row SELECT * to Parquet",
		Nectar:    `SELECT * FROM {src}`,
		DuckDB:    `COPY (SELECT * FROM {src}) TO '{out}' (FORMAT parquet)`,
		ToParquet: true,
	},
	{
		Name:  "exposure_join",
		Title: "first Experiment Viewed per user joined to later orders, per variation",
		// Segment's anonymousId is set on every event of a visitor, userId
		// only once they log in, so it is the join key that loses nothing.
		Nectar: `WITH ranked AS (
  SELECT anonymousId AS anon, properties.variation_id AS variation, timestamp AS ts,
         row_number() OVER (PARTITION BY anonymousId ORDER BY timestamp, messageId) AS rn
  FROM {src} WHERE event = 'Experiment Viewed'),
exposures AS (SELECT anon, variation, ts FROM ranked WHERE rn = 1),
orders AS (
  SELECT anonymousId AS anon, properties.revenue AS revenue, timestamp AS ts
  FROM {src} WHERE event = 'Order Completed')
SELECT e.variation AS variation, count(*) AS orders, round(sum(o.revenue), 2) AS revenue
FROM exposures e JOIN orders o ON e.anon = o.anon AND o.ts >= e.ts
GROUP BY e.variation ORDER BY variation`,
	},
}

// sqlString quotes s as a SQL string literal, the same in both dialects.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// NectarSQL is q's nectar text over ds: read_json of its files, or
// read_parquet of a compacted copy's directory, whose manifest nectar uses.
func (q Query) NectarSQL(ds DataSet) string {
	src := "read_json(" + sqlString(ds.Glob) + ")"
	if ds.Compacted {
		src = "read_parquet(" + sqlString(ds.Dir) + ")"
	}
	return strings.ReplaceAll(q.Nectar, "{src}", src)
}

// DuckDBText is q's DuckDB text before substitution: DuckDB, or Nectar
// when the two dialects agree.
func (q Query) DuckDBText() string {
	if q.DuckDB == "" {
		return q.Nectar
	}
	return q.DuckDB
}

// DuckDBSQL is q's DuckDB text over ds, writing out for a ToParquet
// query. A compacted copy is read file by file with its day=… directories
// as a Hive partition column, as DuckDB users query such a dataset.
func (q Query) DuckDBSQL(ds DataSet, out string) string {
	src := "read_json(" + sqlString(ds.Glob) + ", format = 'newline_delimited')"
	if ds.Compacted {
		src = "read_parquet(" + sqlString(ds.Glob) + ", hive_partitioning = true)"
	}
	s := strings.ReplaceAll(q.DuckDBText(), "{src}", src)
	return strings.ReplaceAll(s, "'{out}'", sqlString(out))
}
