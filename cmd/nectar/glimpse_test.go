package main

import (
	"context"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/sink/memory"
	"github.com/nectar-dev/nectar/types"
)

// TestGlimpseParquet: glimpse reads a Parquet file, and a directory nectar
// compact wrote, as Parquet (it said "Rows: 0, Columns: 0" and exit 0),
// and a path with no JSON lines is an error with the way out.
func TestGlimpseParquet(t *testing.T) {
	dir := inTempDir(t)
	glob := genLogs(t, dir, genOptions{})
	nectar(t, "query", "-o", "sample.parquet", "SELECT event, userId FROM read_json('"+glob+"') LIMIT 7").mustSucceed(t)
	nectar(t, "compact", glob, "compacted").mustSucceed(t)
	writeFiles(t, dir, map[string]string{"notes.txt": "not a log\n"})

	file := nectar(t, "glimpse", "sample.parquet").mustSucceed(t)
	if !strings.HasPrefix(file.stdout, "Rows: 7\nColumns: 2\n$ event  <chr>") {
		t.Errorf("glimpse of a Parquet file:\n%s", file.stdout)
	}
	comp := nectar(t, "glimpse", "compacted").mustSucceed(t)
	if !strings.HasPrefix(comp.stdout, "Rows: 300\n") {
		t.Errorf("glimpse of a compacted directory:\n%s", comp.stdout)
	}
	forced := nectar(t, "glimpse", "--format", "parquet", "sample.parquet").mustSucceed(t)
	if forced.stdout != file.stdout {
		t.Errorf("--format parquet:\n%s", forced.stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"glimpse", "notes.txt"}, "error: notes.txt has no columns: no line of it reads as JSON (for Parquet, give --format parquet)\n"},
		{[]string{"glimpse", "--format", "avro", "x"}, "error: --format: want json or parquet, got \"avro\"\n"},
	} {
		got := nectar(t, c.args...)
		if got.code != exitError || !strings.HasSuffix(got.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want it to end %q", c.args, got.code, got.stderr, c.want)
		}
	}
}

// TestGlimpseStream: glimpse shows a running stream's memory table, as
// query --stream-endpoint reads it.
func TestGlimpseStream(t *testing.T) {
	inTempDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	schema := types.Schema{{Name: "variant", Kind: types.String}, {Name: "n", Kind: types.Int}}
	m := memory.New("by_variant")
	if err := m.Open(ctx, sink.Info{Schema: schema, Mode: sink.Complete, Dir: t.TempDir(), LastCommitted: -1}); err != nil {
		t.Fatal(err)
	}
	rows := [][]types.Value{{types.StringValue("Model_A"), types.IntValue(3)}, {types.StringValue("Model_B"), types.IntValue(1)}}
	if err := m.Write(ctx, 0, rows); err != nil {
		t.Fatal(err)
	}
	addr, err := memory.Serve(ctx, "127.0.0.1:0", m)
	if err != nil {
		t.Fatal(err)
	}
	got := nectar(t, "glimpse", "--stream-endpoint", "http://"+addr, "by_variant").mustSucceed(t)
	if want := "Rows: 2\nColumns: 2\n$ variant <chr> \"Model_A\", \"Model_B\"\n$ n       <int> 3, 1\n"; got.stdout != want {
		t.Errorf("got:\n%s\nwant:\n%s", got.stdout, want)
	}
}
