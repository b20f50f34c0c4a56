package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
)

// TestStreamOnce runs `nectar stream --once` twice over a directory that
// gains files in between: the second run takes only the new files and the
// file sink's current version equals a batch query over everything.
func TestStreamOnce(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, gen.Options{Events: 3000, Files: 3, Seed: 1})
	q := "SELECT event, count(*) AS n FROM read_json('logs/**/*.gz') GROUP BY event ORDER BY event"
	args := []string{"stream", "--once", "--settle", "0s", "--checkpoint", "ck", "--output", "out", "--format", "csv", q}
	nectar(t, args...).mustSucceed(t)

	genLogs(t, filepath.Join(dir, "logs", "more"), gen.Options{Events: 2000, Files: 2, Seed: 2}) // lands under logs/more/logs/
	nectar(t, args...).mustSucceed(t)

	manifest, err := os.ReadFile(filepath.Join(dir, "out", "_manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var current string
	for _, l := range strings.Split(string(manifest), "\n") {
		if strings.Contains(l, `"current"`) {
			current = strings.Trim(strings.TrimSpace(strings.SplitN(l, ":", 2)[1]), `",`)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "out", current))
	if err != nil {
		t.Fatal(err)
	}
	want := nectar(t, "query", "--format", "csv", q).mustSucceed(t).stdout
	if sortLines(string(got)) != sortLines(want) {
		t.Errorf("stream result:\n%s\nbatch result:\n%s", got, want)
	}
	st := nectar(t, "stream", "status", "ck", "--json").mustSucceed(t).stdout
	if !strings.Contains(st, `"batches":2`) {
		t.Errorf("status should count two batches: %s", st)
	}
}

func TestStreamNeedsOneSink(t *testing.T) {
	inTempDir(t)
	got := nectar(t, "stream", "--once", "--checkpoint", "ck", "SELECT 1")
	if got.code != exitError || !strings.Contains(got.stderr, "exactly one sink") {
		t.Errorf("exit %d, stderr %q", got.code, got.stderr)
	}
}

func sortLines(s string) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && ls[j] < ls[j-1]; j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
	return strings.Join(ls, "\n")
}
