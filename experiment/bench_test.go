package experiment

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
)

// The report should cost little more than the one aggregation it
// replaces (issue 6 item 5: at most 1.3 times): one pass over the logs,
// sufficient statistics per unit, then statistics in memory. Compare
//
//	go test ./experiment/ -run '^$' -bench 'Report|UnitAggregation' -count 5
//
// BenchmarkReport against BenchmarkUnitAggregation (benchstat, or the
// ns/op by eye). Both read the same generated gzip files with the same
// engine, whose schema inference is cached after the first run.

const benchSpecYAML = `name: food-recs-2019-02
source: ./logs
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

// unitAggregationSQL is what the report computes, as one aggregation:
// per unit (reading the same fields, the variant and first exposure
// time included) the metrics over all its events, then per variant and
// day the sums. It ignores exposure time, so it is the floor, not an
// equivalent answer.
const unitAggregationSQL = `WITH u AS (
  SELECT anonymousId AS __unit,
    min(CAST(coalesce(CAST(properties.variation_id AS STRING), CAST(properties.variationId AS STRING), CAST(properties.variant_id AS STRING)) AS STRING))
      FILTER (WHERE event = 'Experiment Viewed' AND CAST(coalesce(CAST(properties.experiment_id AS STRING), CAST(properties.experimentId AS STRING)) AS STRING) = 'food-recs-2019-02') AS __variant,
    min(unix_micros(CAST(timestamp AS TIMESTAMP))) FILTER (WHERE event = 'Experiment Viewed') AS __first,
    CASE WHEN count(*) FILTER (WHERE event = 'Order Completed') > 0 THEN 1.0 ELSE 0.0 END AS __y0,
    coalesce(sum(CAST(properties.revenue AS DOUBLE)) FILTER (WHERE event = 'Order Completed'), 0.0) AS __y1,
    CAST(count(*) FILTER (WHERE event = 'Product Clicked') AS DOUBLE) AS __y2,
    CAST(count(*) FILTER (WHERE event = 'Product Viewed') AS DOUBLE) AS __z2
  FROM SRC
  WHERE anonymousId IS NOT NULL
    AND event IN ('Experiment Viewed', 'Order Completed', 'Product Clicked', 'Product Viewed')
  GROUP BY anonymousId
)
SELECT __variant, CAST(to_date(timestamp_micros(__first)) AS STRING) AS day, count(*) AS n,
  sum(__y0), sum(__y0 * __y0), sum(__y1), sum(__y1 * __y1),
  sum(__y2), sum(__y2 * __y2), sum(__z2), sum(__z2 * __z2), sum(__y2 * __z2)
FROM u WHERE __variant IS NOT NULL GROUP BY 1, 2`

// benchSetup writes 100,000 events in 12 gzip files and returns the spec
// reading them and a fresh engine.
func benchSetup(b *testing.B) (*Spec, *engine.Session) {
	b.Helper()
	dir := b.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 100000, Files: 12, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	spec, err := ParseSpec([]byte(benchSpecYAML), dir)
	if err != nil {
		b.Fatal(err)
	}
	spec.Source = filepath.Join(dir, "segment-logs", "**", "*.gz")
	return spec, engine.New(engine.Options{})
}

func BenchmarkReport(b *testing.B) {
	spec, eng := benchSetup(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(ctx, eng, spec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnitAggregation(b *testing.B) {
	spec, eng := benchSetup(b)
	ctx := context.Background()
	query := strings.ReplaceAll(unitAggregationSQL, "SRC", spec.sourceSQL())
	b.ReportAllocs()
	for b.Loop() {
		_, rows, err := engine.QueryRows(ctx, eng, query)
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) == 0 {
			b.Fatal("no variants: the data has no exposures")
		}
	}
}
