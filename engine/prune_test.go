package engine_test

import (
	"context"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
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
			pruned, e := runRows(t, replace(q, tc.where))
			var files int64
			for _, s := range e.Scans() {
				files += s.Stats().FilesTotal
			}
			if files != tc.wantFiles {
				t.Errorf("read %d files, want %d", files, tc.wantFiles)
			}
			// concat(…) hides the column from pruning: every file is read.
			full, _ := runRows(t, replace(q, "coalesce(("+tc.where+"), false) AND concat(receivedAt, '') IS NOT NULL"))
			if !sameRows(pruned, full) {
				t.Errorf("pruned answer differs:\n%v\nwant\n%v", pruned, full)
			}
		})
	}
}

func replace(q, where string) string {
	out := []byte{}
	for i := 0; i < len(q); i++ {
		if q[i] == '%' && i+1 < len(q) && q[i+1] == 's' {
			out = append(out, where...)
			i++
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

func runRows(t *testing.T, q string) (map[string]int, *engine.Local) {
	t.Helper()
	ctx := context.Background()
	e := engine.New(engine.Options{})
	rows := map[string]int{}
	err := e.Run(ctx, q, func(r *engine.Result) error {
		got, err := exec.Collect(ctx, r.Rows)
		for _, row := range got {
			rows[string(output.JSONRow(nil, r.Schema, row))]++
		}
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows, e
}

func sameRows(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
