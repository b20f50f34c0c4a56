package engine_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/compact"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// sortedRows runs query and returns its rows as sorted JSON lines.
func sortedRows(t *testing.T, e *engine.Session, query string) []string {
	t.Helper()
	var out []string
	err := e.Run(context.Background(), query, func(r *engine.Result) error {
		for {
			b, err := r.Rows.Next(context.Background())
			if err != nil || b == nil || b.Len == 0 {
				return err
			}
			var row []types.Value
			for i := 0; i < b.Len; i++ {
				row = b.Row(row[:0], i)
				out = append(out, string(output.JSONRow(nil, r.Schema, row)))
			}
		}
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	slices.Sort(out)
	return out
}

func compactedFixture(t *testing.T, byEvent bool, rowGroup int64) (raw, dst string) {
	t.Helper()
	dir := t.TempDir()
	raw = filepath.Join(dir, "raw")
	if _, err := gen.Generate(context.Background(), gen.Options{Out: raw, Events: 8000, Files: 8, Days: 4, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	dst = filepath.Join(dir, "compacted")
	if _, err := compact.Run(context.Background(), compact.Options{Src: raw, Dst: dst, PartitionByEvent: byEvent, RowGroupRows: rowGroup}); err != nil {
		t.Fatal(err)
	}
	return raw, dst
}

// TestParquetPruning checks how many files and row groups each filter
// leaves to read, and that pruning never changes an answer.
func TestParquetPruning(t *testing.T) {
	type want struct{ filesAtMost, rowGroupsAtMost float64 } // shares of the totals
	cases := []struct {
		byEvent bool
		where   string
		want    want
	}{
		{true, "event = 'Order Completed'", want{0.25, 0.25}},
		{true, "event IN ('Order Completed', 'Checkout Started')", want{0.4, 0.4}},
		{true, "day = DATE '2019-02-02'", want{0.3, 0.3}},
		{true, "_received_day >= DATE '2019-02-04'", want{0.3, 0.3}},
		{true, "receivedAt >= '2019-02-03' AND receivedAt < '2019-02-04'", want{0.8, 0.8}}, // text: a day of slack each side
		{true, "CAST(receivedAt AS TIMESTAMP) >= TIMESTAMP '2019-02-03 00:00:00'", want{0.6, 0.6}},
		{false, "event = 'Order Completed'", want{1, 0.5}},
		{false, "event BETWEEN 'Order' AND 'Order Completed'", want{1, 0.5}},
		{false, "timestamp < '2019-02-01T06'", want{1, 0.6}},
		{false, "event > 'zzz'", want{1, 0}},
	}
	fixtures := map[bool][2]string{}
	parent := t
	for _, c := range cases {
		t.Run(c.where, func(t *testing.T) {
			f, ok := fixtures[c.byEvent]
			if !ok {
				raw, dst := compactedFixture(parent, c.byEvent, 300)
				f = [2]string{raw, dst}
				fixtures[c.byEvent] = f
			}
			e := engine.New(engine.Options{})
			src, err := table.OpenParquet(context.Background(), f[1], table.Options{})
			if err != nil {
				t.Fatal(err)
			}
			e.Register("c", src)
			q := "SELECT messageId, event, timestamp FROM %s WHERE " + c.where
			got := sortedRows(t, e, strings.ReplaceAll(q, "%s", "c"))
			// Raw logs have no "day": their _received_day is the same date.
			rawQ := strings.ReplaceAll(q, "WHERE day", "WHERE _received_day")
			wantRows := sortedRows(t, e, strings.ReplaceAll(rawQ, "%s", "read_json('"+f[0]+"')"))
			if !slices.Equal(got, wantRows) {
				t.Fatalf("compacted %d rows, raw %d", len(got), len(wantRows))
			}
			st := src.PruneStats()
			if st.FilesTotal == 0 || st.RowGroupsTotal == 0 && st.FilesRead > 0 {
				t.Fatalf("no counts: %+v", st)
			}
			if float64(st.FilesRead) > c.want.filesAtMost*float64(st.FilesTotal) {
				t.Errorf("read %d of %d files, want at most %.0f%%", st.FilesRead, st.FilesTotal, 100*c.want.filesAtMost)
			}
			// Row groups are counted in the files read; compare with all.
			all := rowGroupsOf(t, f[1])
			if float64(st.RowGroupsRead) > c.want.rowGroupsAtMost*float64(all) {
				t.Errorf("read %d of %d row groups, want at most %.0f%%", st.RowGroupsRead, all, 100*c.want.rowGroupsAtMost)
			}
		})
	}
}

func rowGroupsOf(t *testing.T, dst string) int64 {
	src, err := table.OpenParquet(context.Background(), dst, table.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Options{})
	e.Register("c", src)
	sortedRows(t, e, "SELECT count(*) FROM c")
	return src.PruneStats().RowGroupsRead
}

// TestDefineCompacted reads the compacted copy for the files it covers and
// the raw files for the rest, with the raw answer either way.
func TestDefineCompacted(t *testing.T) {
	raw, dst := compactedFixture(t, false, 0)
	// Files that arrive after compaction.
	if _, err := gen.Generate(context.Background(), gen.Options{Out: raw, Events: 500, Files: 2, Days: 1, Seed: 12, Start: gen.DefaultStart.AddDate(0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Options{})
	e.DefineCompacted("logs", raw, dst)
	_, srcLogs, ok := e.Table("logs")
	if !ok {
		t.Fatal("logs not defined")
	}
	pq, js := srcLogs.(*table.Compacted).Parts()
	if pq == nil || js == nil || len(js.Files()) != 2 {
		t.Fatalf("parts: parquet %v, json %v", pq != nil, js != nil)
	}
	for _, q := range []string{
		"SELECT * FROM %s",
		"SELECT event, count(*), count(DISTINCT userId) FROM %s GROUP BY event",
		"SELECT properties.recommender.variant AS v, count(*) AS n FROM %s WHERE event = 'Added to Cart' AND properties.category = 'Food' GROUP BY v",
		"SELECT _received_day, count(*) FROM %s GROUP BY 1",
	} {
		got := sortedRows(t, e, strings.ReplaceAll(q, "%s", "logs"))
		want := sortedRows(t, e, strings.ReplaceAll(q, "%s", "read_json('"+raw+"')"))
		if !slices.Equal(got, want) {
			t.Fatalf("%s: compacted+raw %d rows, raw %d", q, len(got), len(want))
		}
	}
	if st := pq.PruneStats(); st.FilesRead == 0 {
		t.Fatalf("the compacted copy was not read: %+v", st)
	}
}
