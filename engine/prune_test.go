package engine_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/output"
)

// TestDayPruning checks that conditions on receivedAt and _received_day
// skip Segment day folders, and that the answers equal those of the same
// condition written so that it cannot prune.
func TestDayPruning(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 7000, Files: 7, Days: 7, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	src := "read_json('" + dir + "/segment-logs/**/*.gz')"
	cases := []struct {
		where     string
		wantFiles int64
	}{
		{"_received_day = DATE '2019-02-04'", 1},
		{"_received_day >= DATE '2019-02-06'", 2},
		{"_received_day BETWEEN DATE '2019-02-02' AND DATE '2019-02-03'", 2},
		// Text comparison of ISO strings: a day of slack on each side.
		{"receivedAt >= '2019-02-06'", 3},
		{"receivedAt < '2019-02-02'", 2},
		{"CAST(receivedAt AS TIMESTAMP) >= TIMESTAMP '2019-02-06 00:00:00'", 2},
		{"CAST(receivedAt AS TIMESTAMP) < TIMESTAMP '2019-02-03 00:00:00'", 2},
		{"TIMESTAMP '2019-02-05 12:00:00' <= CAST(receivedAt AS TIMESTAMP)", 3},
		{"event = 'Order Completed'", 7},
	}
	for _, tc := range cases {
		t.Run(tc.where, func(t *testing.T) {
			q := "SELECT event, count(*) AS n, min(receivedAt) AS lo FROM " + src + " WHERE %s GROUP BY event"
			pruned, e := runRows(t, strings.Replace(q, "%s", tc.where, 1))
			var files int64
			for _, s := range e.Scans() {
				files += s.Stats().FilesTotal
			}
			if files != tc.wantFiles {
				t.Errorf("read %d files, want %d", files, tc.wantFiles)
			}
			// concat(…) hides the column from pruning: every file is read.
			full, _ := runRows(t, strings.Replace(q, "%s", "coalesce(("+tc.where+"), false) AND concat(receivedAt, '') IS NOT NULL", 1))
			if !maps.Equal(pruned, full) {
				t.Errorf("pruned answer differs:\n%v\nwant\n%v", pruned, full)
			}
		})
	}
}

// runRows runs q on a fresh engine and returns its rows as a multiset of
// JSON lines, with the engine for its scan statistics.
func runRows(t *testing.T, q string) (map[string]int, *engine.Local) {
	t.Helper()
	e := engine.New(engine.Options{})
	schema, got, err := engine.QueryRows(context.Background(), e, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	rows := map[string]int{}
	for _, row := range got {
		rows[string(output.JSONRow(nil, schema, row))]++
	}
	return rows, e
}
