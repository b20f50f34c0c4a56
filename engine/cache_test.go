package engine_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/scancache"
	"github.com/nectar-dev/nectar/source"
)

// countingCache counts the copies a scan stores: a run that stores none
// read every file from its copy.
type countingCache struct {
	*scancache.Cache
	stores atomic.Int64
}

func (c *countingCache) Store(ctx context.Context, f source.File, e *scan.Entry) {
	c.stores.Add(1)
	c.Cache.Store(ctx, f, e)
}

// cacheHarness runs every corpus case twice through one scan cache (local
// files on, so every input goes through it): cold, which fills it, then
// warm, which must store nothing, and must give the same rows, error and
// notes about the data (Session.Summary) as the cold run. The corpus then
// checks the warm answer. Strict mode reads every file (it reports each
// bad line), so the cache runs leave it off; cacheSkips lists the cases
// whose expected answer is strict mode's.
type cacheHarness struct {
	coldStores *atomic.Int64
	// sampleLines 1 makes the schema a guess that the lines after the
	// first prove wrong, so that what the scan saw of each column (the
	// drift check's input) must come back from the copies too.
	sampleLines, batchRows int
}

func (h cacheHarness) Query(ctx context.Context, script string, inputs map[string]string, dir string) (*corpus.Result, error) {
	c := &countingCache{Cache: scancache.New(dir+"/.nectar-cache", 0)}
	c.Local = true
	run := func() (*corpus.Result, error, []string) {
		e := engine.New(engine.Options{Dir: dir, Cache: c, SampleLines: h.sampleLines, BatchRows: h.batchRows})
		defer e.Close()
		for _, name := range slices.Sorted(maps.Keys(inputs)) {
			e.DefineSource(name, "read_json", inputs[name])
		}
		res, err := collectLast(ctx, e, script)
		return res, err, e.Summary()
	}
	cold, coldErr, coldNotes := run()
	h.coldStores.Add(c.stores.Load())
	c.stores.Store(0)
	warm, warmErr, warmNotes := run()
	switch {
	case c.stores.Load() != 0:
		return nil, fmt.Errorf("warm run stored %d copies: it read raw files", c.stores.Load())
	case (coldErr == nil) != (warmErr == nil) || coldErr != nil && coldErr.Error() != warmErr.Error():
		return nil, fmt.Errorf("cold run: %v; warm run: %v", coldErr, warmErr)
	case !slices.Equal(coldNotes, warmNotes):
		return nil, fmt.Errorf("notes differ:\ncold: %q\nwarm: %q", coldNotes, warmNotes)
	case coldErr == nil && !slices.Equal(corpus.Render(cold), corpus.Render(warm)):
		return nil, errors.New("rows differ:\n" + corpus.Diff(corpus.Render(cold), corpus.Render(warm)))
	}
	return warm, warmErr
}

func TestCorpusScanCacheColdAndWarm(t *testing.T) {
	cases, err := corpus.Load(corpus.Files)
	if err != nil {
		t.Fatal(err)
	}
	skips := maps.Clone(localSkips)
	maps.Copy(skips, cacheSkips)
	if err := corpus.CheckSkips(cases, skips); err != nil {
		t.Fatal(err)
	}
	for _, h := range []cacheHarness{{}, {sampleLines: 1, batchRows: 2}} {
		t.Run(fmt.Sprintf("sample=%d,rows=%d", h.sampleLines, h.batchRows), func(t *testing.T) {
			h.coldStores = new(atomic.Int64)
			corpus.Run(t, h, cases, skips)
			if h.coldStores.Load() == 0 {
				t.Error("no cold run stored a copy: the cache was never used")
			}
		})
	}
}

// cacheSkips lists the cases whose answer is strict mode's (an error at
// a bad line), which a scan through the cache does not run in.
var cacheSkips = map[string]string{}
