package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/scancache"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/source/s3test"
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
	run := func() (*corpus.Result, []string, error) {
		e := engine.New(engine.Options{Dir: dir, Cache: c, SampleLines: h.sampleLines, BatchRows: h.batchRows})
		defer e.Close()
		for _, name := range slices.Sorted(maps.Keys(inputs)) {
			e.DefineSource(name, "read_json", inputs[name])
		}
		res, err := collectLast(ctx, e, script)
		return res, e.Summary(), err
	}
	cold, coldNotes, coldErr := run()
	h.coldStores.Add(c.stores.Load())
	c.stores.Store(0)
	warm, warmNotes, warmErr := run()
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

// TestS3ScanCache reads generated logs (with malformed lines) from the
// fake S3 through the scan cache, as nectar does by default: the cold and
// the warm run give the rows and notes a full read without the cache gives, the
// warm run gets no object, and an object overwritten since is read again.
func TestS3ScanCache(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{
		Out: dir, Events: 3000, Files: 6, Days: 3, Seed: 5, Malformed: 0.02, Duplicates: 0.02,
	}); err != nil {
		t.Fatal(err)
	}
	srv := s3test.New(t)
	srv.CreateBucket(t, "logs-bucket")
	putTree(t, srv, "logs-bucket", dir, func(int) string { return "" })
	// Plain NDJSON under a .gz name (the bytes decide): overwritten below
	// with other events of the same size, which only the ETag tells apart.
	extra := "segment-logs/src/1549065600000/extra.gz"
	line := func(ev string) []byte {
		return []byte(`{"event":"` + ev + `","type":"track","messageId":"m-1","receivedAt":"2019-02-02T10:00:00Z","properties":{"price":1.5}}` + "\n")
	}
	srv.Put(t, "logs-bucket", extra, line("Product Viewed"), "")
	stores := useFakeS3(t, srv, 0)
	c := &countingCache{Cache: scancache.New(t.TempDir(), 0)} // S3 only: the default
	remote := "read_json('s3://logs-bucket/segment-logs/**/*.gz')"
	check := func(what string, wantGets bool) {
		t.Helper()
		for _, q := range s3Queries {
			q = fmt.Sprintf(q, remote)
			// A scan through the cache reads every line in full, as one
			// keeping bad lines does: filters do not drop lines unread.
			want, plain := runRowsWith(t, q, engine.Options{Stores: stores, BadLines: io.Discard})
			srv.ResetStats()
			c.stores.Store(0)
			got, cached := runRowsWith(t, q, engine.Options{Stores: stores, Cache: c})
			if !maps.Equal(got, want) {
				t.Errorf("%s: %s: %d rows through the cache, %d without", what, q, len(got), len(want))
			}
			if !slices.Equal(cached.Summary(), plain.Summary()) {
				t.Errorf("%s: %s: notes\n%q through the cache\n%q without", what, q, cached.Summary(), plain.Summary())
			}
			if gets := srv.Stats().ObjectGets; !wantGets && (gets != 0 || c.stores.Load() != 0) {
				t.Errorf("%s: %s: %d GETs and %d copies stored with every copy warm", what, q, gets, c.stores.Load())
			}
		}
	}
	check("cold", true)
	check("warm", false)
	if st, err := c.Status(); err != nil || st.Entries != 7 || st.Schemas != 1 {
		t.Fatalf("status %+v, %v: want 7 entries and 1 schema", st, err)
	}
	srv.Put(t, "logs-bucket", extra, line("Product Listed"), "")
	check("after a same-size overwrite", true)
	// Overwrite one object with other events: a new ETag, so a miss, and
	// the answers follow the new content.
	keys := srv.Keys(t, "logs-bucket")
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == extra })
	other := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: other, Events: 500, Files: 1, Days: 1, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	var body []byte
	filepath.WalkDir(other, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".gz") {
			body, err = os.ReadFile(p)
		}
		return err
	})
	srv.Put(t, "logs-bucket", keys[len(keys)-1], body, "")
	check("after an overwrite", true)
}

// TestOpenVersionRefusesAnotherVersion checks the pin the cache relies on:
// the bytes of an S3 object read for a copy are those of the version its
// listing named, or none.
func TestOpenVersionRefusesAnotherVersion(t *testing.T) {
	srv := s3test.New(t)
	srv.CreateBucket(t, "b")
	srv.Put(t, "b", "x.json", []byte(`{"a":1}`+"\n"), "")
	stores := useFakeS3(t, srv, 0)
	files, err := stores.List(context.Background(), "s3://b/x.json")
	if err != nil || len(files) != 1 || files[0].ETag == "" {
		t.Fatalf("list: %v, %+v: want one file with an ETag", err, files)
	}
	srv.Put(t, "b", "x.json", []byte(`{"a":2}`+"\n"), "")
	rc, err := source.OpenVersion(context.Background(), files[0])
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, source.ErrObjectChanged) {
		t.Fatalf("open an overwritten version: %v, want ErrObjectChanged", err)
	}
}
