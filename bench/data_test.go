package bench

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
)

func TestCacheKey(t *testing.T) {
	tests := []struct {
		o    gen.Options
		want string
	}{
		{gen.Options{Events: 300000, Files: 24, Seed: 1}, "events300000-files24-seed1-gzip"},
		{gen.Options{Events: 10, Files: 2, Seed: 7, Compress: "none"}, "events10-files2-seed7-none"},
	}
	for _, tt := range tests {
		if got := CacheKey(tt.o); got != tt.want {
			t.Errorf("CacheKey(%+v) = %s, want %s", tt.o, got, tt.want)
		}
	}
}

func TestEnsureDataCaches(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	o := gen.Options{Events: 200, Files: 2, Seed: 3, Compress: gen.CompressNone}
	ds, err := EnsureData(ctx, cache, o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(ds.Glob)
	if err != nil || len(files) != 2 {
		t.Fatalf("glob %s: %v, %v; want 2 files", ds.Glob, files, err)
	}
	if ds.Summary.Events != 200 || ds.Summary.Bytes == 0 {
		t.Fatalf("summary %+v", ds.Summary)
	}
	// A second call must reuse the files, not rewrite them.
	marker := filepath.Join(ds.Dir, "marker")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := EnsureData(ctx, cache, o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if again.Summary.Bytes != ds.Summary.Bytes {
		t.Errorf("cached summary %+v, want %+v", again.Summary, ds.Summary)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("cache was regenerated: %v", err)
	}
	// Without its summary the directory is an interrupted run: regenerate.
	if err := os.Remove(filepath.Join(ds.Dir, summaryFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureData(ctx, cache, o, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("interrupted data set was reused (marker: %v)", err)
	}
}

// TestCompactedSeedAgrees builds nectar, compacts a small data set and runs
// seed_compacted on both engines: DuckDB must read the copy with the
// quoted column names, and both must give the seed query's answer over the
// raw logs.
func TestCompactedSeedAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nectar")
	}
	ctx := context.Background()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := EnsureData(ctx, t.TempDir(), gen.Options{Events: 3000, Files: 4, Seed: 5}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := BuildNectar(ctx, root, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	comp, err := EnsureCompacted(ctx, bin, raw, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !comp.Compacted || comp.Summary.Files == 0 || comp.Summary.Events != raw.Summary.Events {
		t.Fatalf("compacted data set %+v", comp)
	}
	var seed, seedCompacted Query
	for _, q := range Queries {
		switch q.Name {
		case "seed":
			seed = q
		case "seed_compacted":
			seedCompacted = q
		}
	}
	duck := func(q Query, ds DataSet) []string {
		var b strings.Builder
		if err := RunDuckDB(ctx, q.DuckDBSQL(ds, ""), 1, &b); err != nil {
			t.Fatalf("duckdb %s: %v", q.Name, err)
		}
		rows, err := Normalize([]byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	want := duck(seed, raw)
	if len(want) < 2 {
		t.Fatalf("seed over raw logs: %v; want several variants", want)
	}
	if err := Compare(want, duck(seedCompacted, comp)); err != nil {
		t.Errorf("DuckDB over the compacted copy: %v", err)
	}
	out, err := exec.CommandContext(ctx, bin, "query", "--format", "csv", seedCompacted.NectarSQL(comp)).Output()
	if err != nil {
		t.Fatalf("nectar seed_compacted: %v", err)
	}
	got, err := Normalize(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(want, got); err != nil {
		t.Errorf("nectar over the compacted copy: %v", err)
	}
}
