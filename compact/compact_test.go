package compact_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/compact"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/table/manifest"
	"github.com/nectar-dev/nectar/types"
)

// generate writes a small Segment-like log tree and returns its root.
func generate(t testing.TB, dir string, o gen.Options) string {
	t.Helper()
	o.Out = dir
	if _, err := gen.Generate(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rows runs query and returns its rows as sorted JSON lines with keys in
// sorted order, so results compare as multisets whatever the row order
// and column order.
func rows(t testing.TB, e *engine.Session, query string) []string {
	t.Helper()
	var out []string
	err := e.Run(context.Background(), query, func(r *engine.Result) error {
		for {
			b, err := r.Rows.Next(context.Background())
			if err != nil {
				return err
			}
			if b == nil || b.Len == 0 {
				return nil
			}
			var row []types.Value
			for i := 0; i < b.Len; i++ {
				row = b.Row(row[:0], i)
				line := output.JSONRow(nil, r.Schema, row)
				var m map[string]any
				if err := json.Unmarshal(line, &m); err != nil {
					return err
				}
				norm, _ := json.Marshal(m) // maps marshal with sorted keys
				out = append(out, string(norm))
			}
		}
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	slices.Sort(out)
	return out
}

func sameRows(t *testing.T, what string, raw, comp []string) {
	t.Helper()
	if len(raw) != len(comp) {
		t.Fatalf("%s: raw %d rows, compacted %d", what, len(raw), len(comp))
	}
	for i := range raw {
		if raw[i] != comp[i] {
			t.Fatalf("%s: row %d differs:\nraw:       %s\ncompacted: %s", what, i, raw[i], comp[i])
		}
	}
}

var queries = []string{
	"SELECT * FROM %s",
	"SELECT event, count(*) AS n FROM %s GROUP BY event",
	"SELECT properties.recommender.variant AS v, count(*) AS n FROM %s WHERE event = 'Added to Cart' AND properties.category = 'Food' GROUP BY v",
	"SELECT messageId, receivedAt FROM %s WHERE receivedAt >= '2019-02-03' AND receivedAt < '2019-02-04'",
	"SELECT _received_day, count(*) AS n FROM %s GROUP BY _received_day",
	"SELECT userId, properties.revenue FROM %s WHERE event IN ('Order Completed', 'Checkout Started') AND properties.revenue > 20",
	"SELECT messageId FROM %s WHERE timestamp BETWEEN '2019-02-02T10' AND '2019-02-02T12'",
}

func compareRawCompacted(t *testing.T, raw, dst string, qs ...string) {
	t.Helper()
	if qs == nil {
		qs = queries
	}
	e := engine.New(engine.Options{})
	for _, q := range qs {
		r := rows(t, e, strings.ReplaceAll(q, "%s", "read_json('"+raw+"')"))
		c := rows(t, e, strings.ReplaceAll(q, "%s", "read_parquet('"+dst+"')"))
		sameRows(t, q, r, c)
	}
}

func TestCompactSameRows(t *testing.T) {
	for _, byEvent := range []bool{false, true} {
		t.Run(map[bool]string{false: "by-day", true: "by-day-and-event"}[byEvent], func(t *testing.T) {
			dir := t.TempDir()
			raw := generate(t, filepath.Join(dir, "raw"), gen.Options{Events: 6000, Files: 12, Days: 4, Seed: 7, Malformed: 0.01, Duplicates: 0.01})
			dst := filepath.Join(dir, "compacted")
			sum, err := compact.Run(context.Background(), compact.Options{Src: raw, Dst: dst, PartitionByEvent: byEvent, BatchBytes: 200 << 10})
			if err != nil {
				t.Fatal(err)
			}
			if sum.New != 12 || sum.UpToDate != 0 || sum.Rows == 0 || sum.Scan.MalformedLines == 0 {
				t.Fatalf("summary %+v", sum)
			}
			compareRawCompacted(t, raw, dst)
		})
	}
}

func TestIncrementalAndChanged(t *testing.T) {
	dir := t.TempDir()
	raw := generate(t, filepath.Join(dir, "raw"), gen.Options{Events: 3000, Files: 6, Days: 3, Seed: 1})
	dst := filepath.Join(dir, "compacted")
	ctx := context.Background()
	first, err := compact.Run(ctx, compact.Options{Src: raw, Dst: dst})
	if err != nil {
		t.Fatal(err)
	}
	// New days arrive: only they are read.
	generate(t, filepath.Join(dir, "raw"), gen.Options{Events: 1000, Files: 2, Days: 2, Seed: 2, Start: gen.DefaultStart.AddDate(0, 0, 10)})
	second, err := compact.Run(ctx, compact.Options{Src: raw, Dst: dst})
	if err != nil {
		t.Fatal(err)
	}
	if second.New != 2 || second.UpToDate != first.SourceFiles || second.Changed != 0 {
		t.Fatalf("second run %+v", second)
	}
	compareRawCompacted(t, raw, dst)

	// Nothing new: nothing read, manifest untouched.
	third, err := compact.Run(ctx, compact.Options{Src: raw, Dst: dst})
	if err != nil {
		t.Fatal(err)
	}
	if third.Batches != 0 || third.UpToDate != third.SourceFiles {
		t.Fatalf("third run %+v", third)
	}

	// A file rewritten (say re-delivered): its batch is redone, and the
	// old outputs are gone.
	files := listGz(t, raw)
	victim := files[0]
	data, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(victim, data, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(victim, later, later)
	fourth, err := compact.Run(ctx, compact.Options{Src: raw, Dst: dst})
	if err != nil {
		t.Fatal(err)
	}
	if fourth.Changed != 1 || fourth.Dropped == 0 {
		t.Fatalf("fourth run %+v", fourth)
	}
	compareRawCompacted(t, raw, dst)
}

func listGz(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".gz") {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// A run cancelled after its first batch leaves a manifest naming only
// that batch; a stray part file (as a kill between rename and manifest
// write leaves) is not read; the rerun finishes with every row once.
func TestKilledRunRedoesTheRest(t *testing.T) {
	dir := t.TempDir()
	raw := generate(t, filepath.Join(dir, "raw"), gen.Options{Events: 4000, Files: 8, Days: 4, Seed: 3})
	dst := filepath.Join(dir, "compacted")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := compact.Run(ctx, compact.Options{Src: raw, Dst: dst, BatchBytes: 1, Progress: func(p compact.Progress) {
		if p.Batch == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	m, err := manifest.Read(context.Background(), source.Default, dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Batches) != 2 {
		t.Fatalf("manifest has %d batches after cancel, want 2", len(m.Batches))
	}
	// A part a killed run renamed into place but never recorded.
	stray := filepath.Join(dst, m.Batches[0].Outputs[0].Path)
	data, _ := os.ReadFile(stray)
	os.WriteFile(filepath.Join(filepath.Dir(stray), "part-stray.parquet"), data, 0o644)

	sum, err := compact.Run(context.Background(), compact.Options{Src: raw, Dst: dst, BatchBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sum.UpToDate != 2 || sum.New != 6 {
		t.Fatalf("rerun %+v", sum)
	}
	compareRawCompacted(t, raw, dst)
}

// Columns appear between runs: old files lack them and read as NULL.
func TestSchemaEvolution(t *testing.T) {
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw", "segment-logs", "src")
	day1 := filepath.Join(raw, "1548979200000") // 2019-02-01
	day2 := filepath.Join(raw, "1549065600000") // 2019-02-02
	write := func(p, body string) {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(day1, "a.json"), `{"event":"A","receivedAt":"2019-02-01T10:00:00Z","n":1}
{"event":"B","receivedAt":"2019-02-01T11:00:00Z","n":2}
`)
	dst := filepath.Join(dir, "compacted")
	root := filepath.Join(dir, "raw")
	if _, err := compact.Run(context.Background(), compact.Options{Src: root, Dst: dst, PartitionByEvent: true}); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(day2, "b.json"), `{"event":"A","receivedAt":"2019-02-02T10:00:00Z","n":2.5,"properties":{"plan":"pro"}}
`)
	if _, err := compact.Run(context.Background(), compact.Options{Src: root, Dst: dst, PartitionByEvent: true}); err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Options{})
	got := rows(t, e, "SELECT event, n, properties.plan AS plan, day FROM read_parquet('"+dst+"')")
	want := []string{
		`{"day":"2019-02-01","event":"A","n":1,"plan":null}`,
		`{"day":"2019-02-01","event":"B","n":2,"plan":null}`,
		`{"day":"2019-02-02","event":"A","n":2.5,"plan":"pro"}`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	compareRawCompacted(t, root, dst, queries[0], queries[1], "SELECT n FROM %s WHERE n > 1.5")
}

func TestLayoutMismatch(t *testing.T) {
	dir := t.TempDir()
	raw := generate(t, filepath.Join(dir, "raw"), gen.Options{Events: 200, Files: 1, Days: 1, Seed: 1})
	dst := filepath.Join(dir, "compacted")
	if _, err := compact.Run(context.Background(), compact.Options{Src: raw, Dst: dst}); err != nil {
		t.Fatal(err)
	}
	_, err := compact.Run(context.Background(), compact.Options{Src: raw, Dst: dst, PartitionByEvent: true})
	if !errors.Is(err, compact.ErrLayoutMismatch) {
		t.Fatalf("got %v, want ErrLayoutMismatch", err)
	}
}

func mkTemp() (string, error) { return os.MkdirTemp("", "nectar-compact-bench-") }
