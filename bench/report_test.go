package bench

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/gen"
)

func row(name, compress string, nectar, duck time.Duration, nectarRSS, duckRSS int64) *Row {
	ds := DataSet{Options: gen.Options{Compress: compress}, Summary: gen.Summary{Events: 1e6, Bytes: 1e9}}
	return &Row{
		Case: Case{Query: Query{Name: name}, Data: ds},
		Cells: []*Cell{
			{Engine: "nectar", Walls: []time.Duration{nectar}, RSS: []int64{nectarRSS}},
			{Engine: "duckdb", Walls: []time.Duration{duck}, RSS: []int64{duckRSS}},
		},
	}
}

func columnsRow(nectar, duck time.Duration) *Row {
	r := row("seed_columns", "gzip", nectar, duck, 10, 20)
	r.Case.Query.DuckDBColumns = seedColumns
	return r
}

func TestTargets(t *testing.T) {
	s := time.Second
	tests := []struct {
		name string
		rows []*Row
		want map[string]bool // goal prefix → met
	}{
		{"all met", []*Row{row("seed", "gzip", 1*s, 4*s, 10, 20), row("gmv", "gzip", 1*s, 2*s, 10, 20)},
			map[string]bool{"seed query over gzip": true, "every query": true, "peak RSS": true}},
		{"seed too slow", []*Row{row("seed", "gzip", 1*s, 2*s, 10, 20)},
			map[string]bool{"seed query over gzip": false, "every query": true}},
		{"one query slow, more memory", []*Row{row("seed", "none", 1*s, 4*s, 10, 20), row("gmv", "gzip", 1*s, 1*s, 30, 20)},
			map[string]bool{"seed query over uncompressed": true, "every query": false, "peak RSS": false}},
		{"DuckDB given the columns has its own target", []*Row{row("seed", "gzip", 1*s, 4*s, 10, 20), columnsRow(1*s, 1*s)},
			map[string]bool{"seed query over gzip": true, "every query": true, "against DuckDB given the columns": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Reference: "duckdb", Rows: tt.rows}
			got := map[string]bool{}
			for _, tg := range r.Targets("nectar") {
				for prefix := range tt.want {
					if strings.HasPrefix(tg.Goal, prefix) {
						got[prefix] = tg.Met
					}
				}
			}
			for prefix, met := range tt.want {
				if m, ok := got[prefix]; !ok || m != met {
					t.Errorf("target %q: met %v (present %v), want %v", prefix, m, ok, met)
				}
			}
		})
	}
}

func TestScalingAndCompactedTargets(t *testing.T) {
	s := time.Second
	compacted := func(nectar, duck time.Duration) *Row {
		r := row("seed_compacted", "gzip", nectar, duck, 10, 20)
		r.Case.Data.Compacted = true
		return r
	}
	tests := []struct {
		name    string
		threads int
		rows    []*Row
		want    map[string]bool // goal prefix → met; absent prefixes must be absent
	}{
		{"all met", 2, []*Row{
			row("seed", "gzip", 10*s, 40*s, 10, 20), row("seed_1thread", "gzip", 19*s, 70*s, 10, 20), compacted(s/4, s/2)},
			map[string]bool{"scaling": true, "compacted seed query ≥ 30x": true, "compacted seed query no slower": true, "every query": true}},
		{"too slow", 2, []*Row{
			row("seed", "gzip", 10*s, 40*s, 10, 20), row("seed_1thread", "gzip", 17*s, 70*s, 10, 20), compacted(s/2, s/4)},
			map[string]bool{"scaling": false, "compacted seed query ≥ 30x": false, "compacted seed query no slower": false, "every query": true}},
		{"one thread run: no scaling", 1, []*Row{
			row("seed", "gzip", 10*s, 40*s, 10, 20), row("seed_1thread", "gzip", 10*s, 40*s, 10, 20)},
			map[string]bool{"every query": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Reference: "duckdb", Threads: tt.threads, Rows: tt.rows}
			got := map[string]bool{}
			for _, tg := range r.Targets("nectar") {
				for _, prefix := range []string{"scaling", "compacted seed query ≥ 30x", "compacted seed query no slower", "every query"} {
					if strings.HasPrefix(tg.Goal, prefix) {
						got[prefix] = tg.Met
					}
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("targets met %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	failed := row("gmv", "gzip", time.Second, 2*time.Second, 1<<20, 1<<20)
	failed.Cells[0] = &Cell{Engine: "nectar", Err: ErrRun}
	r := &Report{Reference: "duckdb", Rows: []*Row{row("seed", "gzip", time.Second, 3*time.Second, 50<<20, 100<<20), failed}}
	var b strings.Builder
	r.WriteTable(&b)
	for _, want := range []string{
		"| seed | gzip | nectar | 1.00 | 1.00–1.00 | 1000 | 1.00 | 50 | 3.00x | 0.50x | same rows |",
		"| seed | gzip | duckdb | 3.00 | 3.00–3.00 | 333 | 0.33 | 100 | 1.00x | 1.00x | reference |",
		"| gmv | gzip | nectar | – | – | – | – | – | – | – | FAILED |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	if f := r.Failures(); len(f) != 1 {
		t.Errorf("Failures() = %q, want one", f)
	}
}

// TestNectarOnlyTargets checks issues 5 and 6's targets, and that a
// nectar-only case, which DuckDB does not run, leaves "every query" alone.
func TestNectarOnlyTargets(t *testing.T) {
	s := time.Second
	nectarOnly := func(name string, wall time.Duration) *Row {
		r := row(name, "gzip", wall, 0, 10, 0)
		r.Case.Query.NectarOnly = true
		r.Cells[1] = &Cell{Engine: "duckdb"}
		return r
	}
	tests := []struct {
		name string
		rows []*Row
		want map[string]bool // goal prefix → met; absent prefixes must be absent
	}{
		{"met", []*Row{
			row("unit_sums", "gzip", 10*s, 40*s, 10, 20), nectarOnly("experiment", 13*s),
			row("event_users", "gzip", 8*s, 40*s, 10, 20), nectarOnly("stream", 10*s)},
			map[string]bool{"experiment report": true, "stream": true, "every query": true}},
		{"missed", []*Row{
			row("unit_sums", "gzip", 10*s, 40*s, 10, 20), nectarOnly("experiment", 14*s),
			row("event_users", "gzip", 7*s, 40*s, 10, 20), nectarOnly("stream", 10*s)},
			map[string]bool{"experiment report": false, "stream": false, "every query": true}},
		{"no yardstick", []*Row{nectarOnly("experiment", s), nectarOnly("stream", s), row("gmv", "gzip", s, 2*s, 10, 20)},
			map[string]bool{"every query": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Reference: "duckdb", Rows: tt.rows}
			got := map[string]bool{}
			for _, tg := range r.Targets("nectar") {
				for _, prefix := range []string{"experiment report", "stream", "every query"} {
					if strings.HasPrefix(tg.Goal, prefix) {
						got[prefix] = tg.Met
					}
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("targets met %v, want %v", got, tt.want)
			}
		})
	}
	var b strings.Builder
	(&Report{Reference: "duckdb", Rows: []*Row{nectarOnly("stream", s)}}).WriteTable(&b)
	if !strings.Contains(b.String(), "| stream | gzip | duckdb | – | – | – | – | – | – | – | not run |") {
		t.Errorf("table should say DuckDB did not run the stream case:\n%s", b.String())
	}
}

func TestKeepForeignSections(t *testing.T) {
	old := "# Benchmarks\n\n## Results\nold table\n\n## Model graph (`go test ./graph -bench`, not part of `make bench`)\nwalk 7 ms\n\n## Caveats\nold\n"
	got := KeepForeignSections(old, "# Benchmarks\n\n## Results\nnew table\n")
	want := "# Benchmarks\n\n## Results\nnew table\n\n## Model graph (`go test ./graph -bench`, not part of `make bench`)\nwalk 7 ms\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := KeepForeignSections("# B\n## Results\nx\n", "# B\nnew\n"); got != "# B\nnew\n" {
		t.Errorf("nothing foreign: %q", got)
	}
}
