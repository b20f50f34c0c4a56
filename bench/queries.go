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
	// DuckDBColumns, when set, is the columns = {…} argument DuckDB's
	// read_json gets in this query: DuckDB told the fields it needs,
	// instead of inferring and building every field of every event.
	DuckDBColumns string
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
	// Mode is the nectar subcommand that runs the case: a query (the
	// default), an experiment report or a streaming run.
	Mode Mode
	// Drift runs the query over a copy of the main data set whose last
	// files drift (gen.Options.DriftFiles: string prices, a late writeKey,
	// context.campaign as a string), to measure what checking a sampled
	// schema against every line costs when the sample is wrong.
	Drift bool
	// NectarOnly cases have no counterpart in the other engines (an
	// experiment report, a stream with checkpoints): only nectar runs them,
	// and their targets compare them with nectar's own cases.
	NectarOnly bool
	// Peer is the query for the peer engines (peer_runner.py: ClickHouse,
	// DataFusion, Polars), reading the view src whose columns are
	// PeerColumns' fields with their dots turned into underscores
	// (properties.vertical is properties_vertical); "" for queries the
	// peers do not run.
	Peer string
	// PeerColumns are the fields Peer reads and their types, given to
	// every peer ("event STRING, properties.vertical STRING").
	PeerColumns string
}

// Mode is how nectar runs a case.
type Mode string

const (
	// ModeQuery runs `nectar query --format csv` on the text.
	ModeQuery Mode = ""
	// ModeExperiment runs `nectar experiment --format json` on a spec the
	// bench writes next to the data set (ExperimentSpec); the text is not
	// run, it documents what the report computes.
	ModeExperiment Mode = "experiment"
	// ModeStream runs the text with `nectar stream --once` into a fresh
	// checkpoint and output directory; the rows compared are the output's
	// final version.
	ModeStream Mode = "stream"
)

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
		Name:   "seed",
		Title:  "Added to Cart in Food, count by recommender variant",
		Nectar: seedSQL,
		Plain:  true,
		Peer: `SELECT properties_recommender_variant AS variant, count(*) AS n FROM src
WHERE event = 'Added to Cart' AND properties_vertical = 'Food'
GROUP BY properties_recommender_variant ORDER BY variant`,
		PeerColumns: "event STRING, properties.vertical STRING, properties.recommender.variant STRING",
	},
	{
		// DuckDB's fastest way to read these logs: told the few fields the
		// query needs, it skips building every STRUCT field of every event.
		// nectar runs the seed query as it is (it infers the schema).
		Name:          "seed_columns",
		Title:         "the seed query, DuckDB given the columns it reads",
		Nectar:        seedSQL,
		DuckDBColumns: seedColumns,
		SameAs:        "seed",
	},
	{
		Name:   "price_by_vertical",
		Title:  "sum(properties.price) per vertical over Product Viewed",
		Nectar: priceByVertical,
		DuckDB: priceByVerticalTyped,
	},
	{
		// dbplyr asks for a query's columns with WHERE (0 = 1) before it
		// runs it: the answer comes from the schema (the sample), not
		// from reading the logs. Issue 18's target: under 50 ms.
		Name:   "schema_probe",
		Title:  "dbplyr's schema probe: SELECT * FROM (the seed's source) WHERE (0 = 1)",
		Nectar: `SELECT * FROM (SELECT event, properties.vertical, properties.recommender.variant, timestamp FROM {src}) q WHERE (0 = 1)`,
	},
	{
		// The seed reads none of the columns that drift: checking the
		// sample must cost it nothing.
		Name:   "seed_drift",
		Title:  "the seed query over logs whose last files drift",
		Nectar: seedSQL,
		Drift:  true,
		SameAs: "seed",
	},
	{
		// Prices turn into strings in the last files: the sample says
		// DOUBLE, the scan meets strings, the column is widened to STRING
		// and the query runs again, so at most about twice the time.
		Name:   "price_by_vertical_drift",
		Title:  "price_by_vertical over logs whose last files drift (prices as strings)",
		Nectar: priceByVertical,
		DuckDB: priceByVerticalTyped,
		Drift:  true,
		SameAs: "price_by_vertical",
	},
	{
		// Against seed on --threads, this is the scaling measurement:
		// decompression and parsing split over files, so two threads
		// should come close to twice one thread.
		Name:    "seed_1thread",
		Title:   "the seed query on 1 thread, for 1- vs N-thread scaling",
		Nectar:  seedSQL,
		Threads: 1,
		SameAs:  "seed",
	},
	{
		// The same Parquet files for both engines. Compaction names
		// flattened columns with their dots, which DuckDB must quote.
		Name:   "seed_compacted",
		Title:  "the seed query over the compacted Parquet copy",
		Nectar: seedSQL,
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
		Peer: `SELECT properties_recommender_variant AS variant, count(DISTINCT userId) AS users FROM src
GROUP BY properties_recommender_variant ORDER BY variant`,
		PeerColumns: "userId STRING, properties.recommender.variant STRING",
	},
	{
		Name:  "gmv",
		Title: "GMV: sum(properties.revenue) per vertical over Order Completed",
		Nectar: `SELECT properties.vertical AS vertical, round(sum(properties.revenue), 2) AS gmv, count(*) AS orders
FROM {src}
WHERE event = 'Order Completed'
GROUP BY properties.vertical ORDER BY vertical`,
		Peer: `SELECT properties_vertical AS vertical, round(sum(properties_revenue), 2) AS gmv, count(*) AS orders FROM src
WHERE event = 'Order Completed'
GROUP BY properties_vertical ORDER BY vertical`,
		PeerColumns: "event STRING, properties.vertical STRING, properties.revenue DOUBLE",
	},
	{
		// Per-product GMV needs the e-commerce spec's products array taken
		// apart: a row per item of each Order Completed (issue 15).
		Name:  "product_gmv",
		Title: "per-product GMV: LATERAL VIEW explode(properties.products) over Order Completed, top 20",
		Nectar: `SELECT p.product_id AS product_id, round(sum(p.price * p.quantity), 2) AS gmv, sum(p.quantity) AS units
FROM {src} LATERAL VIEW explode(properties.products) x AS p
WHERE event = 'Order Completed'
GROUP BY p.product_id ORDER BY gmv DESC, product_id LIMIT 20`,
		DuckDB: `SELECT p.product_id AS product_id, round(sum(p.price * p.quantity), 2) AS gmv, sum(p.quantity) AS units
FROM (SELECT unnest(properties.products) AS p FROM {src} WHERE event = 'Order Completed')
GROUP BY p.product_id ORDER BY gmv DESC, product_id LIMIT 20`,
	},
	{
		Name:  "top_products",
		Title: "top-20 products viewed",
		Nectar: `SELECT properties.product_id AS product_id, count(*) AS views
FROM {src}
WHERE event = 'Product Viewed'
GROUP BY properties.product_id ORDER BY views DESC, product_id LIMIT 20`,
		Peer: `SELECT properties_product_id AS product_id, count(*) AS views FROM src
WHERE event = 'Product Viewed'
GROUP BY properties_product_id ORDER BY views DESC, product_id LIMIT 20`,
		PeerColumns: "event STRING, properties.product_id STRING",
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
	{
		// The sufficient statistics behind the experiment report, in one
		// aggregation pass without the report's exposure join: issue 6's
		// yardstick for the report's speed. Per unit the exposure variant
		// (first exposure, as the report takes it), orders, revenue,
		// clicks and views; per variant their sums and sums of squares.
		Name:   "unit_sums",
		Title:  "food-recs per-unit sums per variant in one aggregation (the experiment's sufficient statistics)",
		Nectar: unitSums,
	},
	{
		Name:  "experiment",
		Title: "`nectar experiment` report of the food-recs spec (nectar only)",
		// The report's own SQL is generated from the spec; this text only
		// says what the case reads, for the report's query list.
		Nectar:     "-- nectar experiment --spec food-recs.yaml --format json, the spec reading {src}\n" + ExperimentSpecYAML,
		Mode:       ModeExperiment,
		NectarOnly: true,
	},
	{
		Name:   "event_users",
		Title:  "events and distinct users per event name (the batch side of the stream target)",
		Nectar: eventUsers,
	},
	{
		// Four files a batch, so that the run takes several micro-batches
		// and pays for checkpoints and state between them, as a stream
		// does in steady state.
		Name:       "stream",
		Title:      "event_users as `nectar stream --once`, 4 files per micro-batch (nectar only)",
		Nectar:     eventUsers,
		Mode:       ModeStream,
		NectarOnly: true,
		SameAs:     "event_users",
	},
}

// unitSums is unit_sums' text, the same in both dialects: FILTER clauses
// and min_by are Spark SQL and DuckDB alike. Exposures carry snake_case or
// camelCase ids (GrowthBook and Optimizely send the latter), as the report
// reads them. Unlike the report it counts a unit's events before its
// exposure too: that needs the join the yardstick leaves out.
const unitSums = `WITH u AS (
  SELECT anonymousId AS unit,
         min_by(coalesce(properties.variation_id, properties.variationId), timestamp) FILTER (WHERE event = 'Experiment Viewed' AND coalesce(properties.experiment_id, properties.experimentId) = 'food-recs-2019-02') AS variant,
         count(*) FILTER (WHERE event = 'Experiment Viewed' AND coalesce(properties.experiment_id, properties.experimentId) = 'food-recs-2019-02') AS exposures,
         count(*) FILTER (WHERE event = 'Order Completed') AS orders,
         coalesce(sum(properties.revenue) FILTER (WHERE event = 'Order Completed'), 0) AS revenue,
         count(*) FILTER (WHERE event = 'Product Clicked') AS clicks,
         count(*) FILTER (WHERE event = 'Product Viewed') AS views
  FROM {src}
  WHERE anonymousId IS NOT NULL
    AND event IN ('Experiment Viewed', 'Order Completed', 'Product Clicked', 'Product Viewed')
  GROUP BY anonymousId)
SELECT variant, count(*) AS units,
       sum(CASE WHEN orders > 0 THEN 1 ELSE 0 END) AS converted,
       sum(revenue) AS gmv, sum(revenue * revenue) AS gmv_sq,
       sum(clicks) AS clicks, sum(clicks * clicks) AS clicks_sq,
       sum(views) AS views, sum(views * views) AS views_sq, sum(clicks * views) AS clicks_views
FROM u WHERE exposures > 0
GROUP BY variant ORDER BY variant`

// seedSQL is the seed query, the text of seed, seed_1thread and
// seed_compacted on nectar.
const seedSQL = `SELECT properties.recommender.variant AS variant, count(*) AS n
FROM {src}
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY properties.recommender.variant ORDER BY variant`

// seedColumns is DuckDB's schema for the fields the seed query reads.
const seedColumns = `{event: 'VARCHAR', properties: 'STRUCT(vertical VARCHAR, recommender STRUCT(variant VARCHAR))'}`

// priceByVertical sums product prices per vertical: properties.price is a
// DOUBLE column, which string prices in late files make a STRING (summed
// as Spark sums a STRING, cast to DOUBLE).
const priceByVertical = `SELECT properties.vertical AS vertical, round(sum(properties.price), 2) AS price, count(*) AS n
FROM {src}
WHERE event = 'Product Viewed'
GROUP BY properties.vertical ORDER BY vertical`

// priceByVerticalTyped is priceByVertical in DuckDB with the types forced
// as Spark's inference of every line makes them: each line read as JSON
// text, price extracted as text and cast, whatever the line holds.
const priceByVerticalTyped = `SELECT json_extract_string(json, '$.properties.vertical') AS vertical,
  round(sum(TRY_CAST(json_extract_string(json, '$.properties.price') AS DOUBLE)), 2) AS price, count(*) AS n
FROM read_json_objects('{glob}', format = 'newline_delimited')
WHERE json_extract_string(json, '$.event') = 'Product Viewed'
GROUP BY 1 ORDER BY vertical`

// eventUsers is the text of event_users and stream.
const eventUsers = `SELECT event, count(*) AS n, count(DISTINCT userId) AS users
FROM {src}
GROUP BY event ORDER BY event`

// ExperimentSpecYAML is README's food-recs.yaml; {src} stands for the data
// set's glob (a YAML single-quoted string).
const ExperimentSpecYAML = `name: food-recs-2019-02
source: {src}
unit: anonymousId
exposure: {event: Experiment Viewed, experiment_id: food-recs-2019-02}
variants:
  - {name: Model_A, weight: 0.9}
  - {name: Model_B, weight: 0.1}
metrics:
  - {name: conversion, type: binomial, event: Order Completed}
  - {name: gmv, type: mean, event: Order Completed, value: properties.revenue}
  - {name: ctr, type: ratio, numerator: {event: Product Clicked}, denominator: {event: Product Viewed}}
`

// ExperimentSpec is the food-recs spec over ds: the glob for raw logs, the
// directory (whose manifest nectar uses) for a compacted copy.
func ExperimentSpec(ds DataSet) string {
	src := ds.Glob
	if ds.Compacted {
		src = ds.Dir
	}
	return strings.ReplaceAll(ExperimentSpecYAML, "{src}", "'"+strings.ReplaceAll(src, "'", "''")+"'")
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
	args := ", format = 'newline_delimited'"
	if q.DuckDBColumns != "" {
		args += ", columns = " + q.DuckDBColumns
	}
	src := "read_json(" + sqlString(ds.Glob) + args + ")"
	if ds.Compacted {
		src = "read_parquet(" + sqlString(ds.Glob) + ", hive_partitioning = true)"
	}
	s := strings.ReplaceAll(q.DuckDBText(), "{src}", src)
	s = strings.ReplaceAll(s, "'{glob}'", sqlString(ds.Glob))
	return strings.ReplaceAll(s, "'{out}'", sqlString(out))
}
