package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
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

// oneRow is a table of one value, for a registered table function.
type oneRow struct{ v string }

func (oneRow) Columns() []plan.SourceColumn {
	return []plan.SourceColumn{{Name: "v", Kind: types.String}}
}
func (oneRow) Resolve(string) (types.Kind, bool) { return 0, false }
func (o oneRow) String() string                  { return "echo('" + o.v + "')" }
func (o oneRow) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return exec.Rows(types.Schema{{Name: "v", Kind: types.String}}, [][]types.Value{{types.StringValue(o.v)}}), nil
}

func TestRegisterTableFunc(t *testing.T) {
	e := New(Options{})
	calls := 0
	e.RegisterTableFunc("Echo", func(_ context.Context, call plan.TableCall) (plan.Source, error) {
		calls++
		return oneRow{call.Args[0].S + "/" + call.Named["suffix"].S}, nil
	})
	_, rows, err := QueryRows(context.Background(), e, "SELECT v FROM echo('a', suffix => 'b'); SELECT v FROM ECHO('a', suffix => 'b')")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0].S != "a/b" || calls < 2 {
		t.Fatalf("rows %v after %d calls", rows, calls)
	}
	// read_json is still the session's own.
	if _, _, err := QueryRows(context.Background(), e, "SELECT * FROM nope('x')"); err == nil || !strings.Contains(err.Error(), "unknown table function nope") {
		t.Fatalf("unknown function: %v", err)
	}
}
