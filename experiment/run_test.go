package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
)

func loadSpec(t *testing.T, path string) *Spec {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSpec(data, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHandmadeSums checks the SQL's sufficient statistics against values
// worked out by hand from testdata/handmade.json: pre-exposure events, a
// unit in two variants, an unknown variant, another experiment, camelCase
// fields, a NULL unit and a conversion window.
func TestHandmadeSums(t *testing.T) {
	spec := loadSpec(t, "testdata/handmade.yaml")
	ctx := context.Background()
	eng := engine.New(engine.Options{})
	if err := probeFields(ctx, eng, spec); err != nil {
		t.Fatal(err)
	}
	_, rows, err := engine.QueryRows(ctx, eng, spec.SQL())
	if err != nil {
		t.Fatal(err)
	}
	cells, err := parseCells(rows, spec)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Cell{}
	for _, c := range cells {
		got[c.Slice+"|"+c.Value+"|"+c.Day+"|"+c.Variant] = c
	}
	type want struct {
		key string
		n   int64
		m   []Sums // conversion, gmv, gmv24, ctr, gmv_cuped
	}
	a := []Sums{{Sy: 1, Syy: 1}, {Sy: 20, Syy: 400}, {Sy: 20, Syy: 400}, {Sy: 1, Syy: 1, Sz: 2, Szz: 4, Syz: 2}, {Sy: 20, Syy: 400, Sz: 10, Szz: 100, Syz: 200}}
	b := []Sums{{Sy: 1, Syy: 1}, {Sy: 12, Syy: 144}, {Sy: 5, Syy: 25}, {Sy: 1, Syy: 1, Sz: 4, Szz: 10, Syz: 1}, {Sy: 12, Syy: 144}}
	tests := []want{
		{"||2019-02-01|A", 2, a},
		{"||2019-02-02|B", 2, b},
		{"||2019-02-01|C", 1, nil},
		{multiSlice + "|||A", 1, nil},
		{"0|iOS||A", 1, nil},
		{"0|Android||B", 1, nil},
	}
	for _, w := range tests {
		c, ok := got[w.key]
		if !ok {
			t.Errorf("no cell %q; have %v", w.key, keys(got))
			continue
		}
		if c.N != w.n {
			t.Errorf("%s: n = %d, want %d", w.key, c.N, w.n)
		}
		for k, s := range w.m {
			s.N = float64(w.n)
			if c.Metrics[k] != s {
				t.Errorf("%s metric %s: %+v, want %+v", w.key, spec.Metrics[k].Name, c.Metrics[k], s)
			}
		}
	}
	if len(got) != 9 {
		t.Errorf("%d cells, want 9: %v", len(got), keys(got))
	}

	// The checks over A and B's units, after first exposure: u1's and
	// u3's two orders (all with revenue), one click each, and u1's 2, u3's
	// 1 and u6's 3 views.
	checks := make([]float64, len(spec.checks()))
	for _, c := range cells {
		if c.Slice == "" && (c.Variant == "A" || c.Variant == "B") {
			for i := range checks {
				checks[i] += c.Checks[i]
			}
		}
	}
	if fmt.Sprint(checks) != "[3 3 2 6]" {
		t.Errorf("checks %v, want [3 3 2 6] for %v", checks, spec.checks())
	}

	rep := Analyze(spec, cells)
	if rep.MultipleVariantUnits != 1 || rep.UnknownVariants["C"] != 1 {
		t.Errorf("multi %d, unknown %v", rep.MultipleVariantUnits, rep.UnknownVariants)
	}
	if len(rep.Daily) != 2 || rep.Daily[1].SRM.Observed["B"] != 2 || rep.Daily[0].SRM.Observed["B"] != 0 {
		t.Errorf("daily = %+v", rep.Daily)
	}
	ctr := rep.Metrics[3].Variants
	if ctr[0].Mean != 0.5 || ctr[1].Mean != 0.25 {
		t.Errorf("ctr means %v, %v", ctr[0].Mean, ctr[1].Mean)
	}
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func TestOutputsAgree(t *testing.T) {
	spec := loadSpec(t, "testdata/handmade.yaml")
	rep, err := Run(context.Background(), engine.New(engine.Options{}), spec)
	if err != nil {
		t.Fatal(err)
	}
	var js, tab, html bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteTable(&tab); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Metrics[1].Variants[1].Absolute.Lift != rep.Metrics[1].Variants[1].Absolute.Lift {
		t.Error("JSON does not round-trip the gmv lift")
	}
	for _, m := range rep.Metrics {
		for _, v := range m.Variants {
			if !strings.Contains(tab.String(), m.Name) || !strings.Contains(html.String(), m.Name) {
				t.Errorf("metric %s missing from table or HTML", m.Name)
			}
			if v.Absolute != nil {
				l := num(v.Absolute.Lift)
				if !strings.Contains(tab.String(), l) || !strings.Contains(html.String(), l) {
					t.Errorf("%s/%s lift %s missing from table or HTML", m.Name, v.Name, l)
				}
			}
		}
	}
}

func TestSpecErrors(t *testing.T) {
	base := `name: x
source: logs
unit: userId
exposure: {event: Experiment Viewed}
variants: [{name: A, weight: 1}, {name: B, weight: 1}]
metrics: [{name: m, type: binomial, event: Order Completed}]
`
	tests := []struct {
		name, yaml, field string
	}{
		{"no source", strings.Replace(base, "source: logs\n", "", 1), "source"},
		{"no unit", strings.Replace(base, "unit: userId\n", "", 1), "unit"},
		{"bad weight", strings.Replace(base, "weight: 1}]", "weight: 0}]", 1), "variants[1].weight"},
		{"dup variant", strings.Replace(base, "name: B", "name: A", 1), "variants[1].name"},
		{"bad type", strings.Replace(base, "type: binomial", "type: median", 1), "metrics[0].type"},
		{"ratio without denominator", strings.Replace(base, "type: binomial, event: Order Completed", "type: ratio, numerator: {event: a}", 1), "metrics[0].denominator"},
		{"bad window", strings.Replace(base, "event: Order Completed}", "event: Order Completed, window: soon}", 1), "metrics[0].window"},
		{"bad winsorize", strings.Replace(base, "type: binomial, event: Order Completed}", "type: mean, event: Order Completed, winsorize: 99}", 1), "metrics[0].winsorize"},
		{"binomial value", strings.Replace(base, "event: Order Completed}", "event: Order Completed, value: properties.revenue}", 1), "metrics[0].value"},
		{"no metrics", strings.Replace(base, "metrics: [{name: m, type: binomial, event: Order Completed}]\n", "", 1), "metrics"},
		{"winsorize_denominator without winsorize", strings.Replace(base, "type: binomial, event: Order Completed", "type: ratio, numerator: {event: a}, denominator: {event: b}, winsorize_denominator: true", 1), "metrics[0].winsorize_denominator"},
		{"winsorize_denominator on a mean", strings.Replace(base, "type: binomial, event: Order Completed", "type: mean, event: a, winsorize: 0.99, winsorize_denominator: true", 1), "metrics[0].winsorize_denominator"},
		{"ratio winsorize out of range", strings.Replace(base, "type: binomial, event: Order Completed", "type: ratio, numerator: {event: a}, denominator: {event: b}, winsorize: 1", 1), "metrics[0].winsorize"},
		{"bad alpha", base + "alpha: 2\n", "alpha"},
		{"bad start", base + "start: yesterday\n", "start"},
		{"model without version", strings.Replace(base, "{name: B, weight: 1}", "{name: B, weight: 1, model: food-recs}", 1), "variants[1].model"},
		{"model with spaces", strings.Replace(base, "{name: A, weight: 1}", "{name: A, weight: 1, model: 'food recs@1'}", 1), "variants[0].model"},
		// SQL fields hold one expression, which cannot close the query's
		// parentheses or comment out the rest of its line.
		{"value breaking out", strings.Replace(base, "type: binomial, event: Order Completed", "type: mean, event: a, value: '1)) AS y FROM t --'", 1), "metrics[0].value"},
		{"unit not an expression", strings.Replace(base, "unit: userId", "unit: 'userId,'", 1), "unit"},
		{"dimension not an expression", base + "dimensions: [context.os.name, 'a b c']\n", "dimensions[1]"},
		{"model with empty version", strings.Replace(base, "{name: A, weight: 1}", "{name: A, weight: 1, model: 'food-recs@'}", 1), "variants[0].model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpec([]byte(tc.yaml), "")
			var se *SpecError
			if !errors.As(err, &se) || !errors.Is(err, ErrSpec) {
				t.Fatalf("err = %v, want a SpecError", err)
			}
			if se.Field != tc.field {
				t.Errorf("field = %q, want %q (%v)", se.Field, tc.field, err)
			}
		})
	}
	commented, err := ParseSpec([]byte(strings.Replace(base, "unit: userId", "unit: 'userId -- the user'", 1)), "")
	if err != nil || commented.Unit != "userId" {
		t.Errorf("a comment in unit: %v, %+v", err, commented)
	}
	if _, err := ParseSpec([]byte(base+"bogus: 1\n"), ""); !errors.Is(err, ErrSpec) {
		t.Errorf("unknown field: err = %v, want ErrSpec", err)
	}
	if _, err := ParseSpec([]byte(base), ""); err != nil {
		t.Errorf("base spec: %v", err)
	}
	models := strings.Replace(base, "{name: A, weight: 1}, {name: B, weight: 1}", "{name: A, weight: 1, model: food-recs@1.4.2}, {name: B, weight: 1, model: recsys/food-recs@2019.02}", 1)
	if _, err := ParseSpec([]byte(models), ""); err != nil {
		t.Errorf("variants with models: %v", err)
	}
	ratio := strings.Replace(base, "type: binomial, event: Order Completed", "type: ratio, numerator: {event: a}, denominator: {event: b}, cuped: true, winsorize: 0.99, winsorize_denominator: true", 1)
	if _, err := ParseSpec([]byte(ratio), ""); err != nil {
		t.Errorf("ratio with CUPED and both caps: %v", err)
	}
}

// TestRatioCUPEDDegenerate: a variant without pre-exposure views leaves the
// metric unadjusted with a note; empty variants and reports never print NaN.
func TestRatioCUPEDDegenerate(t *testing.T) {
	spec, err := ParseSpec([]byte(`name: d
source: logs
unit: userId
exposure: {event: Experiment Viewed}
variants: [{name: A, weight: 1}, {name: B, weight: 1}, {name: C, weight: 1}]
metrics:
  - {name: ctr, type: ratio, numerator: {event: c}, denominator: {event: v}, cuped: true, winsorize: 0.9}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	a := Sums{N: 4, Sy: 4, Syy: 6, Sz: 10, Szz: 30, Syz: 12, Su: 2, Suu: 2, Sw: 6, Sww: 12, Suw: 4, Syu: 3, Syw: 7, Szu: 6, Szw: 16, CapY: 2}
	b := Sums{N: 3, Sy: 3, Syy: 5, Sz: 9, Szz: 29, Syz: 11, CapY: 2}
	rep := Analyze(spec, []Cell{{Day: "2019-02-01", Variant: "A", N: 4, Metrics: []Sums{a}}, {Day: "2019-02-01", Variant: "B", N: 3, Metrics: []Sums{b}}})
	m := rep.Metrics[0]
	if m.CUPED == nil || m.CUPED.Theta != 0 || !strings.Contains(m.CUPED.Note, "pre-exposure") {
		t.Errorf("cuped = %+v, want θ 0 and a note", m.CUPED)
	}
	plain, _ := RatioEstimate(b)
	if v := m.Variants[1]; v.Mean != plain.Mean || v.Variance != plain.Var || v.Absolute == nil {
		t.Errorf("B = %+v, want the unadjusted ratio %+v with lifts", v, plain)
	}
	if m.Cap == nil || *m.Cap != 2 || m.Variants[2].Note != "no units" {
		t.Errorf("cap %v, C note %q", m.Cap, m.Variants[2].Note)
	}
	for _, r := range []*Report{rep, Analyze(spec, nil)} {
		var js, html bytes.Buffer
		if err := r.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteHTML(&html); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(js.String()+html.String(), "NaN") {
			t.Errorf("NaN in the output:\n%s", js.String())
		}
	}
}

// TestStatColumns pins the per-metric column counts of the statistics
// query: 2 for a plain mean or binomial, 5 for CUPED or a ratio, 14 for a
// ratio with CUPED, plus one column per cap.
func TestStatColumns(t *testing.T) {
	c := &Component{Event: "e"}
	for _, tc := range []struct {
		m    Metric
		want int
	}{
		{Metric{Type: Binomial, Component: *c}, 2},
		{Metric{Type: Mean, Component: *c, Winsorize: 0.99}, 3},
		{Metric{Type: Mean, Component: *c, CUPED: true}, 5},
		{Metric{Type: Ratio, Numerator: c, Denominator: c}, 5},
		{Metric{Type: Ratio, Numerator: c, Denominator: c, CUPED: true}, 14},
		{Metric{Type: Ratio, Numerator: c, Denominator: c, CUPED: true, Winsorize: 0.9, WinsorizeDenominator: true}, 16},
	} {
		cols := tc.m.sumCols()
		if len(cols) != tc.want {
			t.Errorf("%+v: %d columns %v, want %d", tc.m, len(cols), cols, tc.want)
		}
		seen := map[*float64]bool{}
		var s Sums
		for _, col := range cols {
			p := sumField(&s, col)
			if seen[p] {
				t.Errorf("%v: two columns land in one field", cols)
			}
			seen[p] = true
		}
	}
	spec := loadSpec(t, "testdata/handmade.yaml")
	// n + 4 keys, then 2+2+2+5+5 sums, then 4 checks: the three events
	// and properties.revenue on Order Completed.
	if got := spec.statColumns(); got != colMetrics+16+4 {
		t.Errorf("handmade spec: %d columns, want %d", got, colMetrics+16+4)
	}
	if got := fmt.Sprint(spec.checks()); got != "[{Order Completed } {Order Completed properties.revenue} {Product Clicked } {Product Viewed }]" {
		t.Errorf("handmade checks %s", got)
	}
}
