package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/table"
)

// splitHarness runs corpus cases with tiny scan batches and each input
// spread over several files, in the spirit of CockroachDB's reruns of every
// operator test with many batch sizes: any operator that keeps a reference
// to a batch past the next Next, or that mishandles a boundary, shows up as
// a wrong answer.
//
// With sampleLines set, schema inference sees that many lines of each file
// only: every other column of every case must then be found by the scans
// and every kind the rest of the data needs reached by widening, so the
// whole corpus checks that no answer depends on the sample (drift.go).
type splitHarness struct {
	batchRows   int // rows per scan batch
	parts       int // files each input is split into
	sampleLines int // lines schema inference reads (0: the default)
}

func (h splitHarness) Query(ctx context.Context, script string, inputs map[string]string, dir string) (*corpus.Result, error) {
	e := engine.New(engine.Options{Dir: dir, Strict: true, BatchRows: h.batchRows, SampleLines: h.sampleLines})
	for name, path := range inputs {
		src, err := splitInput(path, filepath.Join(dir, name+".parts"), h.parts)
		if err != nil {
			return nil, err
		}
		e.DefineSource(name, "read_json", src)
	}
	return collectLast(ctx, e, script)
}

// splitInput writes the lines of path into up to parts files under dir,
// in order and of unequal sizes, and returns what to read: the directory,
// or path itself when it has too few lines to split.
func splitInput(path, dir string, parts int) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) < 2 || parts < 2 {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Cut points at 1/4 and 3/4 (for three parts) rather than thirds, so
	// files differ in size and boundaries fall at odd rows.
	cuts := []int{0}
	for i := 1; i < parts; i++ {
		c := len(lines) * (2*i - 1) / (2 * (parts - 1))
		if c <= cuts[len(cuts)-1] || c >= len(lines) {
			continue
		}
		cuts = append(cuts, c)
	}
	cuts = append(cuts, len(lines))
	for i := 0; i+1 < len(cuts); i++ {
		p := filepath.Join(dir, fmt.Sprintf("part-%d.jsonl", i))
		if err := os.WriteFile(p, []byte(strings.Join(lines[cuts[i]:cuts[i+1]], "")), 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// collectLast runs script and returns the rows of its last statement.
func collectLast(ctx context.Context, e *engine.Session, script string) (*corpus.Result, error) {
	schema, rows, err := engine.QueryRows(ctx, e, script)
	if err != nil {
		return nil, err
	}
	return &corpus.Result{Schema: schema, Rows: rows}, nil
}

// batchSkips lists cases whose answer legitimately depends on how the
// input is laid out in files, with the reason.
var batchSkips = map[string]string{}

func TestCorpusBatchBoundaries(t *testing.T) {
	cases, err := corpus.Load(corpus.Files)
	if err != nil {
		t.Fatal(err)
	}
	skips := map[string]string{}
	for k, v := range localSkips {
		skips[k] = v
	}
	for k, v := range batchSkips {
		skips[k] = v
	}
	if err := corpus.CheckSkips(cases, skips); err != nil {
		t.Fatal(err)
	}
	for _, h := range []splitHarness{{1, 3, 0}, {2, 2, 0}, {3, 3, 0}, {1, 1, 0}, {2, 3, 1}} {
		name := fmt.Sprintf("rows=%d,files=%d", h.batchRows, h.parts)
		if h.sampleLines > 0 {
			name += fmt.Sprintf(",sample=%d", h.sampleLines)
		}
		t.Run(name, func(t *testing.T) {
			corpus.Run(t, h, cases, skips)
		})
	}
}

func TestSplitInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		lines, parts int
		want         []int // lines per file; nil: not split
	}{
		{8, 3, []int{2, 4, 2}},
		{5, 2, []int{2, 3}},
		{2, 3, []int{1, 1}},
		{1, 3, nil},
		{4, 1, nil},
	} {
		name := fmt.Sprintf("%d-%d", tc.lines, tc.parts)
		var b strings.Builder
		for i := range tc.lines {
			fmt.Fprintf(&b, "{\"i\":%d}\n", i)
		}
		in := filepath.Join(dir, name+".jsonl")
		if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := splitInput(in, filepath.Join(dir, name), tc.parts)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == nil {
			if got != in {
				t.Errorf("%s: split into %s, want the input itself", name, got)
			}
			continue
		}
		var sizes []int
		var all string
		for i := 0; ; i++ {
			data, err := os.ReadFile(filepath.Join(got, fmt.Sprintf("part-%d.jsonl", i)))
			if err != nil {
				break
			}
			sizes = append(sizes, strings.Count(string(data), "\n"))
			all += string(data)
		}
		if fmt.Sprint(sizes) != fmt.Sprint(tc.want) || all != b.String() {
			t.Errorf("%s: parts of %v lines, want %v (content kept: %v)", name, sizes, tc.want, all == b.String())
		}
	}
}

// TestBatchRowsReachesScanner checks that engine.Options.BatchRows caps the
// batches a JSON source hands out.
func TestBatchRowsReachesScanner(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t.jsonl")
	if err := os.WriteFile(p, []byte(strings.Repeat("{\"a\":1}\n", 7)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, rows := range []int{1, 2, 3} {
		src, err := table.OpenJSON(ctx, p, table.Options{BatchRows: rows}, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := src.Open(ctx, src.Columns()[:1], nil)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for {
			b, err := r.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b == nil || b.Len == 0 {
				break
			}
			if b.Len > rows {
				t.Fatalf("BatchRows %d: batch of %d rows", rows, b.Len)
			}
			total += b.Len
		}
		r.Close()
		if total != 7 {
			t.Fatalf("BatchRows %d: %d rows, want 7", rows, total)
		}
	}
}
