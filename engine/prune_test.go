package engine_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

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
		// A lower bound on timestamp prunes with a day of skew (and a day
		// of slack for text); an upper bound alone prunes nothing.
		{"CAST(timestamp AS TIMESTAMP) >= TIMESTAMP '2019-02-06 00:00:00'", 3},
		{"timestamp >= '2019-02-06'", 4},
		{"CAST(timestamp AS TIMESTAMP) < TIMESTAMP '2019-02-03 00:00:00'", 7},
	}
	for _, tc := range cases {
		t.Run(tc.where, func(t *testing.T) {
			q := "SELECT event, count(*) AS n, min(receivedAt) AS lo FROM " + src + " WHERE %s GROUP BY event"
			pruned, e := runRows(t, strings.Replace(q, "%s", tc.where, 1))
			var files int64
			for _, s := range e.Reads().Scans() {
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

// TestLateArrivalsPruning: with LateArrivals an upper bound on timestamp
// skips the folders received more than that after it, and the answer
// equals the unpruned one on data whose events arrive within a day.
func TestLateArrivalsPruning(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 7000, Files: 7, Days: 7, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	q := "SELECT event, count(*) AS n FROM read_json('" + dir + "/segment-logs/**/*.gz') WHERE %s GROUP BY event"
	for _, tc := range []struct {
		where     string
		wantFiles int64
	}{
		{"CAST(timestamp AS TIMESTAMP) < TIMESTAMP '2019-02-03 00:00:00'", 3},
		{"CAST(timestamp AS TIMESTAMP) BETWEEN TIMESTAMP '2019-02-04 00:00:00' AND TIMESTAMP '2019-02-04 12:00:00'", 3},
	} {
		pruned, e := runRowsWith(t, strings.Replace(q, "%s", tc.where, 1), engine.Options{LateArrivals: 24 * time.Hour})
		var files int64
		for _, s := range e.Reads().Scans() {
			files += s.Stats().FilesTotal
		}
		if files != tc.wantFiles {
			t.Errorf("%s: read %d files, want %d", tc.where, files, tc.wantFiles)
		}
		if full, _ := runRows(t, strings.Replace(q, "%s", tc.where, 1)); !maps.Equal(pruned, full) {
			t.Errorf("%s: pruned answer differs:\n%v\nwant\n%v", tc.where, pruned, full)
		}
	}
}

// runRows runs q on a fresh engine and returns its rows as a multiset of
// JSON lines, with the engine for its scan statistics.
func runRows(t *testing.T, q string) (map[string]int, *engine.Session) {
	t.Helper()
	return runRowsWith(t, q, engine.Options{})
}

func runRowsWith(t *testing.T, q string, o engine.Options) (map[string]int, *engine.Session) {
	t.Helper()
	e := engine.New(o)
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
