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

// TestRunNectarOnlyAndEngineReps checks that a nectar-only case runs on
// nectar alone, that its SameAs rows are checked against the reference's
// rows of the named query, and that EngineReps caps an engine's runs.
func TestRunNectarOnlyAndEngineReps(t *testing.T) {
	var calls []string
	rows := func(int) string { return "event,n\na,1\n" }
	nectar := &fakeEngine{name: "nectar", csv: rows, calls: &calls}
	duck := &fakeEngine{name: "duckdb", csv: rows, calls: &calls}
	slow := &fakeEngine{name: "spark", csv: rows, calls: &calls}
	stream := &fakeEngine{name: "nectar", csv: func(int) string { return "event,n\na,2\n" }, calls: &calls}
	for _, tt := range []struct {
		name         string
		nectar       *fakeEngine
		wantMismatch bool
	}{{"same rows", nectar, false}, {"different rows", stream, true}} {
		t.Run(tt.name, func(t *testing.T) {
			calls = nil
			*duck, *slow = fakeEngine{name: "duckdb", csv: rows, calls: &calls}, fakeEngine{name: "spark", csv: rows, calls: &calls}
			// The stream case answers through its own engine value, which
			// is still named nectar; the batch case through the agreeing one.
			out, err := Run(context.Background(), Config{
				Cases: []Case{
					{Query: Query{Name: "event_users"}},
					{Query: Query{Name: "stream", NectarOnly: true, SameAs: "event_users"}},
				},
				Engines:    []Engine{routeEngine{"stream": tt.nectar, "": nectar}, duck, slow},
				Reference:  "duckdb",
				Reps:       3,
				EngineReps: map[string]int{"spark": 1},
				Checker:    func(context.Context, string) ([]byte, error) { return nil, nil },
				WorkDir:    t.TempDir(), Log: io.Discard,
			})
			if err != nil {
				t.Fatal(err)
			}
			if duck.reps != 3 || slow.reps != 1 {
				t.Errorf("duckdb ran %d times (want 3: once per rep, never the stream), spark %d (want 1)", duck.reps, slow.reps)
			}
			if c := out[1].Cell("duckdb"); c.OK() {
				t.Error("duckdb ran the nectar-only case")
			}
			if got := out[1].Cell("nectar").Mismatch != nil; got != tt.wantMismatch {
				t.Errorf("stream mismatch = %v, want %v", out[1].Cell("nectar").Mismatch, tt.wantMismatch)
			}
		})
	}
}

// routeEngine is an engine named nectar that sends each query to the fake
// registered under its name, or under "".
type routeEngine map[string]*fakeEngine

func (routeEngine) Name() string { return "nectar" }

func (r routeEngine) Run(ctx context.Context, q Query, ds DataSet, out string) (Measurement, error) {
	if f, ok := r[q.Name]; ok {
		return f.Run(ctx, q, ds, out)
	}
	return r[""].Run(ctx, q, ds, out)
}

func TestNectarOnlyRunsOnEveryNectarBuild(t *testing.T) {
	q := Query{Name: "stream", NectarOnly: true}
	for _, tt := range []struct {
		e    Engine
		want bool
	}{
		{Nectar{}, true},
		{Nectar{Label: "nectar+libdeflate"}, true},
		{DuckDB{}, false},
		{&fakeEngine{name: "nectarish"}, false},
	} {
		if got := Runs(tt.e, q); got != tt.want {
			t.Errorf("Runs(%s, nectar-only) = %v, want %v", tt.e.Name(), got, tt.want)
		}
	}
}
