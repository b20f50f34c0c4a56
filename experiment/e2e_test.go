package experiment

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/gen"
)

// TestEndToEndGen runs the example spec over gen data, whose
// built-in experiment gives Model_B a higher click-through, and checks the
// counts against direct SQL.
func TestEndToEndGen(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and scans 40k events")
	}
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 40000, Files: 4, Seed: 7, Days: 4}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/food-recs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := ParseSpec(data, dir)
	if err != nil {
		t.Fatal(err)
	}
	spec.Source = filepath.Join(dir, "segment-logs")
	ctx := context.Background()
	eng := engine.New(engine.Options{})
	rep, err := Run(ctx, eng, spec)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SRM.Flag {
		t.Errorf("SRM flagged on gen data: %+v", rep.SRM)
	}
	ctr := rep.Metrics[2]
	if b := ctr.Variants[1]; b.Absolute == nil || !(b.Absolute.Lift > 0) {
		t.Errorf("Model_B CTR lift not positive: %+v", b)
	}

	// Direct SQL: units with a single variant, and their clicks at or after
	// first exposure, per variant.
	q := `WITH x AS (
  SELECT userId AS u, min(timestamp) AS first, min(coalesce(properties.variation_id, properties.variationId)) AS v,
         count(DISTINCT coalesce(properties.variation_id, properties.variationId)) AS nv
  FROM read_json(` + quote(spec.Source) + `)
  WHERE event = 'Experiment Viewed' AND userId IS NOT NULL
    AND coalesce(properties.experiment_id, properties.experimentId) = 'food-recs-2019-02'
  GROUP BY userId)
SELECT x.v, count(DISTINCT x.u) AS units, count(e.event) AS clicks
FROM x LEFT JOIN read_json(` + quote(spec.Source) + `) AS e
  ON e.userId = x.u AND e.event = 'Product Clicked' AND e.timestamp >= x.first
WHERE x.nv = 1
GROUP BY x.v ORDER BY x.v`
	err = eng.Run(ctx, q, func(r *engine.Result) error {
		rows, err := exec.Collect(ctx, r.Rows)
		if err != nil {
			return err
		}
		if len(rows) != 2 {
			t.Fatalf("direct SQL gave %d rows", len(rows))
		}
		for i, row := range rows {
			v := ctr.Variants[i]
			if row[0].S != v.Name || row[1].I != v.Units || float64(row[2].I) != v.Numerator {
				t.Errorf("direct SQL %v, report %s units %d clicks %v", row, v.Name, v.Units, v.Numerator)
			}
			if rep.SRM.Observed[v.Name] != row[1].I {
				t.Errorf("SRM observed %d for %s, direct SQL %d", rep.SRM.Observed[v.Name], v.Name, row[1].I)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
