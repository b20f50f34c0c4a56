package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
)

func TestConfig(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, filepath.Join(dir, "proj"), genOptions{})
	want := nectar(t, "query", "--format", "csv", "SELECT count(*) AS n FROM read_json('proj/logs/segment-logs/**/*.gz')").mustSucceed(t).stdout
	writeFiles(t, dir, map[string]string{
		// Paths are relative to the file's directory, not the working one.
		"proj/nectar.yaml":     "sources:\n  logs:\n    path: ./logs/**/*.gz\n",
		"proj/sub/nectar.yaml": "sources:\n  Events: {path: ../logs/segment-logs/**/*.gz, format: json}\n",
		"unknown-field.yaml":   "sources:\n  logs:\n    path: x\n    compression: gzip\n",
		"no-path.yaml":         "sources:\n  logs:\n    format: json\n",
		"bad-format.yaml":      "sources:\n  logs: {path: x, format: avro}\n",
		"not-yaml.yaml":        "sources: [\n",
		"top-level.yaml":       "source:\n  logs: {path: x}\n",
		"misspelt.yaml":        "sources:\n  logs: {path: x, fromat: parquet}\ns3: {endpont: http://x}\n",
		"empty.yaml":           "",
	})
	tests := []struct {
		name   string
		wd     string // working directory, relative to dir
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "nectar.yaml in the working directory", wd: "proj", args: []string{"SELECT count(*) AS n FROM logs"}, stdout: want},
		{name: "--config", args: []string{"--config", "proj/nectar.yaml", "SELECT count(*) AS n FROM logs"}, stdout: want},
		{name: "--config elsewhere, name in another case", args: []string{"--config", "proj/sub/nectar.yaml", "SELECT count(*) AS n FROM events"}, stdout: want},
		{name: "no nectar.yaml: no sources", args: []string{"SELECT count(*) AS n FROM logs"}, code: exitError,
			stderr: "error at 1:27: unknown table logs\n  SELECT count(*) AS n FROM logs\n                            ^\n  hint: read files with read_json('path/**/*.gz') or name a source in nectar.yaml\n"},
		{name: "empty file", args: []string{"--config", "empty.yaml", "SELECT 1 AS one"}, stdout: "one\n1\n"},
		{name: "missing --config", args: []string{"--config", "nope.yaml", "SELECT 1"}, code: exitError,
			stderr: "error: read config: open nope.yaml: no such file or directory\n"},
		{name: "unknown field", args: []string{"--config", "unknown-field.yaml", "SELECT 1"}, code: exitError,
			stderr: "error: read unknown-field.yaml: line 4: unknown key \"compression\" in a source (known: path, format, compacted, schema)\n"},
		{name: "unknown top-level field", args: []string{"--config", "top-level.yaml", "SELECT 1"}, code: exitError,
			stderr: "error: read top-level.yaml: line 1: unknown key \"source\" at the top level: did you mean sources? (known: sources, s3, engine, spark, serve, graph, streams, cache)\n"},
		{name: "misspelt keys", args: []string{"--config", "misspelt.yaml", "SELECT 1"}, code: exitError,
			stderr: "error: read misspelt.yaml: line 2: unknown key \"fromat\" in a source: did you mean format? (known: path, format, compacted, schema); line 3: unknown key \"endpont\" in the s3 section: did you mean endpoint? (known: profile, endpoint, region, path_style, max_attempts, max_backoff)\n"},
		{name: "source without path", args: []string{"--config", "no-path.yaml", "SELECT 1"}, code: exitError,
			stderr: "error: read no-path.yaml: source \"logs\" has no path\n"},
		{name: "unknown format", args: []string{"--config", "bad-format.yaml", "SELECT 1"}, code: exitError,
			stderr: "error: read bad-format.yaml: source \"logs\": unknown format \"avro\" (json or parquet)\n"},
		{name: "not YAML", args: []string{"--config", "not-yaml.yaml", "SELECT 1"}, code: exitError,
			stderr: "error: read not-yaml.yaml: yaml: line 1: did not find expected node content\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(filepath.Join(dir, tc.wd))
			got := nectar(t, append([]string{"query", "--format", "csv"}, tc.args...)...)
			if got.code != tc.code || got.stdout != tc.stdout || got.stderr != tc.stderr {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

func TestGlimpse(t *testing.T) {
	dir := inTempDir(t)
	glob := genLogs(t, dir, genOptions{Malformed: 0.01})
	writeFiles(t, dir, map[string]string{"nectar.yaml": "sources:\n  logs: {path: '" + glob + "'}\n"})
	got := nectar(t, "glimpse", "--width", "80", glob).mustSucceed(t)
	golden(t, "glimpse", got.stdout)
	// Two statements read the files; the bad lines count once.
	if want := "skipped 3 malformed lines in 3 files; --bad-lines=FILE to keep them\n"; got.stderr != want {
		t.Errorf("stderr %q, want %q", got.stderr, want)
	}
	byName := nectar(t, "glimpse", "--width", "80", "logs").mustSucceed(t)
	if byName.stdout != got.stdout {
		t.Errorf("glimpse of the source named in nectar.yaml differs:\n%s", byName.stdout)
	}
	missing := nectar(t, "glimpse", "nothing/*.gz")
	if want := "error: list nothing/*.gz: no files match\n"; missing.code != exitError || missing.stderr != want {
		t.Errorf("glimpse of nothing: exit %d, stderr %q; want %d, %q", missing.code, missing.stderr, exitError, want)
	}
}

// TestHiddenColumns checks _file and _received_day over the S3 layout:
// SELECT * leaves them out, naming them reads them, and _received_day is
// the UTC date of the day folder.
func TestHiddenColumns(t *testing.T) {
	dir := inTempDir(t)
	glob := genLogs(t, dir, genOptions{Events: 400, Files: 4, Days: 4})
	from := " FROM read_json('" + glob + "')"

	star := nectar(t, "query", "--format", "csv", "SELECT *"+from+" LIMIT 1").mustSucceed(t)
	header := lines(star.stdout)[0]
	for _, h := range []string{"_file", "_received_day", "_line"} {
		if strings.Contains(","+header+",", ","+h+",") {
			t.Errorf("SELECT * has hidden column %s: %s", h, header)
		}
	}

	got := nectar(t, "query", "--format", "csv", "SELECT _file, _received_day, count(*) AS n"+from+" GROUP BY _file, _received_day ORDER BY _file").mustSucceed(t)
	rows, err := csv.NewReader(strings.NewReader(got.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("want a header and 4 files:\n%s", got.stdout)
	}
	for _, r := range rows[1:] {
		// logs/segment-logs/<source>/<day epoch ms>/<file>.gz
		parts := strings.Split(r[0], "/")
		if len(parts) != 5 || parts[0] != "logs" || parts[1] != "segment-logs" {
			t.Errorf("_file %q is not a path in the layout", r[0])
			continue
		}
		ms, err := strconv.ParseInt(parts[3], 10, 64)
		if err != nil {
			t.Errorf("_file %q: day folder: %v", r[0], err)
			continue
		}
		if want := time.UnixMilli(ms).UTC().Format(time.DateOnly); r[1] != want {
			t.Errorf("_received_day of %s is %s, want %s", r[0], r[1], want)
		}
	}

	// The day folder is the UTC midnight of receivedAt.
	off := nectar(t, "query", "--format", "csv", "SELECT count(*) AS n"+from+" WHERE to_date(receivedAt) <> _received_day").mustSucceed(t)
	if off.stdout != "n\n0\n" {
		t.Errorf("rows whose receivedAt is not on _received_day:\n%s", off.stdout)
	}
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 50,000 events")
	}
	dir := t.TempDir()
	first := nectar(t, "demo", "--dir", dir).mustSucceed(t)
	if want := "generating demo data in " + dir + " …\n"; first.stderr != want {
		t.Errorf("stderr %q, want %q", first.stderr, want)
	}
	out := lines(first.stdout)
	wantLines := []string{
		"nectar demo: the seed analysis over " + filepath.Join(dir, "segment-logs", "**", "*.gz"),
		`== 1. A few "Added to Cart" events from the Food vertical, with readable time and hour of day`,
		"SQL:",
		"    SELECT date_format(timestamp, 'yyyy-MM-dd HH:mm:ss') AS time,",
		"The same in pipe syntax:",
		"    FROM events",
		"(5 rows)",
		"== 2. Counted by recommender variant (NULL: the product was not shown by the recommender)",
		"variant  added_to_cart",
		"(3 rows)",
		"== 3. By hour of day, one column per variant",
		"    |> ORDER BY hour_of_day;",
		"hour_of_day  model_a  model_b  no_recommender  total",
		"(24 rows)",
		"== 4. Beyond the seed: revenue per product, a row per item of each order's products array",
		"    FROM events LATERAL VIEW explode(properties.products) items AS p",
		"    |> EXTEND explode(properties.products) AS p",
		"product_id                product                      units  revenue",
		"(5 rows)",
	}
	i := 0
	for _, l := range out {
		if i < len(wantLines) && strings.TrimRight(l, " ") == wantLines[i] {
			i++
		}
	}
	if i < len(wantLines) {
		t.Errorf("demo output lacks %q (in order):\n%s", wantLines[i], first.stdout)
	}
	for _, v := range []string{"Model_A", "Model_B"} {
		if !strings.Contains(first.stdout, "\n"+v+" ") {
			t.Errorf("no %s row in the variant counts:\n%s", v, first.stdout)
		}
	}
	// Each step's pipe form gives the rows its SQL does.
	e := engine.New(engine.Options{})
	ctx := context.Background()
	if err := e.Run(ctx, fmt.Sprintf(demoView, filepath.Join(dir, "segment-logs", "**", "*.gz")), func(*engine.Result) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for i, s := range demoSteps {
		_, sqlRows, err := engine.QueryRows(ctx, e, s.sql)
		if err != nil {
			t.Fatalf("step %d SQL: %v", i+1, err)
		}
		_, pipeRows, err := engine.QueryRows(ctx, e, s.pipe)
		if err != nil {
			t.Fatalf("step %d pipe: %v", i+1, err)
		}
		if fmt.Sprint(sqlRows) != fmt.Sprint(pipeRows) {
			t.Errorf("step %d: SQL and pipe syntax differ:\n%v\n%v", i+1, sqlRows, pipeRows)
		}
	}
	// The second run reuses the data and prints the same.
	again := nectar(t, "demo", "--dir", dir).mustSucceed(t)
	if again.stderr != "" || again.stdout != first.stdout {
		t.Errorf("second run: stderr %q, stdout differs: %v", again.stderr, again.stdout != first.stdout)
	}
}

// cancelOnWrite cancels a context when the first result bytes arrive, so
// the query is surely running when it is interrupted.
type cancelOnWrite struct {
	once   sync.Once
	cancel context.CancelFunc
	n      int
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	c.once.Do(c.cancel)
	c.n += len(p)
	return len(p), nil
}

func TestInterrupt(t *testing.T) {
	dir := inTempDir(t)
	const events = 20000
	glob := genLogs(t, dir, gen.Options{Events: events, Files: 8, Days: 2})
	q := "SELECT *, _file FROM read_json('" + glob + "')"

	t.Run("running query", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		out := &cancelOnWrite{cancel: cancel}
		var stderr strings.Builder
		start := time.Now()
		code := run(ctx, []string{"query", "--format", "json", q}, out, &stderr)
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("took %s to stop", el)
		}
		if code != exitInterrupted || stderr.String() != "error: interrupted\n" {
			t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), exitInterrupted, "error: interrupted\n")
		}
		if out.n == 0 {
			t.Fatal("nothing was written, so nothing was cancelled mid-run")
		}
		full := nectar(t, "query", "--format", "json", q).mustSucceed(t)
		if out.n >= len(full.stdout) {
			t.Errorf("wrote %d bytes after Ctrl-C, as much as the whole result (%d)", out.n, len(full.stdout))
		}
	})

	t.Run("before it starts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, args := range [][]string{
			{"query", q},
			{"glimpse", glob},
			{"gen", "--out", "again", "--events", fmt.Sprint(events)},
		} {
			got := nectarCtx(t, ctx, args...)
			if got.code != exitInterrupted || got.stdout != "" {
				t.Errorf("%s: exit %d, stdout %q; want %d and nothing", args[0], got.code, got.stdout, exitInterrupted)
			}
		}
	})
}

var _ io.Writer = (*cancelOnWrite)(nil)
