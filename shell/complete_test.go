package shell

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
)

// fakeCatalog has the tables logs (a source) and orders (a view), and
// read_json('x.gz'), with Segment-like column paths.
type fakeCatalog struct{}

func (fakeCatalog) tables() []engine.TableInfo {
	return []engine.TableInfo{{Name: "logs", Kind: engine.SourceTable}, {Name: "orders", Kind: engine.ViewTable}, {Name: "select", Kind: engine.ViewTable}}
}

func (fakeCatalog) columns(ref string) []column {
	switch strings.ToLower(ref) {
	case "logs", "read_json('x.gz')":
		return []column{{"event", "string"}, {"properties.price", "double"}, {"properties.recommender.variant", "string"},
			{"properties.referrer", "string"}, {"properties.order", "string"}, {"context.page.url", "string"}, {"my field", "bigint"}}
	case "orders":
		return []column{{"order_id", "string"}, {"revenue", "double"}}
	}
	return nil
}

func values(cands []Candidate) []string {
	var out []string
	for _, c := range cands {
		out = append(out, c.Value)
	}
	return out
}

func TestCompletions(t *testing.T) {
	cases := []struct {
		name, src  string // | marks the cursor (default: the end)
		word       string
		has, hasNo []string
	}{
		{"statement start", "sel", "sel", []string{"select"}, []string{"SELECT", "sum("}},
		{"statement start upper", "DE", "DE", []string{"DESCRIBE"}, nil},
		{"table after FROM", "SELECT * FROM l", "l", []string{"logs"}, []string{"orders", "lower("}},
		{"tables and functions after FROM", "SELECT * FROM ", "", []string{"logs", "orders", "`select`", "read_json('", "read_parquet('"}, []string{"event"}},
		{"table after JOIN", "SELECT * FROM logs JOIN o", "o", []string{"orders"}, nil},
		{"table in a FROM list", "SELECT * FROM logs, o", "o", []string{"orders"}, nil},
		{"DESCRIBE", "DESCRIBE TABLE ", "", []string{"logs", "orders"}, nil},
		{"ORDER BY x DESC is not DESCRIBE", "SELECT event FROM logs ORDER BY event DESC, ev", "ev", []string{"event"}, []string{"logs"}},
		{"column before FROM", "SELECT ev| FROM logs", "ev", []string{"event"}, []string{"revenue"}},
		{"column steps", "SELECT prop| FROM logs", "prop", []string{"properties."}, []string{"properties.price"}},
		{"next step", "SELECT properties.re| FROM logs", "properties.re", []string{"properties.recommender.", "properties.referrer"}, []string{"properties.price"}},
		{"leaf", "FROM logs |> WHERE properties.recommender.v", "properties.recommender.v", []string{"properties.recommender.variant"}, nil},
		{"reserved word after a dot stays bare", "FROM logs |> SELECT properties.or", "properties.or", []string{"properties.order"}, nil},
		{"a name that needs quotes", "SELECT my| FROM logs", "my", []string{"`my field`"}, nil},
		{"qualified by alias", "SELECT l.prop| FROM logs AS l", "l.prop", []string{"l.properties."}, nil},
		{"qualified by bare alias", "SELECT o.rev| FROM orders o JOIN logs l ON true", "o.rev", []string{"o.revenue"}, []string{"o.properties."}},
		{"table function columns", "SELECT ev| FROM read_json('x.gz')", "ev", []string{"event"}, nil},
		{"no FROM yet: every table", "SELECT rev", "rev", []string{"revenue"}, nil},
		{"functions and keywords", "SELECT coun| FROM logs", "coun", []string{"count(", "count_if("}, nil},
		{"keywords in lower case", "SELECT event FROM logs whe", "whe", []string{"where"}, []string{"WHERE"}},
		{"keywords in upper case", "SELECT event FROM logs WHE", "WHE", []string{"WHERE"}, nil},
		{"pipe operators", "FROM logs |> AGG", "AGG", []string{"AGGREGATE"}, nil},
		{"after SHOW", "show ", "", []string{"tables"}, []string{"TABLES"}},
		{"after SHOW in upper case", "SHOW ", "", []string{"TABLES"}, nil},
		{"second statement", "SELECT 1; SELECT * FROM o", "o", []string{"orders"}, nil},
		{"inside a string", "SELECT 'ev", "", nil, []string{"event"}},
		{"inside a comment", "SELECT 1 -- ev", "", nil, []string{"event"}},
		{"dot commands", ".ta", ".ta", []string{".tables"}, []string{".timer"}},
		{"all dot commands", ".", ".", []string{".help", ".mode", ".timer", ".open", ".schema", ".quit"}, nil},
		{".mode values", ".mode l", "l", []string{"line"}, []string{"table"}},
		{".timer values", ".timer ", "", []string{"on", "off"}, nil},
		{".schema tables", ".schema o", "o", []string{"orders"}, nil},
		{"no second argument", ".mode line ", "", nil, []string{"table"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, pos := c.src, len(c.src)
			if i := strings.IndexByte(c.src, '|'); i >= 0 && !strings.Contains(c.src, "|>") {
				src, pos = c.src[:i]+c.src[i+1:], i
			}
			word, cands := completions(src, pos, fakeCatalog{})
			if word != c.word {
				t.Errorf("word %q, want %q", word, c.word)
			}
			got := values(cands)
			for _, h := range c.has {
				if !slices.Contains(got, h) {
					t.Errorf("%q not offered; got %v", h, got)
				}
			}
			for _, h := range c.hasNo {
				if slices.Contains(got, h) {
					t.Errorf("%q offered; got %v", h, got)
				}
			}
		})
	}
}

func TestFileCompletions(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"logs/a.gz", "logs/b.gz", "nectar.yaml", "other.yml", "notes.txt"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	cases := []struct {
		src, word string
		want      []string
	}{
		{"SELECT * FROM read_json('lo", "lo", []string{"logs/"}},
		{"SELECT * FROM read_json('logs/", "logs/", []string{"logs/a.gz", "logs/b.gz"}},
		{"SELECT * FROM read_parquet('logs/b", "logs/b", []string{"logs/b.gz"}},
		{"SELECT 'logs/", "", nil}, // not a table function's path
		{".open ", "", []string{"logs/", "nectar.yaml", "other.yml"}},
		{".read n", "n", []string{"nectar.yaml", "notes.txt"}},
	}
	for _, c := range cases {
		word, cands := completions(c.src, len(c.src), fakeCatalog{})
		if word != c.word || fmt.Sprint(values(cands)) != fmt.Sprint(c.want) {
			t.Errorf("%q: word %q, %v; want %q, %v", c.src, word, values(cands), c.word, c.want)
		}
	}
}
