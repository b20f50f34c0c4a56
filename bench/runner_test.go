package bench

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"
)

// fakeEngine answers with csv(n) on its nth run of a query, and records the order
// in which it was called in a shared log.
type fakeEngine struct {
	name  string
	csv   func(rep int) string
	fail  error
	calls *[]string
	reps  int
	runs  map[string]int // per query name
}

func (f *fakeEngine) Name() string { return f.name }

func (f *fakeEngine) Run(ctx context.Context, q Query, ds DataSet, out string) (Measurement, error) {
	*f.calls = append(*f.calls, f.name)
	f.reps++
	if f.fail != nil {
		return Measurement{}, f.fail
	}
	if f.runs == nil {
		f.runs = map[string]int{}
	}
	f.runs[q.Name]++
	return Measurement{Wall: time.Duration(f.reps) * time.Second, PeakRSS: 1 << 20, Stdout: []byte(f.csv(f.runs[q.Name]))}, nil
}

func TestRun(t *testing.T) {
	boom := errors.New("boom")
	fixed := func(s string) func(int) string { return func(int) string { return s } }
	tests := []struct {
		name         string
		other        func(int) string
		fail         error
		wantMismatch bool
		wantErr      bool
	}{
		{"agree", fixed("v,n\nb,2\na,1\n"), nil, false, false},
		{"disagree", fixed("v,n\na,1\nb,3\n"), nil, true, false},
		{"unstable", func(rep int) string {
			if rep == 2 {
				return "v,n\na,1\n"
			}
			return "v,n\na,1\nb,2\n"
		}, nil, true, false},
		{"fails", nil, boom, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			ref := &fakeEngine{name: "ref", csv: fixed("v,n\na,1\nb,2\n"), calls: &calls}
			other := &fakeEngine{name: "other", csv: tt.other, fail: tt.fail, calls: &calls}
			rows, err := Run(context.Background(), Config{
				Cases:     []Case{{Query: Query{Name: "q1"}}, {Query: Query{Name: "q2"}}},
				Engines:   []Engine{ref, other},
				Reference: "ref",
				Reps:      3,
				WorkDir:   t.TempDir(),
				Log:       io.Discard,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				c := row.Cell("other")
				if got := c.Mismatch != nil; got != tt.wantMismatch {
					t.Errorf("%s: mismatch = %v, want %v", row.Case.Query.Name, c.Mismatch, tt.wantMismatch)
				}
				if got := errors.Is(c.Err, boom); got != tt.wantErr {
					t.Errorf("%s: err = %v, want boom %v", row.Case.Query.Name, c.Err, tt.wantErr)
				}
				if r := row.Cell("ref"); len(r.Walls) != 3 || r.Mismatch != nil {
					t.Errorf("%s: reference ran %d times, mismatch %v", row.Case.Query.Name, len(r.Walls), r.Mismatch)
				}
			}
			// A failing engine is not retried on the same case.
			if tt.fail != nil && other.reps != 2 {
				t.Errorf("failing engine ran %d times, want once per case", other.reps)
			}
			// Engines alternate who goes first.
			if tt.fail == nil {
				want := []string{"ref", "other", "other", "ref", "other", "ref", "ref", "other", "ref", "other", "other", "ref"}
				if !slices.Equal(calls, want) {
					t.Errorf("call order %v, want %v", calls, want)
				}
			}
		})
	}
}

// TestRunCrossChecksSameAs: a query with SameAs must return the
// reference's rows of that query, on every engine, or be a mismatch even
// when both engines agree with each other.
func TestRunCrossChecksSameAs(t *testing.T) {
	answers := map[string]string{"seed": "v,n\na,1\n", "same": "v,n\na,1\n", "changed": "v,n\na,2\n"}
	var calls []string
	engines := []Engine{
		queryEngine{&fakeEngine{name: "ref", calls: &calls}, answers},
		queryEngine{&fakeEngine{name: "other", calls: &calls}, answers},
	}
	rows, err := Run(context.Background(), Config{
		Cases: []Case{
			{Query: Query{Name: "seed"}},
			{Query: Query{Name: "same", SameAs: "seed"}},
			{Query: Query{Name: "changed", SameAs: "seed"}},
		},
		Engines: engines, Reference: "ref", Reps: 1, WorkDir: t.TempDir(), Log: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		want := row.Case.Query.Name == "changed"
		for _, c := range row.Cells {
			if got := c.Mismatch != nil; got != want {
				t.Errorf("%s on %s: mismatch %v, want %v", c.Engine, row.Case.Query.Name, c.Mismatch, want)
			}
		}
	}
}

// queryEngine answers each query by name.
type queryEngine struct {
	*fakeEngine
	answers map[string]string
}

func (q queryEngine) Run(ctx context.Context, qu Query, ds DataSet, out string) (Measurement, error) {
	q.fakeEngine.csv = func(int) string { return q.answers[qu.Name] }
	return q.fakeEngine.Run(ctx, qu, ds, out)
}

func TestCellStats(t *testing.T) {
	s := time.Second
	tests := []struct {
		walls         []time.Duration
		med, min, max time.Duration
	}{
		{nil, 0, 0, 0},
		{[]time.Duration{3 * s}, 3 * s, 3 * s, 3 * s},
		{[]time.Duration{5 * s, 1 * s, 3 * s}, 3 * s, 1 * s, 5 * s},
		{[]time.Duration{4 * s, 1 * s, 2 * s, 9 * s}, 3 * s, 1 * s, 9 * s},
	}
	for _, tt := range tests {
		c := &Cell{Walls: tt.walls}
		if c.Median() != tt.med || c.Min() != tt.min || c.Max() != tt.max {
			t.Errorf("%v: median/min/max = %v/%v/%v, want %v/%v/%v", tt.walls, c.Median(), c.Min(), c.Max(), tt.med, tt.min, tt.max)
		}
	}
}
