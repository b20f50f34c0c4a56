package oracle

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
)

// fill appends DuckDB's rendered rows to every case whose output section is
// still empty and which is not a listed difference. It is a drafting aid:
// each filled case must then be checked by hand against Spark's documented
// semantics before it is committed.
var fill = flag.Bool("fill", false, "write DuckDB's rows into cases with an empty output section")

func TestCorpusOnDuckDB(t *testing.T) {
	cases, err := corpus.Load(corpus.Files)
	if err != nil {
		t.Fatal(err)
	}
	if err := corpus.CheckSkips(cases, differences); err != nil {
		t.Error(err)
	}
	// Cases DuckDB runs in a SQL of its own: pipes, nested data, PIVOT.
	for name, queries := range map[string]map[string]string{"pipeSQL": pipeSQL, "nestedSQL": nestedSQL, "pivotSQL": pivotSQL} {
		if err := corpus.CheckSkips(cases, queries); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for i := range cases {
			if q, ok := queries[cases[i].Name()]; ok {
				cases[i].Query = q
			}
		}
	}
	if *fill {
		fillOutputs(t, cases)
		return
	}
	corpus.Run(t, duckHarness{}, cases, differences)
}

func fillOutputs(t *testing.T, cases []corpus.Case) {
	for i := range cases {
		c := &cases[i]
		if len(c.Output) > 0 || c.Error != "" || differences[c.Name()] != "" {
			continue
		}
		dir := t.TempDir()
		inputs := map[string]string{}
		for _, in := range c.Inputs {
			p := filepath.Join(dir, in.Name+".jsonl")
			if err := os.WriteFile(p, []byte(in.Data), 0o644); err != nil {
				t.Fatal(err)
			}
			inputs[in.Name] = p
		}
		res, err := duckHarness{}.Query(t.Context(), c.Query, inputs, dir)
		if err != nil {
			t.Logf("%s: %v", c.Name(), err)
			continue
		}
		path := filepath.Join("..", "corpus", c.File)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.TrimRight(string(data), "\n")
		if !strings.HasPrefix(text[strings.LastIndex(text, "\n")+1:], "--- output") {
			t.Logf("%s: output is not the last section; not filled", c.Name())
			continue
		}
		lines := corpus.Render(res)
		text += "\n" + strings.Join(lines, "\n")
		if err := os.WriteFile(path, []byte(strings.TrimRight(text, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("filled %s (%d rows)", c.Name(), len(lines))
	}
}
