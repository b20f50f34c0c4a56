package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStreamsConfig(t *testing.T) {
	dir := t.TempDir()
	load := func(t *testing.T, yaml string) (*Config, error) {
		t.Helper()
		p := filepath.Join(dir, "nectar.yaml")
		if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return LoadConfig(p, true)
	}
	cfg, err := load(t, `
sources:
  events: {path: ./logs/**/*.gz}
streams:
  data_stream:
    query: SELECT properties.recommender.variant AS expt, count(*) AS n FROM read_json('./logs/segment-logs/**/*.gz') WHERE event = 'Added to Cart' GROUP BY 1
    trigger: 5s
    checkpoint: ./checkpoints/data_stream
    sink: memory
  to_files:
    query: FROM events |> WHERE event = 'Order Completed'
    trigger: '2 minutes'
    settle: 0
    checkpoint: ck/files
    output_mode: Append
    sink: {file: out/orders, format: parquet}
  to_pg:
    query: SELECT event, count(*) AS n FROM events GROUP BY event
    checkpoint: ck/pg
    watermark: 2 hours
    sink: {postgres: 'postgres://u:Secret1@127.0.0.1/db', table: counts}
  renamed:
    query: SELECT count(*) AS n FROM read_json('other/*.json')
    checkpoint: ck/renamed
    sink: {memory: live_counts}
`)
	if err != nil {
		t.Fatal(err)
	}
	ds := cfg.Streams["data_stream"]
	if ds.Trigger != 5*time.Second || ds.Settle != DefaultStreamSettle || ds.Checkpoint != filepath.Join(dir, "checkpoints/data_stream") ||
		ds.Sink.Memory != "data_stream" || ds.Sink.Kind() != "memory" {
		t.Errorf("data_stream: %+v", ds)
	}
	fs := cfg.Streams["to_files"]
	if fs.Trigger != 2*time.Minute || fs.Settle != 0 || fs.OutputMode != "append" || fs.Sink.File != filepath.Join(dir, "out/orders") || fs.Sink.Format != "parquet" {
		t.Errorf("to_files: %+v", fs)
	}
	pg := cfg.Streams["to_pg"]
	if pg.Sink.Kind() != "postgres" || pg.Sink.Table != "counts" || pg.Watermark != 2*time.Hour || strings.Contains(pg.Sink.String(), "Secret1") {
		t.Errorf("to_pg: %+v (%s)", pg, pg.Sink)
	}
	if r := cfg.Streams["renamed"]; r.Sink.Memory != "live_counts" {
		t.Errorf("renamed: %+v", r)
	}

	const q = "query: SELECT count(*) AS n FROM read_json('l/*.json')\n"
	for _, c := range []struct{ yaml, err string }{
		{"streams: {s: {" + q[:len(q)-1] + ", sink: memory}}\n", "streams: s: no checkpoint"},
		{"streams:\n  s:\n    checkpoint: ck\n    sink: memory\n", "streams: s: no query"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n", "streams: s: no sink"},
		{"streams:\n  s:\n    query: SELECT count(* FROM read_json('l')\n    checkpoint: ck\n    sink: memory\n", "streams: s: query: error at 1:"},
		{"streams:\n  s:\n    query: SELECT 1 AS one\n    checkpoint: ck\n    sink: memory\n", "must read read_json"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: memory\n    trigger: soon\n", "streams: s: trigger:"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: memory\n    output_mode: sometimes\n", "output_mode \"sometimes\""},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: memory\n    triger: 5s\n", "field triger not found"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: console\n", "sink: want memory"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: {file: out, format: xml}\n", `format "xml"`},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: {file: out, table: t}\n", "takes no table"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: {memory: t, file: out}\n", "one of memory, file or postgres"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: {path: out}\n", `unknown key "path"`},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: {postgres: 'mysql://u:Secret1@h/db', table: t}\n", "postgres://"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: {postgres: 'postgres://u:Secret1@h/db'}\n", "needs table"},
		{"streams:\n  bad-name:\n    " + q + "    checkpoint: ck\n    sink: memory\n", "streams: bad-name: a stream's name is a plain identifier"},
		{"sources: {events: {path: l}}\nstreams:\n  events:\n    " + q + "    checkpoint: ck\n    sink: memory\n", "memory table events: the name is taken by source events"},
		{"streams:\n  a:\n    " + q + "    checkpoint: ck\n    sink: memory\n  b:\n    " + q + "    checkpoint: ck/b\n    sink: memory\n", "each stream needs its own"},
		{"streams:\n  a:\n    " + q + "    checkpoint: ck/a\n    sink: {memory: t}\n  b:\n    " + q + "    checkpoint: ck/b\n    sink: {memory: T}\n", "memory table T: the name is taken by stream a"},
		{"streams:\n  a:\n    " + q + "    checkpoint: ck/a\n    sink: {file: ck/a/out}\n", "overlaps stream a's checkpoint"},
		{"streams:\n  a:\n    " + q + "    checkpoint: ck/a\n    sink: {file: out}\n  b:\n    " + q + "    checkpoint: ck/b\n    sink: {file: out/b}\n", "each stream needs its own folder"},
		{"streams:\n  s:\n    " + q + "    checkpoint: ck\n    sink: memory\n    watermark_column: timestamp\n", "watermark_column without watermark"},
	} {
		_, err := load(t, c.yaml)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.yaml, err, c.err)
		}
		if err != nil && strings.Contains(err.Error(), "Secret1") {
			t.Errorf("%s: the error shows the password: %v", c.yaml, err)
		}
	}
}
