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
