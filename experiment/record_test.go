package experiment

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestNewRecording(t *testing.T) {
	text := []byte(`name: food-recs-ab
source: logs/**/*.gz
unit: userId
exposure: {event: Experiment Viewed}
variants: [{name: A, weight: 1, model: food-recs@1.4.2}, {name: B, weight: 1}]
metrics: [{name: ordered, type: binomial, event: Order Completed}]
`)
	spec, err := ParseSpec(text, "")
	if err != nil {
		t.Fatal(err)
	}
	p := func(f float64) *float64 { return &f }
	rep := &Report{SRM: SRMResult{PValue: 0.4},
		Metrics: []MetricResult{{Name: "ordered", Type: Binomial, Variants: []VariantResult{
			{Name: "A", Control: true, Units: 10, Mean: 0.1},
			{Name: "B", Units: 12, Mean: 0.2, ChanceToWin: p(0.9),
				Absolute: &LiftResult{Lift: 0.1, CI: [2]float64{math.Inf(-1), 0.3}, PValue: 0.04, PHolm: p(0.08), PBH: p(math.NaN())},
				Relative: &LiftResult{Lift: 1, CI: [2]float64{0.1, 1.9}, PValue: 0.05}},
		}}},
		Daily: []DayResult{{Day: "2019-02-12"}, {Day: "2019-02-14"}}}
	r, err := NewRecording(spec, rep, text)
	if err != nil {
		t.Fatal(err)
	}
	if !r.WindowStart.Equal(time.Date(2019, 2, 12, 0, 0, 0, 0, time.UTC)) || !r.WindowEnd.Equal(time.Date(2019, 2, 15, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("window %s to %s", r.WindowStart, r.WindowEnd)
	}
	if len(r.SpecHash) != 64 || r.SRMP != 0.4 || r.Variants[0].Model != "food-recs@1.4.2" || len(r.Scores) != 2 {
		t.Fatalf("recording: %+v", r)
	}
	b := r.Scores[1]
	if *b.AbsLift != 0.1 || b.AbsCILow != nil || *b.AbsCIHigh != 0.3 || *b.AbsPHolm != 0.08 || b.AbsPBH != nil || *b.RelP != 0.05 || *b.ChanceToWin != 0.9 {
		t.Fatalf("treatment score: %+v", b)
	}
	if a := r.Scores[0]; !a.Control || a.AbsLift != nil {
		t.Fatalf("control score: %+v", a)
	}

	// The spec's own window wins over the exposure days.
	withWindow, _ := ParseSpec(append(text, "start: 2019-02-01\nend: 2019-03-01\n"...), "")
	r, _ = NewRecording(withWindow, rep, text)
	if r.WindowStart.Format(time.DateOnly) != "2019-02-01" || r.WindowEnd.Format(time.DateOnly) != "2019-03-01" {
		t.Fatalf("spec window: %s to %s", r.WindowStart, r.WindowEnd)
	}
	// No name, or no window at all: refused.
	unnamed := *spec
	unnamed.Name = ""
	if _, err := NewRecording(&unnamed, rep, text); !errors.Is(err, ErrRecord) {
		t.Fatalf("unnamed: %v", err)
	}
	if _, err := NewRecording(spec, &Report{}, text); !errors.Is(err, ErrRecord) {
		t.Fatalf("no window: %v", err)
	}
}
