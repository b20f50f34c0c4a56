package stream

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/sink/memory"
)

func TestWindowWatermarkAppend(t *testing.T) {
	dir := threeFiles(t)
	q := "FROM read_json('" + dir + "') |> AGGREGATE count(*) AS c GROUP BY window(timestamp, '1 hour')"
	m := memory.New("w")
	o := opts(t, q, m)
	o.Mode = Append
	o.Watermark = 30 * time.Minute
	o.WatermarkColumn = "timestamp"
	o.MaxFilesPerBatch = 1
	mustRun(t, o)
	if got, want := table(m), []string{"2019-02-01T10:00:00Z|2019-02-01T11:00:00Z|3"}; !slices.Equal(got, want) {
		t.Fatalf("after three files: %q, want %q", got, want)
	}
	checkLateWindow(t, dir, o)
}

// checkLateWindow adds a late event for the closed 10:00 window and one
// that moves the watermark past 12:00, reruns o into a fresh memory sink,
// and checks the closed windows and the late count.
func checkLateWindow(t *testing.T, dir string, o Options) {
	t.Helper()
	writeLog(t, dir, "d.json", event("View", 7, "2019-02-01T10:30:00Z"), event("View", 8, "2019-02-01T13:00:00Z"))
	m2 := memory.New("w")
	o.Sink = m2
	mustRun(t, o)
	want := []string{"2019-02-01T10:00:00Z|2019-02-01T11:00:00Z|3", "2019-02-01T11:00:00Z|2019-02-01T12:00:00Z|2"}
	if got := table(m2); !slices.Equal(got, want) {
		t.Errorf("after late file: %q, want %q", got, want)
	}
	cs := commits(t, o.Checkpoint)
	if late := cs[len(cs)-1].Late; late != 1 {
		t.Errorf("late rows %d, want 1", late)
	}
}

func TestWindowShapes(t *testing.T) {
	dir := threeFiles(t)
	src := "read_json('" + dir + "')"
	for _, tc := range []struct {
		name, query string
		mode        OutputMode
		want        []string
	}{
		{"sliding complete", "FROM " + src + " |> AGGREGATE count(*) AS c GROUP BY window(timestamp, '1 hour', '30 minutes')", Complete, []string{
			"2019-02-01T09:30:00Z|2019-02-01T10:30:00Z|3", "2019-02-01T10:00:00Z|2019-02-01T11:00:00Z|3",
			"2019-02-01T10:30:00Z|2019-02-01T11:30:00Z|1", "2019-02-01T11:00:00Z|2019-02-01T12:00:00Z|2",
			"2019-02-01T11:30:00Z|2019-02-01T12:30:00Z|2", "2019-02-01T12:00:00Z|2019-02-01T13:00:00Z|1"}},
		{"sql with key", "SELECT event, window(timestamp, '2 hours') AS w, sum(n) AS s FROM " + src + " GROUP BY event, window(timestamp, '2 hours')", Complete, []string{
			"Click|2019-02-01T10:00:00Z|2019-02-01T12:00:00Z|2", "Click|2019-02-01T12:00:00Z|2019-02-01T14:00:00Z|6",
			"Order|2019-02-01T10:00:00Z|2019-02-01T12:00:00Z|5", "View|2019-02-01T10:00:00Z|2019-02-01T12:00:00Z|8"}},
		{"update", "FROM " + src + " |> AGGREGATE count(*) AS c GROUP BY window(timestamp, '1 hour')", Update, []string{
			"2019-02-01T10:00:00Z|2019-02-01T11:00:00Z|3", "2019-02-01T11:00:00Z|2019-02-01T12:00:00Z|2", "2019-02-01T12:00:00Z|2019-02-01T13:00:00Z|1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := memory.New("w")
			o := opts(t, tc.query, m)
			o.Mode = tc.mode
			o.MaxFilesPerBatch = 1
			mustRun(t, o)
			if got := table(m); !slices.Equal(got, tc.want) {
				t.Errorf("%q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestMemoryEndpoint(t *testing.T) {
	dir := threeFiles(t)
	m := memory.New("data_stream")
	o := opts(t, "FROM read_json('"+dir+"') |> AGGREGATE count(*) AS c, max(to_timestamp(timestamp)) AS last, avg(n) AS a GROUP BY event", m)
	mustRun(t, o)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := memory.Serve(ctx, "127.0.0.1:0", m)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := memory.OpenRemoteTable(ctx, addr, "data_stream")
	if err != nil {
		t.Fatal(err)
	}
	schema, rows, err := memory.FetchTable(ctx, addr, "data_stream")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowsText(rows), table(m); !slices.Equal(got, want) {
		t.Errorf("fetched %q, want %q", got, want)
	}
	if schema.String() != "event STRING, c BIGINT, last TIMESTAMP, a DOUBLE" || len(rt.Columns()) != 4 {
		t.Errorf("schema %s", schema)
	}
	if _, _, err := memory.FetchTable(ctx, addr, "nope"); err == nil {
		t.Error("unknown table fetched")
	}
}

// TestWindowBesideTimeFunctions: a GROUP BY that also calls to_timestamp
// and timestamp (the functions the stream once rewrote window(…) into and
// looked for again by name) answers as the batch engine does, and so does
// each window shape: the stream and the batch engine bind window(…) to
// the same plan.
func TestWindowBesideTimeFunctions(t *testing.T) {
	dir := threeFiles(t)
	src := "read_json('" + dir + "')"
	for _, q := range []string{
		"SELECT to_timestamp(timestamp) AS t, timestamp(timestamp) AS u, window(timestamp, '1 hour') AS w, count(*) AS c FROM " + src +
			" GROUP BY to_timestamp(timestamp), timestamp(timestamp), window(timestamp, '1 hour')",
		"SELECT window(timestamp, '1 hour') AS w, to_timestamp(timestamp) AS t, timestamp(timestamp) AS u, count(*) AS c FROM " + src +
			" GROUP BY window(timestamp, '1 hour'), to_timestamp(timestamp), timestamp(timestamp)",
		"SELECT window.start AS s, window.end AS e, event, sum(n) AS total FROM " + src + " GROUP BY event, window(timestamp, '2 hours', '30 minutes')",
		"FROM " + src + " |> WHERE n > 1 |> AGGREGATE count(*) AS c GROUP BY window(timestamp, '1 hour', '15 minutes')",
	} {
		m := memory.New("w")
		o := opts(t, q, m)
		o.MaxFilesPerBatch = 1
		mustRun(t, o)
		if got, want := table(m), batchRun(t, q); !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s\nstream %q\nbatch  %q", q, got, want)
		}
	}
}
