package bench

import (
	"context"
	"io"
	"os"
	"path/filepath"
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
