package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGraphConfig(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		yaml string
		path string // want, relative to dir
		url  string
		err  string
	}{
		{yaml: "graph: {path: g.db}\n", path: "g.db"},
		{yaml: "graph:\n  url: postgres://u:pw@127.0.0.1/db\n", url: "postgres://u:pw@127.0.0.1/db"},
		{yaml: "sources: {}\n"},
		{yaml: "graph: {path: g.db, url: postgres://h/db}\n", err: "not both"},
		{yaml: "graph: {url: 'mysql://u:Secret1@h/db'}\n", err: "must be postgres://"},
		{yaml: "graph: {file: g.db}\n", err: "field file not found"},
	} {
		p := filepath.Join(dir, "nectar.yaml")
		if err := os.WriteFile(p, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(p, true)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "Secret1") {
				t.Errorf("%q: %v, want %q (and no password)", c.yaml, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.yaml, err)
		}
		want := c.path
		if want != "" {
			want = filepath.Join(dir, want)
		}
		if cfg.Graph.Path != want || cfg.Graph.URL != c.url || cfg.Graph.Configured() != (c.path != "" || c.url != "") {
			t.Errorf("%q: %+v", c.yaml, cfg.Graph)
		}
	}
}

func TestCacheConfig(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		yaml    string
		dir     string // want, relative to dir ("": the default)
		maxSize int64
		local   bool
		noS3    bool
		err     string
	}{
		{yaml: "cache: {dir: c, max_size: 500MiB, local: true}\n", dir: "c", maxSize: 500 << 20, local: true},
		{yaml: "cache: {s3: false}\n", noS3: true},
		{yaml: "cache: {max_size: 3GB}\n", maxSize: 3e9},
		{yaml: "sources: {}\n"},
		{yaml: "cache: {max_size: lots}\n", err: "max_size: want a size"},
		{yaml: "cache: {max_size: 0}\n", err: "max_size: want a size"},
		{yaml: "cache: {size: 1GiB}\n", err: `unknown key "size" in the cache section: did you mean dir?`},
	} {
		p := filepath.Join(dir, "nectar.yaml")
		if err := os.WriteFile(p, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(p, true)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.yaml, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.yaml, err)
		}
		t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "xdg"))
		sc, err := cfg.OpenCache()
		if err != nil {
			t.Fatal(err)
		}
		// The cache's own subdirectory of the dir configured.
		want := filepath.Join(dir, "xdg", "nectar", "scan")
		if c.dir != "" {
			want = filepath.Join(dir, c.dir, "scan")
		}
		wantMax := c.maxSize
		if wantMax == 0 {
			wantMax = 2 << 30
		}
		if sc.Dir != want || sc.MaxSize != wantMax || sc.Local != c.local || sc.S3 == c.noS3 {
			t.Errorf("%q: cache in %s of %d bytes, local %v, s3 %v; want %s, %d, %v, %v", c.yaml, sc.Dir, sc.MaxSize, sc.Local, sc.S3, want, wantMax, c.local, !c.noS3)
		}
	}
}
