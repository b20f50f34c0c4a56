package experiment

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/spark"
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

// TestEndToEndRatioCUPED builds logs from the reference per-unit counts
// (testdata/scipy/reference.json, ratio_cuped): post-exposure clicks y and
// views z, pre-exposure clicks u and views w inside the 7-day CUPED window,
// plus a view 8 days and a click 10 days before exposure that the window
// must leave out. The engine's sums, caps, θ, means, variances and lifts
// must match NumPy/SciPy.
func TestEndToEndRatioCUPED(t *testing.T) {
	ref := loadReference(t).RatioCUPED
	dir := t.TempDir()
	path := filepath.Join(dir, "events.json")
	var b strings.Builder
	event := func(name, unit string, at time.Time, props string) {
		fmt.Fprintf(&b, `{"event":%q,"userId":%q,"timestamp":%q,"properties":{%s}}`+"\n", name, unit, at.Format(time.RFC3339), props)
	}
	start := time.Date(2019, 2, 10, 12, 0, 0, 0, time.UTC)
	for _, arm := range []struct {
		variant string
		units   ratioUnits
	}{{"A", ref.Control}, {"B", ref.Treatment}} {
		for i := range arm.units.Y {
			unit := fmt.Sprintf("%s%03d", arm.variant, i)
			first := start.Add(time.Duration(i%2)*24*time.Hour + time.Duration(i)*time.Second)
			event("Experiment Viewed", unit, first, `"experiment_id":"ratio-exp","variation_id":"`+arm.variant+`"`)
			for _, e := range []struct {
				name string
				n    float64
				sign time.Duration
			}{{"Product Clicked", arm.units.Y[i], 1}, {"Product Viewed", arm.units.Z[i], 1}, {"Product Clicked", arm.units.U[i], -1}, {"Product Viewed", arm.units.W[i], -1}} {
				for j := range int(e.n) {
					event(e.name, unit, first.Add(e.sign*time.Duration(j+1)*time.Minute), "")
				}
			}
			if i%5 == 0 {
				event("Product Viewed", unit, first.Add(-8*24*time.Hour), "")
				event("Product Clicked", unit, first.Add(-10*24*time.Hour), "")
			}
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ratio := "type: ratio, numerator: {event: Product Clicked}, denominator: {event: Product Viewed}"
	spec, err := ParseSpec([]byte(`name: ratio-cuped
source: `+path+`
unit: userId
exposure: {event: Experiment Viewed, experiment_id: ratio-exp}
variants: [{name: A, weight: 60}, {name: B, weight: 50}]
cuped_window: 7d
metrics:
  - {name: ctr_cuped, `+ratio+`, cuped: true}
  - {name: ctr_wins, `+ratio+`, winsorize: `+fmt.Sprint(ref.Winsorize)+`}
  - {name: ctr_wins_cuped, `+ratio+`, cuped: true, winsorize: `+fmt.Sprint(ref.Winsorize)+`, winsorize_denominator: true}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(spec.Metrics[0].sumCols()); got != 14 {
		t.Errorf("ratio with CUPED returns %d sums, want 14", got)
	}
	ctx := context.Background()
	eng := engine.New(engine.Options{})
	rep, err := Run(ctx, eng, spec)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SRM.Observed["A"] != 60 || rep.SRM.Observed["B"] != 50 || len(rep.Daily) != 2 {
		t.Fatalf("units %v, %d days", rep.SRM.Observed, len(rep.Daily))
	}

	// The sums straight from the query, against the counts: the events 8
	// and 10 days before exposure are outside the window.
	_, rows, err := engine.QueryRows(ctx, eng, spec.SQL())
	if err != nil {
		t.Fatal(err)
	}
	cells, err := parseCells(rows, spec)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*Sums{"A": {}, "B": {}}
	gotCapped := map[string]*Sums{"A": {}, "B": {}}
	for _, c := range cells {
		if c.Slice == "" {
			got[c.Variant].Add(c.Metrics[0])
			gotCapped[c.Variant].Add(c.Metrics[2])
		}
	}
	for v, units := range map[string]ratioUnits{"A": ref.Control, "B": ref.Treatment} {
		if want := units.sums4(0, 0); *got[v] != want {
			t.Errorf("%s sums %+v, want %+v", v, *got[v], want)
		}
		want := units.sums4(ref.CapY, ref.CapZ)
		want.CapY, want.CapZ = ref.CapY, ref.CapZ
		if *gotCapped[v] != want {
			t.Errorf("%s capped sums %+v, want %+v", v, *gotCapped[v], want)
		}
	}

	check := func(m MetricResult, want ratioCase, cuped bool) {
		t.Helper()
		theta := 0.0
		if cuped {
			if m.CUPED == nil {
				t.Fatalf("%s: no CUPED info", m.Name)
			}
			theta = m.CUPED.Theta
		}
		c, tr := m.Variants[0], m.Variants[1]
		checkRatioCase(t, m.Name, theta, Estimate{N: float64(c.Units), Mean: c.Mean, Var: c.Variance},
			Estimate{N: float64(tr.Units), Mean: tr.Mean, Var: tr.Variance}, want)
		a, r := tr.Absolute, tr.Relative
		if a == nil || r == nil {
			t.Fatalf("%s: no lifts (%s)", m.Name, tr.Note)
		}
		near(t, m.Name+" report abs lift", a.Lift, want.Absolute.Lift, tol)
		near(t, m.Name+" report abs lo", a.CI[0], want.Absolute.Lo, tol)
		near(t, m.Name+" report abs p", a.PValue, want.Absolute.P, tol)
		near(t, m.Name+" report rel lift", r.Lift, want.Relative.Lift, tol)
		near(t, m.Name+" report rel hi", r.CI[1], want.Relative.Hi, tol)
		near(t, m.Name+" report rel p", r.PValue, want.Relative.P, tol)
	}
	check(rep.Metrics[0], ref.CUPED, true)
	check(rep.Metrics[1], ref.Winsorized, false)
	check(rep.Metrics[2], ref.WinsorizedBothCUPED, true)
	if m := rep.Metrics[1]; m.Cap == nil || *m.Cap != ref.CapY || m.DenominatorCap != nil {
		t.Errorf("ctr_wins caps %v %v, want %v and none", m.Cap, m.DenominatorCap, ref.CapY)
	}
	if m := rep.Metrics[2]; m.Cap == nil || *m.Cap != ref.CapY || m.DenominatorCap == nil || *m.DenominatorCap != ref.CapZ {
		t.Errorf("ctr_wins_cuped caps %v %v, want %v %v", m.Cap, m.DenominatorCap, ref.CapY, ref.CapZ)
	}
	// The statistics query compiles for Spark as it stands (ExplainOnly
	// never connects; the schema is read from the local file).
	sp := engine.New(engine.Options{Backend: spark.NewBackend("sc://127.0.0.1:1"), ExplainOnly: true})
	var sparkSQL string
	if err := sp.Run(ctx, spec.SQL(), func(r *engine.Result) error {
		sparkSQL = r.Text
		return nil
	}); err != nil {
		t.Fatalf("compile for Spark: %v", err)
	}
	if !strings.Contains(sparkSQL, "percentile_approx") || !strings.Contains(sparkSQL, "least(") {
		t.Errorf("Spark SQL lacks the caps:\n%s", sparkSQL)
	}

	// The ratio of the report is of the uncapped counts for ctr_cuped.
	if c := rep.Metrics[0].Variants[0]; c.Numerator != got["A"].Sy || c.Denominator != got["A"].Sz {
		t.Errorf("control numerator/denominator %v/%v", c.Numerator, c.Denominator)
	}
}
