package stream

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/sink/console"
	"github.com/nectar-dev/nectar/sink/file"
	"github.com/nectar-dev/nectar/sink/memory"
)

func threeFiles(t *testing.T) string {
	dir := t.TempDir()
	writeLog(t, dir, "a.json", event("View", 1, "2019-02-01T10:05:00Z"), event("Click", 2, "2019-02-01T10:10:00Z"))
	writeLog(t, dir, "b.json", event("View", 3, "2019-02-01T10:20:00Z"), event("View", 4, "2019-02-01T11:05:00Z"))
	writeLog(t, dir, "c.json", event("Order", 5, "2019-02-01T11:30:00Z"), event("Click", 6, "2019-02-01T12:01:00Z"))
	return dir
}

func TestOnceMatchesBatch(t *testing.T) {
	dir := threeFiles(t)
	cases := []struct {
		name, query string
		mode        OutputMode
	}{
		{"pipe aggregate", "FROM read_json('" + dir + "') |> AGGREGATE count(*) AS c, sum(n) AS s, avg(n) AS a, min(n) AS lo, max(timestamp) AS hi GROUP BY event", ""},
		{"sql having order limit", "SELECT event, count(*) AS c FROM read_json('" + dir + "') GROUP BY event HAVING count(*) > 1 ORDER BY c DESC LIMIT 5", Complete},
		{"distinct count", "SELECT count(DISTINCT event) AS e, count(*) AS c FROM read_json('" + dir + "')", ""},
		{"first last", "SELECT event, first(n) AS f, last(n) AS l FROM read_json('" + dir + "') GROUP BY event", ""},
		{"stateless", "FROM read_json('" + dir + "') |> WHERE n > 1 |> SELECT event, n * 10 AS n10", ""},
	}
	for _, tc := range cases {
		for _, perBatch := range []int{1, 2, 0} {
			t.Run(tc.name, func(t *testing.T) {
				m := memory.New("t")
				o := opts(t, tc.query, m)
				o.Mode = tc.mode
				o.MaxFilesPerBatch = perBatch
				mustRun(t, o)
				if got, want := table(m), batchRun(t, tc.query); !slices.Equal(got, want) {
					t.Errorf("per batch %d:\nstream %q\nbatch  %q", perBatch, got, want)
				}
				wantBatches := 1
				if perBatch > 0 {
					wantBatches = (3 + perBatch - 1) / perBatch
				}
				if n := len(commits(t, o.Checkpoint)); n != wantBatches {
					t.Errorf("per batch %d: %d batches, want %d", perBatch, n, wantBatches)
				}
			})
		}
	}
}

func TestFilesArriveBetweenRuns(t *testing.T) {
	dir := t.TempDir()
	q := "FROM read_json('" + dir + "') |> AGGREGATE count(*) AS c, sum(n) AS s GROUP BY event"
	ck := filepath.Join(t.TempDir(), "ck")
	writeLog(t, dir, "1.json", event("View", 1, "2019-02-01T10:05:00Z"))
	for i, step := range []struct {
		file string
		want []string
	}{
		{"", []string{"View|1|1"}},
		{"2.json", []string{"Click|1|2", "View|1|1"}},
		{"3.json", []string{"Click|1|2", "View|2|4"}},
	} {
		switch i {
		case 1:
			writeLog(t, dir, step.file, event("Click", 2, "2019-02-01T10:06:00Z"))
		case 2:
			writeLog(t, dir, step.file, event("View", 3, "2019-02-01T10:07:00Z"))
		}
		m := memory.New("t")
		o := opts(t, q, m)
		o.Checkpoint = ck
		mustRun(t, o)
		if got := table(m); !slices.Equal(got, step.want) {
			t.Errorf("step %d: %q, want %q", i, got, step.want)
		}
	}
	if n := len(commits(t, ck)); n != 3 {
		t.Errorf("%d batches, want 3", n)
	}
}

func TestInProgressFilesWait(t *testing.T) {
	dir := t.TempDir()
	q := "FROM read_json('" + dir + "') |> AGGREGATE count(*) AS c"
	writeLog(t, dir, "done.json", event("View", 1, "2019-02-01T10:05:00Z"))
	// A writer's temp file and a Hadoop marker are never data.
	os.WriteFile(filepath.Join(dir, ".part.json"), []byte(event("X", 1, "2019-02-01T10:05:00Z")+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644)
	// A file still growing: modified just now with a long settle time.
	os.WriteFile(filepath.Join(dir, "growing.json"), []byte(event("View", 2, "2019-02-01T10:05:00Z")+"\n"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "done.json"), old, old)

	m := memory.New("t")
	o := opts(t, q, m)
	o.Once = false
	o.Settle = 10 * time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen []int
	o.failAt = func(step Step, batch int64) error {
		if step == StepCommitted {
			_, rows, _ := m.Table()
			seen = append(seen, int(rows[0][0].I))
			if batch == 0 {
				// The growing file grows, then stops: the next listing
				// sees it changed, the one after unchanged.
				f, _ := os.OpenFile(filepath.Join(dir, "growing.json"), os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString(event("View", 3, "2019-02-01T10:05:00Z") + "\n")
				f.Close()
			}
			if batch == 1 {
				cancel()
			}
		}
		return nil
	}
	err := Run(ctx, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if !slices.Equal(seen, []int{1, 3}) {
		t.Errorf("counts after each batch %v, want [1 3] (growing file taken whole, once)", seen)
	}
}

func TestFileSinkModes(t *testing.T) {
	dir := threeFiles(t)
	agg := "FROM read_json('" + dir + "') |> AGGREGATE count(*) AS c GROUP BY event"
	for _, tc := range []struct {
		query  string
		mode   OutputMode
		format output.Format
		want   []string // files in the output directory
		last   string   // content of the current file (append: of the last part)
	}{
		{"FROM read_json('" + dir + "') |> SELECT event, n", Append, output.CSV,
			[]string{"part-000000.csv", "part-000001.csv", "part-000002.csv"}, "event,n\nOrder,5\nClick,6\n"},
		{agg, Complete, output.JSON, []string{"_manifest.json", "version-000001.jsonl", "version-000002.jsonl"},
			`{"event":"View","c":3}` + "\n" + `{"event":"Click","c":2}` + "\n" + `{"event":"Order","c":1}` + "\n"},
		{agg, Update, output.CSV, []string{"_manifest.json", "version-000001.csv", "version-000002.csv"}, "event,c\nClick,2\nOrder,1\n"},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			fs, err := file.New(out, tc.format)
			if err != nil {
				t.Fatal(err)
			}
			o := opts(t, tc.query, fs)
			o.Mode = tc.mode
			o.MaxFilesPerBatch = 1
			mustRun(t, o)
			ents, _ := os.ReadDir(out)
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("files %q, want %q", names, tc.want)
			}
			cur := tc.want[len(tc.want)-1]
			if tc.mode != Append {
				m, err := file.ReadManifest(out)
				if err != nil {
					t.Fatal(err)
				}
				cur = m.Current
			}
			data, _ := os.ReadFile(filepath.Join(out, cur))
			if string(data) != tc.last {
				t.Errorf("%s:\n%s\nwant\n%s", cur, data, tc.last)
			}
		})
	}
}

func TestUnsupportedShapes(t *testing.T) {
	dir := threeFiles(t)
	src := "read_json('" + dir + "')"
	for _, tc := range []struct{ query, mention string }{
		{"SELECT a.event FROM " + src + " a JOIN " + src + " b ON a.n = b.n", "JOIN of two streams"},
		{"SELECT event, row_number() OVER (ORDER BY n) AS r FROM " + src, "window function"},
		{"SELECT percentile_approx(n, 0.5) AS p FROM " + src, "percentile_approx"},
		{"FROM " + src + " |> ORDER BY n", "ORDER BY without an aggregation"},
		{"SELECT count(*) FROM (SELECT event, count(*) AS c FROM " + src + " GROUP BY event)", "aggregation of an aggregated stream"},
		{"SELECT 1 AS x", "no read_json source"},
	} {
		m := memory.New("t")
		err := Run(context.Background(), opts(t, tc.query, m))
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: %v, want ErrUnsupported mentioning %q", tc.query, err, tc.mention)
		}
	}
	// Append on an aggregation without a window and a watermark.
	o := opts(t, "FROM "+src+" |> AGGREGATE count(*) AS c", memory.New("t"))
	o.Mode = Append
	if err := Run(context.Background(), o); !errors.Is(err, ErrUnsupported) {
		t.Errorf("append aggregation: %v, want ErrUnsupported", err)
	}
}

func TestIncompatibleCheckpoint(t *testing.T) {
	dir := threeFiles(t)
	o := opts(t, "FROM read_json('"+dir+"') |> AGGREGATE count(*) AS c", memory.New("t"))
	mustRun(t, o)
	o.Query = "FROM read_json('" + dir + "') |> AGGREGATE sum(n) AS s"
	o.Sink = memory.New("t")
	if err := Run(context.Background(), o); !errors.Is(err, ErrIncompatibleCheckpoint) {
		t.Errorf("other query: %v, want ErrIncompatibleCheckpoint", err)
	}
}

func TestStatus(t *testing.T) {
	dir := threeFiles(t)
	o := opts(t, "FROM read_json('"+dir+"') |> AGGREGATE count(*) AS c GROUP BY event", memory.New("t"))
	o.MaxFilesPerBatch = 2
	var hooked []BatchStats
	o.Committed = func(b BatchStats) { hooked = append(hooked, b) }
	mustRun(t, o)
	writeLog(t, dir, "d.json", event("View", 9, "2019-02-01T10:05:00Z"))
	st, err := ReadStatus(context.Background(), o.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if st.Batches != 2 || st.Rows != 5 || st.FilesPending != 1 || len(st.Recent) != 2 || st.Uncommitted || st.LastError != "" {
		t.Errorf("status %+v", st)
	}
	// Six lines read in two batches (4 + 2), each batch reported to the
	// hook as it committed.
	if st.RowsIn != 6 || st.Recent[0].RowsIn != 4 || st.Recent[1].RowsIn != 2 || st.InputRowsPerSecond <= 0 || st.ProcessedRowsPerSecond <= 0 {
		t.Errorf("input rows and rates: %+v", st)
	}
	if len(hooked) != 2 || hooked[0].Batch != 0 || hooked[1].RowsIn != 2 || hooked[1].Rows != st.Recent[1].Rows {
		t.Errorf("Committed saw %+v", hooked)
	}
	if one, err := ReadStatusRecent(context.Background(), o.Checkpoint, 1); err != nil || len(one.Recent) != 1 || one.Recent[0].Batch != 1 {
		t.Errorf("ReadStatusRecent(1): %+v, %v", one.Recent, err)
	}
	// No mode was asked for: the status gives the one the query implies,
	// and a restart without one is the same stream, with another is not.
	if st.Mode != Complete {
		t.Errorf("mode %q, want complete", st.Mode)
	}
	o.Sink = memory.New("t")
	mustRun(t, o)
	o.Mode, o.Sink = Update, memory.New("t")
	if err := Run(context.Background(), o); !errors.Is(err, ErrIncompatibleCheckpoint) {
		t.Errorf("update on a complete stream's checkpoint: %v", err)
	}
	o.Mode = ""
	writeLog(t, dir, "e.json", event("View", 10, "2019-02-01T10:06:00Z"))
	o.failAt = func(s Step, b int64) error {
		if s == StepProcessed {
			return errors.New("disk on fire")
		}
		return nil
	}
	o.Sink = memory.New("t")
	if err := Run(context.Background(), o); err == nil {
		t.Fatal("injected error lost")
	}
	st, err = ReadStatus(context.Background(), o.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Uncommitted || st.FilesPending != 0 || !strings.Contains(st.LastError, "disk on fire") {
		t.Errorf("after failure: %+v", st)
	}
}

// TestRowsInCountsFilteredLines: input rows are the lines read, those a
// pushed-down filter ruled out before parsing included (Spark's
// numInputRows counts the source's rows, not the filter's).
func TestRowsInCountsFilteredLines(t *testing.T) {
	dir := threeFiles(t)
	o := opts(t, "SELECT count(*) AS c FROM read_json('"+dir+"') WHERE event = 'View'", memory.New("t"))
	mustRun(t, o)
	st, err := ReadStatus(context.Background(), o.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if st.RowsIn != 6 || st.Rows != 1 {
		t.Errorf("rows in %d, out %d; want 6 and 1", st.RowsIn, st.Rows)
	}
}

func TestConsoleSink(t *testing.T) {
	dir := threeFiles(t)
	var buf strings.Builder
	o := opts(t, "FROM read_json('"+dir+"') |> AGGREGATE count(*) AS c GROUP BY event |> ORDER BY event", &console.Sink{W: &buf})
	o.MaxFilesPerBatch = 2
	mustRun(t, o)
	out := buf.String()
	for _, want := range []string{"Batch: 0 (complete)", "Batch: 1 (complete)", "Order"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "Click") > strings.Index(out, "View") {
		t.Errorf("ORDER BY not applied:\n%s", out)
	}
}

// TestCompactedSourceSaysStreamTheRaw: a source with a compacted copy
// cannot be streamed (the copy is rewritten, not appended to); the error
// says to stream the raw logs and names them.
func TestCompactedSourceSaysStreamTheRaw(t *testing.T) {
	dir := threeFiles(t)
	e := engine.New(engine.Options{})
	e.DefineCompacted("logs", dir, t.TempDir())
	o := opts(t, "SELECT event FROM logs", memory.New("t"))
	o.Catalog = e
	err := Run(context.Background(), o)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "compacted copy") || !strings.Contains(err.Error(), "read_json('"+dir+"')") {
		t.Fatalf("err = %v", err)
	}
}
