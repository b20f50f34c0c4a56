package main

import (
	"image/png"
	"os"
	"strings"
	"testing"
)

// TestPlot draws the hour-by-variant chart in one command, and checks
// --plot's refusals.
func TestPlot(t *testing.T) {
	dir := inTempDir(t)
	glob := genLogs(t, dir, genOptions{})
	q := "SELECT hour(timestamp) AS hour_of_day, properties.recommender.variant AS variant, count(*) AS n FROM read_json('" + glob + "') GROUP BY hour_of_day, variant"
	got := nectar(t, "query", "--format", "csv", "--plot", "hours.png", q).mustSucceed(t)
	if !strings.HasPrefix(got.stdout, "hour_of_day,variant,n\n") {
		t.Errorf("the result is printed too; got %q", got.stdout)
	}
	if want := "chart \"n by hour_of_day and variant\" in hours.png\n"; !strings.HasSuffix(got.stderr, want) {
		t.Errorf("stderr %q, want it to end %q", got.stderr, want)
	}
	f, err := os.Open("hours.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("hours.png: %v", err)
	}
	nectar(t, "query", "--plot", "c-{n}.svg", "SELECT 1 AS x, 2 AS y; SELECT 'a' AS k, 3 AS v").mustSucceed(t)
	for _, name := range []string{"c-1.svg", "c-2.svg"} {
		if b, err := os.ReadFile(name); err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: %v", name, err)
		}
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"query", "--plot", "x.jpg", "SELECT 1 AS x, 2 AS y"}, "error: --plot: a chart is written as .png or .svg, not \"x.jpg\"\n"},
		{[]string{"query", "--plot", "one.png", "SELECT 1 AS x, 2 AS y; SELECT 2 AS x, 3 AS y"}, "error: --plot one.png holds one chart, and this script has several results: put {n} in the name (e.g. chart-{n}.png) to draw each\n"},
		{[]string{"query", "--plot", "t.png", "SELECT 'a' AS a, 'b' AS b"}, "error: --plot: cannot plot the result: column 2, b, is STRING: after x (and a column naming the series) a chart takes numbers\n"},
	} {
		got := nectar(t, c.args...)
		if got.code != exitError || !strings.HasSuffix(got.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, got.code, got.stderr, c.want)
		}
	}
	if _, err := os.Stat("t.png"); err == nil {
		t.Error("a refused chart left t.png")
	}
}
