package engine_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/source"
)

// TestConfinedSession: a session opened as a server opens it reads the
// project folder, its sources (even outside the folder) and serve.allow,
// and nothing else, whatever the query names.
func TestConfinedSession(t *testing.T) {
	base := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		p = filepath.Join(base, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("project/logs/a.json", `{"id":1}`+"\n")
	write("data/logs/day1/b.json", `{"id":2}`+"\n")
	write("shared/c.json", `{"id":3}`+"\n")
	write("secret/s.json", `{"id":4}`+"\n")
	write("project/nectar.yaml", "sources:\n  events:\n    path: ../data/logs/**/*.json\nserve:\n  allow: [../shared]\n")
	t.Chdir(filepath.Join(base, "project"))

	e, _, err := project.Open(t.Context(), project.Setup{Confine: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, c := range []struct{ query, want string }{
		{"SELECT sum(id) FROM read_json('logs')", "1"},
		{"SELECT sum(id) FROM events", "2"},
		{"SELECT sum(id) FROM read_json('../shared/c.json')", "3"},
		{"SELECT sum(id) FROM read_json('../secret/s.json')", "error"},
		{"SELECT sum(id) FROM read_json('../secret')", "error"},
		{"SELECT sum(id) FROM read_json('" + filepath.Join(base, "secret") + "/*.json')", "error"},
		{"SELECT sum(id) FROM read_parquet('../secret/s.json')", "error"},
		{"SELECT sum(id) FROM read_json('logs/../../secret/s.json')", "error"},
		{"SELECT sum(id) FROM read_json('s3://bucket/logs/')", "error"},
	} {
		_, rows, err := engine.QueryRows(t.Context(), e, c.query)
		if c.want == "error" {
			if !errors.Is(err, source.ErrNotAllowed) || !strings.Contains(err.Error(), "outside the folders and buckets this server may read") {
				t.Errorf("%s: %v, want ErrNotAllowed", c.query, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got := rows[0][0].String(); got != c.want {
			t.Errorf("%s = %s, want %s", c.query, got, c.want)
		}
	}
}
