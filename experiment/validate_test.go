package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
)

// validateSpec reads testdata/validate.json: exp1 exposes u1, u3 to A and
// u2, u4 (camelCase fields) to B; u8 is in exp-other; u9 is never exposed
// and alone has a "Refund Issued" event and properties.discount.
const validateSpec = `name: v
source: validate.json
unit: userId
exposure: {event: Experiment Viewed, experiment_id: exp1}
variants: [{name: A, weight: 1}, {name: B, weight: 1}]
metrics:
  - {name: orders, type: binomial, event: Order Completed}
  - {name: gmv, type: mean, event: Order Completed, value: properties.revenue}
  - {name: ctr, type: ratio, numerator: {event: Product Clicked}, denominator: {event: Product Viewed}}
`

func runValidate(t *testing.T, eng engine.Engine, yaml string) (*Report, error) {
	t.Helper()
	spec, err := ParseSpec([]byte(yaml), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	return Run(context.Background(), eng, spec)
}

// TestSpecMatchesNothing: a spec whose exposure, variants, metric events or
// value paths are not in the data fails, or warns, instead of reporting
// zeros with "SRM: ok".
func TestSpecMatchesNothing(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // one edit of validateSpec
		// One of: the NoExposureError's field (and suggestion), the
		// SpecError's field, or the report's warnings (fields, in order).
		exposure, suggest string
		field             string
		warnings          []string
		contains          string // in the error or the first warning
	}{
		{name: "correct spec"},
		{name: "wrong experiment id", old: "experiment_id: exp1", new: "experiment_id: exp-1",
			exposure: "exposure.experiment_id", suggest: "exp1", contains: `experiment ids on "Experiment Viewed" events: "exp1" (4 lines; variants A 2, B 2), "exp-other" (1 line; variants X 1)`},
		{name: "experiment id in another case", old: "experiment_id: exp1", new: "experiment_id: EXP1",
			exposure: "exposure.experiment_id", suggest: "exp1"},
		{name: "experiment id unlike any", old: "experiment_id: exp1", new: "experiment_id: checkout-2020",
			exposure: "exposure.experiment_id"},
		{name: "misspelt exposure event", old: "{event: Experiment Viewed,", new: "{event: Experiment Viewd,",
			exposure: "exposure.event", suggest: "Experiment Viewed", contains: `events that look like exposures: "Experiment Viewed" (5 lines)`},
		{name: "exposure event in another case", old: "{event: Experiment Viewed,", new: "{event: experiment viewed,",
			exposure: "exposure.event", suggest: "Experiment Viewed"},
		{name: "variant expression always NULL", old: "experiment_id: exp1}", new: "experiment_id: exp1, variant: properties.revenue}",
			exposure: "exposure.variant", contains: `properties.variation_id, properties.variationId, properties.variant_id hold: "A" (2 lines), "B" (2)`},
		{name: "variant path on no line", old: "experiment_id: exp1}", new: "experiment_id: exp1, variant: properties.arm}",
			field: "exposure.variant", contains: "no line of the source has properties.arm"},
		{name: "where matches nothing", old: "experiment_id: exp1}", new: "experiment_id: exp1, where: \"userId = 'nobody'\"}",
			exposure: "exposure.where"},
		{name: "unit NULL on exposures", old: "unit: userId", new: "unit: properties.revenue",
			exposure: "unit"},
		{name: "unit on no line", old: "unit: userId", new: "unit: properties.user_id",
			field: "unit", contains: "no line of the source has properties.user_id; did you mean userId?"},
		{name: "start after the data", old: "metrics:", new: "start: 2019-03-01\nmetrics:",
			exposure: "filter"},
		{name: "variants not matching", old: "[{name: A, weight: 1}, {name: B, weight: 1}]", new: "[{name: control, weight: 1}, {name: treatment, weight: 1}]",
			exposure: "variants", contains: `variants found: "A" (2 units), "B" (2)`},
		{name: "variants in another case", old: "[{name: A, weight: 1}, {name: B, weight: 1}]", new: "[{name: a, weight: 1}, {name: b, weight: 1}]",
			exposure: "variants", suggest: "A", contains: "did you mean A for a, B for b?"},
		{name: "one variant in another case", old: "[{name: A, weight: 1}, {name: B, weight: 1}]", new: "[{name: a, weight: 1}, {name: treatment, weight: 1}]",
			exposure: "variants", suggest: "A", contains: "did you mean A for a?"},
		{name: "one variant misspelt", old: "{name: B, weight: 1}", new: "{name: b2, weight: 1}",
			warnings: []string{"variants[1].name"}, contains: `no units in variant "b2"; did you mean "B" (2 units`},
		{name: "misspelt metric event", old: "binomial, event: Order Completed", new: "binomial, event: Order Complted",
			warnings: []string{"metrics[0].event"}, contains: `no "Order Complted" event in the source; did you mean "Order Completed"?`},
		{name: "metric event never among exposed units", old: "binomial, event: Order Completed", new: "binomial, event: Refund Issued",
			warnings: []string{"metrics[0].event"}, contains: `"Refund Issued" occurs on 1 line of the source, but no exposed unit has one after its first exposure`},
		{name: "misspelt ratio denominator", old: "denominator: {event: Product Viewed}", new: "denominator: {event: Product Viewd}",
			warnings: []string{"metrics[2].denominator.event"}, contains: `did you mean "Product Viewed"?`},
		{name: "value path missing in the data", old: "value: properties.revenue", new: "value: properties.revenu",
			field: "metrics[1].value", contains: "metric gmv: no line of the source has properties.revenu; did you mean properties.revenue?"},
		{name: "value name missing at top level", old: "value: properties.revenue", new: "value: revenue",
			field: "metrics[1].value", contains: "did you mean properties.revenue?"},
		{name: "unknown name in a dimension", old: "metrics:", new: "dimensions: [os_name]\nmetrics:",
			field: "dimensions[0]", contains: "no line of the source has os_name"},
		{name: "unknown name in exposure.where", old: "experiment_id: exp1}", new: "experiment_id: exp1, where: \"evnt = 'x'\"}",
			field: "exposure.where", contains: "did you mean event?"},
		{name: "value path never among exposed units", old: "value: properties.revenue", new: "value: properties.discount",
			warnings: []string{"metrics[1].value"}, contains: `properties.discount is NULL on every "Order Completed" event of the exposed units`},
		{name: "value path only on other events", old: "value: properties.revenue", new: "value: properties.price",
			warnings: []string{"metrics[1].value"}},
	}
	eng := engine.New(engine.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			yaml := validateSpec
			if tc.old != "" {
				if !strings.Contains(yaml, tc.old) {
					t.Fatalf("%q not in the spec", tc.old)
				}
				yaml = strings.Replace(yaml, tc.old, tc.new, 1)
			}
			rep, err := runValidate(t, eng, yaml)
			msg := ""
			switch {
			case tc.exposure != "":
				var ne *NoExposureError
				if !errors.As(err, &ne) || !errors.Is(err, ErrNoExposures) {
					t.Fatalf("err = %v, want a NoExposureError", err)
				}
				if ne.Field != tc.exposure || ne.Suggestion != tc.suggest {
					t.Errorf("field %q, suggestion %q; want %q, %q\n%v", ne.Field, ne.Suggestion, tc.exposure, tc.suggest, err)
				}
				msg = err.Error()
				if tc.suggest != "" && !strings.Contains(msg, "did you mean") {
					t.Errorf("no hint in %q", msg)
				}
			case tc.field != "":
				var se *SpecError
				if !errors.As(err, &se) || !errors.Is(err, ErrSpec) {
					t.Fatalf("err = %v, want a SpecError", err)
				}
				if se.Field != tc.field {
					t.Errorf("field %q, want %q (%v)", se.Field, tc.field, err)
				}
				msg = err.Error()
			default:
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, w := range rep.Warnings {
					got = append(got, w.Field)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.warnings) {
					t.Errorf("warnings %v, want %v: %v", got, tc.warnings, rep.Warnings)
				}
				if len(rep.Warnings) > 0 {
					msg = rep.Warnings[0].Message
				}
			}
			if !strings.Contains(msg, tc.contains) {
				t.Errorf("message %q\ndoes not contain %q", msg, tc.contains)
			}
		})
	}
}

// TestWarningsInEveryFormat: the report still renders, with the warning in
// the table, the JSON and the HTML.
func TestWarningsInEveryFormat(t *testing.T) {
	rep, err := runValidate(t, engine.New(engine.Options{}), strings.Replace(validateSpec, "binomial, event: Order Completed", "binomial, event: Order Complted", 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 {
		t.Fatalf("warnings %v", rep.Warnings)
	}
	want := `metric orders (metrics[0].event): no "Order Complted" event in the source; did you mean "Order Completed"?`
	if got := rep.Warnings[0].String(); got != want {
		t.Errorf("warning %q, want %q", got, want)
	}
	var tab, js, page bytes.Buffer
	if err := rep.WriteTable(&tab); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tab.String(), "WARNING: "+want) {
		t.Errorf("table:\n%s", tab.String())
	}
	var back struct{ Warnings []Warning }
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Warnings) != 1 || back.Warnings[0] != rep.Warnings[0] {
		t.Errorf("JSON warnings %+v", back.Warnings)
	}
	if !strings.Contains(page.String(), `<div class="banner warn">Warning: metric orders (metrics[0].event): no &#34;Order Complted&#34; event`) {
		t.Errorf("no warning in the HTML")
	}
	// The metrics are all there all the same.
	for _, m := range []string{"orders", "gmv", "ctr"} {
		if !strings.Contains(tab.String(), m) || !strings.Contains(page.String(), m) {
			t.Errorf("metric %s missing", m)
		}
	}
}

// fieldNotFound is the engine as it will be when a path that no line of the
// input has is an error rather than NULL: any query reading one of missing
// fails with FIELD_NOT_FOUND (DESCRIBE still binds).
type fieldNotFound struct {
	engine.Engine
	missing []string
}

func (f fieldNotFound) Run(ctx context.Context, script string, emit func(*engine.Result) error) error {
	if !strings.HasPrefix(script, "DESCRIBE ") {
		for _, p := range f.missing {
			if mentions(strings.ToLower(script), strings.ToLower(p)) {
				return fmt.Errorf("FIELD_NOT_FOUND: no line of the input has %s", p)
			}
		}
	}
	return f.Engine.Run(ctx, script, emit)
}

// TestFieldNotFound: with an engine that refuses missing paths, a metric's
// missing value path is still the metric's SpecError, and the default
// experiment fields the source lacks (properties.variant_id here) are
// dropped instead of failing the report.
func TestFieldNotFound(t *testing.T) {
	local := engine.New(engine.Options{})
	eng := fieldNotFound{local, []string{"properties.revenu", "properties.variant_id"}}
	want, err := runValidate(t, local, validateSpec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := runValidate(t, eng, validateSpec)
	if err != nil {
		t.Fatal(err)
	}
	if got.SRM.Observed["A"] != want.SRM.Observed["A"] || got.SRM.Observed["B"] != want.SRM.Observed["B"] || got.Metrics[1].Variants[1].Mean != want.Metrics[1].Variants[1].Mean {
		t.Errorf("without the missing default field: SRM %v gmv %v, want %v %v", got.SRM.Observed, got.Metrics[1].Variants[1].Mean, want.SRM.Observed, want.Metrics[1].Variants[1].Mean)
	}
	if strings.Contains(got.SQL, "variant_id") {
		t.Errorf("the query still reads properties.variant_id")
	}

	// The diagnostic query drops the missing default field as well.
	_, err = runValidate(t, eng, strings.Replace(validateSpec, "experiment_id: exp1", "experiment_id: exp-1", 1))
	var ne *NoExposureError
	if !errors.As(err, &ne) || ne.Field != "exposure.experiment_id" || ne.Suggestion != "exp1" || len(ne.ExperimentIDs) != 2 {
		t.Errorf("wrong experiment id: %v", err)
	}
	_, err = runValidate(t, eng, strings.Replace(validateSpec, "experiment_id: exp1}", "experiment_id: exp1, variant: properties.revenue}", 1))
	if !errors.As(err, &ne) || ne.Field != "exposure.variant" || fmt.Sprint(ne.Variants) != "[{A 2} {B 2}]" {
		t.Errorf("variant always NULL: %v", err)
	}

	_, err = runValidate(t, eng, strings.Replace(validateSpec, "value: properties.revenue", "value: properties.revenu", 1))
	var se *SpecError
	if !errors.As(err, &se) || se.Field != "metrics[1].value" {
		t.Fatalf("err = %v, want a SpecError for metrics[1].value", err)
	}
	if se.Err == nil || !strings.Contains(se.Err.Error(), "FIELD_NOT_FOUND") || !strings.Contains(se.Msg, "metric gmv") || !strings.Contains(se.Msg, "did you mean properties.revenue?") {
		t.Errorf("SpecError %+v", se)
	}
}

func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		word  string
		cands []string
		want  string
	}{
		{"Order Complted", []string{"Order Completed", "Product Viewed"}, "Order Completed"},
		{"experiment viewed", []string{"Experiment Viewed"}, "Experiment Viewed"},
		{"food-recs-2019-2", []string{"food-recs-2019-02", "checkout-2019-01"}, "food-recs-2019-02"},
		{"Experiment Viewed", []string{"Experiment Viewed", "Experiment Viewd"}, ""},
		{"checkout", []string{"food-recs-2019-02"}, ""},
		{"ab", []string{"xy"}, "xy"}, // two edits are a typo even in short names
		{"ab", []string{"xyz"}, ""},
	} {
		if got := closest(tc.word, tc.cands); got != tc.want {
			t.Errorf("closest(%q, %q) = %q, want %q", tc.word, tc.cands, got, tc.want)
		}
	}
	if got := exprPaths("coalesce(e.properties.revenue, properties.total * 1.1) + CASE WHEN x > 0 THEN properties.products[0].price END"); fmt.Sprint(got) != "[properties.revenue properties.total x properties.products]" {
		t.Errorf("exprPaths = %q", got)
	}
}
