package main

import (
	"os"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
)

// TestCompact converts generated logs, checks a query over the compacted
// copy answers as over the raw logs, that a second run converts nothing,
// and that a nectar.yaml source with `compacted:` reads the copy.
func TestCompact(t *testing.T) {
	dir := inTempDir(t)
	glob := genLogs(t, dir, gen.Options{Events: 3000, Files: 3, Days: 3, Seed: 5})
	first := nectar(t, "compact", glob, "compacted").mustSucceed(t)
	if !strings.Contains(first.stderr, "3 new") {
		t.Errorf("first run: %q", first.stderr)
	}
	again := nectar(t, "compact", glob, "compacted").mustSucceed(t)
	if !strings.Contains(again.stderr, "3 up to date") || !strings.Contains(again.stderr, "wrote 0 rows") {
		t.Errorf("second run should convert nothing: %q", again.stderr)
	}
	q := "SELECT event, count(*) AS n, count(DISTINCT userId) AS users FROM %s WHERE _received_day >= DATE '2019-02-02' GROUP BY event ORDER BY event"
	raw := nectar(t, "query", "--format", "csv", strings.Replace(q, "%s", "read_json('"+glob+"')", 1)).mustSucceed(t).stdout
	pq := nectar(t, "query", "--format", "csv", strings.Replace(q, "%s", "read_parquet('compacted')", 1)).mustSucceed(t).stdout
	if raw != pq {
		t.Errorf("compacted:\n%s\nraw:\n%s", pq, raw)
	}
	if err := os.WriteFile("nectar.yaml", []byte("sources:\n  logs: {path: '"+glob+"', compacted: compacted}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	named := nectar(t, "query", "--format", "csv", strings.Replace(q, "%s", "logs", 1)).mustSucceed(t).stdout
	if named != raw {
		t.Errorf("FROM logs (compacted):\n%s\nraw:\n%s", named, raw)
	}
}
