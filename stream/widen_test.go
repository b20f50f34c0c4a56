package stream

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/sink/memory"
)

// driftLogs writes three files, one batch each: integer prices, then
// fractional ones, then a field the first files never had.
func driftLogs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := [][]string{
		{`{"event":"Order Completed","properties":{"price":10},"timestamp":"2019-02-03T10:00:00Z"}`,
			`{"event":"Order Completed","properties":{"price":20},"timestamp":"2019-02-03T10:01:00Z"}`,
			`{"event":"Product Viewed","properties":{"price":7},"timestamp":"2019-02-03T10:02:00Z"}`},
		{`{"event":"Order Completed","properties":{"price":9.99},"timestamp":"2019-02-03T11:00:00Z"}`,
			`{"event":"Product Viewed","properties":{"price":7},"timestamp":"2019-02-03T11:01:00Z"}`},
		{`{"event":"Order Completed","properties":{"price":5,"coupon":"SAVE10"},"timestamp":"2019-02-03T12:00:00Z"}`,
			`{"event":"Product Viewed","properties":{"price":0.5,"coupon":"FIRST"},"timestamp":"2019-02-03T12:01:00Z"}`},
	}
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, lines := range files {
		name := fmt.Sprintf("b%d.json", i)
		writeLog(t, dir, name, lines...)
		at := base.Add(time.Duration(i) * time.Second)
		os.Chtimes(filepath.Join(dir, name), at, at)
	}
	return filepath.Join(dir, "*.json")
}

func TestSchemaDriftWidens(t *testing.T) {
	glob := driftLogs(t)
	from := "FROM read_json('" + glob + "')"
	for _, tc := range []struct{ name, query string }{
		{"aggregates", "SELECT event, sum(properties.price) AS s, avg(properties.price) AS a, max(properties.price) AS mx, count(DISTINCT properties.price) AS d " + from + " GROUP BY event"},
		{"group by the widened column", "SELECT properties.price AS p, count(*) AS c " + from + " GROUP BY p"},
		{"new field", "SELECT properties.coupon AS coupon, count(*) AS c, sum(properties.price) AS s " + from + " GROUP BY coupon"},
		{"append", "SELECT event, properties.price AS p " + from},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := batchRun(t, tc.query)
			for _, crash := range append([]Step{""}, allSteps...) {
				o := opts(t, tc.query, nil)
				o.MaxFilesPerBatch = 1
				crashed := false
				sink, _ := untilDone(t, o, func() Sink { return memory.New("t") }, func(s Step, b int64) bool {
					if s == crash && b == 1 && !crashed {
						crashed = true
						return true
					}
					return false
				})
				if got := table(sink.(*memory.Sink)); !slices.Equal(got, want) {
					t.Errorf("crash at %q: stream\n%q\nbatch\n%q", crash, got, want)
				}
				// A fresh process rebuilds the same table from the checkpoint.
				fresh := memory.New("t")
				o.Sink, o.failAt = fresh, nil
				mustRun(t, o)
				if got := table(fresh); !slices.Equal(got, want) {
					t.Errorf("crash at %q, restarted: %q, want %q", crash, got, want)
				}
			}
		})
	}
}

func TestWideningRecordedInMetadata(t *testing.T) {
	glob := driftLogs(t)
	o := opts(t, "SELECT event, sum(properties.price) AS s FROM read_json('"+glob+"') GROUP BY event", memory.New("t"))
	o.MaxFilesPerBatch = 1
	mustRun(t, o)
	m, _, err := (&checkpoint{dir: o.Checkpoint}).readMeta()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Widened) != 1 || m.Widened[0] != (widening{Column: "properties.price", From: "BIGINT", To: "DOUBLE", Batch: 1}) {
		t.Errorf("widened %+v, want properties.price BIGINT→DOUBLE in batch 1", m.Widened)
	}
}

// A file an earlier batch read is gone when a widening needs it again:
// the stream stops with an error that says so, rather than lose its rows.
func TestWidenRebuildNeedsHistory(t *testing.T) {
	glob := driftLogs(t)
	o := opts(t, "SELECT event, sum(properties.price) AS s FROM read_json('"+glob+"') GROUP BY event", memory.New("t"))
	o.MaxFilesPerBatch = 1
	o.failAt = func(s Step, b int64) error {
		if s == StepOffsets && b == 1 {
			os.Remove(filepath.Join(filepath.Dir(glob), "b0.json"))
		}
		return nil
	}
	err := Run(t.Context(), o)
	if err == nil || !errors.Is(err, ErrWidenRebuild) || !strings.Contains(err.Error(), "b0.json") {
		t.Fatalf("got %v, want ErrWidenRebuild", err)
	}
}
