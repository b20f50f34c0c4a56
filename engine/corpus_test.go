package engine_test

import (
	"context"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
)

// localHarness runs corpus cases on the local engine: each input becomes a
// named source, as a nectar.yaml entry would.
type localHarness struct{}

func (localHarness) Query(ctx context.Context, script string, inputs map[string]string, dir string) (*corpus.Result, error) {
	e := engine.New(engine.Options{Dir: dir, Strict: true})
	for name, path := range inputs {
		e.DefineSource(name, "read_json", path)
	}
	return collectLast(ctx, e, script)
}

// localSkips lists corpus cases the local engine does not pass yet, with
// the reason. It should shrink to nothing.
var localSkips = map[string]string{
	"subquery/correlated_exists": "correlated subqueries are not supported yet (the error says to use a JOIN)",
}

func TestCorpus(t *testing.T) {
	cases, err := corpus.Load(corpus.Files)
	if err != nil {
		t.Fatal(err)
	}
	if err := corpus.CheckSkips(cases, localSkips); err != nil {
		t.Fatal(err)
	}
	corpus.Run(t, localHarness{}, cases, localSkips)
}
