package shell

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/project"
)

// runScript runs a non-interactive shell over input, in testdata, with
// sessions opened as nectar does (project.Open).
func runScript(t *testing.T, input string) (stdout, stderr string, err error) {
	t.Helper()
	t.Chdir("testdata")
	var out, errOut bytes.Buffer
	err = Run(context.Background(), Options{
		Open: func(ctx context.Context, config string) (*engine.Session, func() error, error) {
			s, _, err := project.Open(ctx, project.Setup{Config: config})
			if err != nil {
				return nil, nil, err
			}
			return s, s.Close, nil
		},
		In: strings.NewReader(input), Out: &out, Err: &errOut,
	})
	return out.String(), errOut.String(), err
}

func TestScript(t *testing.T) {
	cases := []struct {
		name, input string
		out, errOut []string // substrings
		fails       bool
	}{
		{"statement over lines", "SELECT event,\n  count(*) AS n\nFROM events\nGROUP BY event ORDER BY n DESC;\n",
			[]string{"event           n\n", "Added to Cart   2\n", "(2 rows)"}, nil, false},
		{"two statements on a line", "SELECT 1 AS a; SELECT 2 AS b;", []string{"a\n-\n1\n(1 row)\n\nb\n-\n2\n(1 row)\n"}, nil, false},
		{"last statement without ';'", "SELECT 7 AS seven", []string{"    7\n"}, nil, false},
		{"show tables", "SHOW TABLES;\n.tables ev*\n", []string{"events     source", "tableName  kind"}, nil, false},
		{"describe and .schema", "DESCRIBE events;\n.schema events\n", []string{"properties.recommender.variant  string"}, nil, false},
		{".schema of every table", "CREATE VIEW carts AS SELECT userId FROM events WHERE event = 'Added to Cart';\n.schema\n",
			[]string{"-- carts (view)\ncol_name  data_type\n--------  ---------\nuserId    string\n", "-- events (source)"}, nil, false},
		{".mode line", ".mode line\nSELECT event, userId FROM events LIMIT 1;\n.mode\n", []string{" event = Product Viewed\nuserId = u1\n\n(1 row)\n", "mode: line"}, nil, false},
		{".mode csv and json", ".mode csv\nSELECT 1 AS a, 'x' AS b;\n.mode json\nSELECT 1 AS a;\n", []string{"a,b\n1,x\n", `{"a":1}`}, nil, false},
		{".timer", ".timer on\nSELECT 1 AS a;\n.timer\n.timer off\nSELECT 2 AS b;\n", []string{"Run Time (s): real ", "timer: on"}, nil, false},
		{".open another project", "CREATE VIEW v AS SELECT 1 AS one;\n.open other.yaml\nSHOW TABLES;\n",
			[]string{"opened other.yaml: clicks (the 1 views of the previous session are gone)", "clicks     source"}, nil, false},
		{".help", ".help\n.help mode\n", []string{".tables [PATTERN]", ".mode [table|line|csv|json]\n  how results print"}, nil, false},
		{".quit stops", "SELECT 1 AS a;\n.quit\nSELECT 2 AS b;\n", []string{"a\n"}, nil, false},
		{"a failure does not stop the script", "SELECT nope FROM events;\nSELECT 3 AS c;\n",
			[]string{"c\n-\n3\n"}, []string{"error at 1:8", "nope"}, true},
		{"syntax error points at the line", "SELECT 1;\nSELECT\n  1 +;\n", nil, []string{"error at 3:6"}, true},
		{"unknown command", ".tabels\n", nil, []string{"unknown command .tabels: did you mean .tables? (.help lists the commands)"}, true},
		{"bad .mode", ".mode xlsx\n", nil, []string{".mode xlsx: want one of table, line, csv, json"}, true},
		{"bad .timer", ".timer maybe\n", nil, []string{".timer maybe: want on or off"}, true},
		{"missing .open file", ".open nowhere.yaml\nSHOW TABLES;\n", []string{"events     source"}, []string{"nowhere.yaml"}, true},
		{"missing .read file", ".read nowhere.sql\n", nil, []string{".read: open nowhere.sql"}, true},
		{"unknown .help topic", ".help nothing\n", nil, []string{"no command .nothing"}, true},
		{".plot before a query", ".plot c.png\n", nil, []string{".plot draws the last result: run a query first"}, true},
		{".plot to a JPEG", "SELECT 1 AS x, 2 AS y;\n.plot c.jpg\n", nil, []string{".plot: a chart is written as .png or .svg, not \"c.jpg\""}, true},
		{".plot of text", "SELECT 'a' AS x, 'b' AS y;\n.plot c.png\n", nil, []string{".plot: cannot plot the result: column 2, y, is STRING"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, err := runScript(t, c.input)
			if (err != nil) != c.fails {
				t.Errorf("error %v, want failure %v\nstderr: %s", err, c.fails, errOut)
			}
			for _, s := range c.out {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range c.errOut {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if c.name == ".quit stops" && strings.Contains(out, "b\n") {
				t.Errorf("ran past .quit:\n%s", out)
			}
		})
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.sql")
	if err := os.WriteFile(script, []byte(".mode csv\nSELECT count(*) AS n FROM events;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runScript(t, ".read "+script+"\n")
	if err != nil || out != "n\n3\n" {
		t.Errorf("got %q, %v (stderr %s)", out, err, errOut)
	}
}

func TestBrokenProjectFile(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("nectar.yaml", []byte("sources: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), Options{
		Open: func(ctx context.Context, config string) (*engine.Session, func() error, error) {
			s, _, err := project.Open(ctx, project.Setup{Config: config})
			if err != nil {
				return nil, nil, err
			}
			return s, s.Close, nil
		},
		In: strings.NewReader("SELECT 1;"), Out: &bytes.Buffer{}, Err: &bytes.Buffer{},
	})
	if err == nil || !strings.Contains(err.Error(), "nectar.yaml") {
		t.Errorf("error %v, want one naming nectar.yaml", err)
	}
}

func TestPlotCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.svg")
	out, errOut, err := runScript(t, "SELECT event, count(*) AS n FROM events GROUP BY event;\n.mode csv\n.plot "+path+"\n")
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	if !strings.Contains(out, `chart "n by event" in `+path) {
		t.Errorf("stdout:\n%s", out)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "Added to Cart") {
		t.Errorf("chart: %v\n%.300s", err, b)
	}
}
