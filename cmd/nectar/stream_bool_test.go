package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
)

// TestStreamBoolAggregates runs bool_and and bool_or, under their Spark
// synonyms too, as a stream that restarts from its checkpoint when files
// arrive, and compares the file sink's answer with a batch query over all
// the files: their state is saved and restored between the runs.
func TestStreamBoolAggregates(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, gen.Options{Events: 2000, Files: 2, Seed: 3})
	q := "SELECT event, bool_and(userId IS NOT NULL) AS known, bool_or(properties.price > 100) AS dear, " +
		"every(properties.price > 1) AS e, some(properties.quantity > 3) AS bulk, any(properties.quantity = 1) AS one " +
		"FROM read_json('logs/**/*.gz') GROUP BY event ORDER BY event"
	args := []string{"stream", "--once", "--settle", "0s", "--checkpoint", "ck", "--output", "out", "--format", "csv", q}
	nectar(t, args...).mustSucceed(t)
	genLogs(t, filepath.Join(dir, "logs", "more"), gen.Options{Events: 1500, Files: 2, Seed: 4})
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
	if !strings.Contains(want, "true") || !strings.Contains(want, "false") {
		t.Errorf("the batch answer should hold both truth values:\n%s", want)
	}
}
