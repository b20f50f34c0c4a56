package scancache_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/scancache"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// maxLine makes a line of junk too long to read.
const maxLine = 300

// damaged holds every kind of line a scan counts: good ones, values that
// do not fit their column, a path blocked by a string, a key read twice, a
// malformed line, invalid UTF-8, a line too long, JSON null, a nested
// value.
var damaged = strings.Join([]string{
	`{"event":"a","n":1,"p":{"x":1.5,"tags":["t1"]},"ts":"2019-02-01T10:00:00Z","o":{"k":[1,2],"m":{"z":true}}}`,
	`{"event":"b","n":"two","p":{"x":2},"o":{"k":[3]}}`,
	`{"event":"a","n":3,"p":"flat"}`,
	`{"event":"c","event":"d","n":4}`,
	`{"event":"a","n":5,`,
	"{\"event\":\"\xff\",\"n\":6}",
	`{"event":"a","n":7,"junk":"` + strings.Repeat("x", maxLine) + `"}`,
	`{"event":null,"n":null,"p":{"x":null}}`,
	`{"event":"e","n":9007199254740993123,"p":{"x":1e400,"tags":[]}}`,
	`{"n":10,"p":{"x":"s","tags":["t2","t3"]},"ts":"2019-02-01T11:00:00Z"}`,
}, "\n") + "\n"

func gz(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(text))
	w.Close()
	return b.Bytes()
}

// writeFiles writes the test files: gzip, plain, and a gzip file cut short.
func writeFiles(t *testing.T, dir string) {
	t.Helper()
	day := filepath.Join(dir, "segment-logs", "src", "1548979200000")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	full := gz(t, damaged)
	for name, data := range map[string][]byte{
		"1.gz":   full,
		"2.json": []byte(damaged + `{"event":"z","n":11}` + "\n"),
		"3.gz":   full[:len(full)*3/4],
	} {
		if err := os.WriteFile(filepath.Join(day, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func list(t *testing.T, dir string) []source.File {
	t.Helper()
	files, err := source.List(context.Background(), filepath.Join(dir, "segment-logs", "**", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func column(name string, k types.Kind, guess bool) scan.Column {
	switch name {
	case "_file":
		return scan.Column{Hidden: scan.FileColumn}
	case "_line":
		return scan.Column{Hidden: scan.LineColumn}
	case "_received_day":
		return scan.Column{Hidden: scan.ReceivedDayColumn}
	}
	p, err := jsonpath.Parse(name)
	if err != nil {
		panic(err)
	}
	return scan.Column{Name: name, Path: p, Kind: k, Guess: guess}
}

// result is everything a scan reports.
type result struct {
	Rows      []string
	Stats     scan.Stats
	Seen      []scan.Seen
	Truncated []string
	NewKeys   []string
}

func scanFiles(t *testing.T, files []source.File, cols []scan.Column, c scan.Cache, batchRows int) result {
	t.Helper()
	return scanWith(t, scan.Options{Files: files, Columns: cols, MaxLineBytes: maxLine, BatchRows: batchRows}, c)
}

func scanWith(t *testing.T, o scan.Options, c scan.Cache) result {
	t.Helper()
	if c != nil {
		o.Cache = c
	}
	sn := scan.NewScanner(o)
	defer sn.Close()
	var r result
	for {
		b, err := sn.Next(context.Background())
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		if b.Len == 0 {
			break
		}
		for i := range b.Len {
			r.Rows = append(r.Rows, fmt.Sprint(b.Row(nil, i)))
		}
	}
	r.Stats, r.Seen, r.Truncated = sn.Stats(), sn.Seen(), sn.Truncated()
	for _, k := range sn.NewKeys() {
		r.NewKeys = append(r.NewKeys, k.String())
	}
	slices.Sort(r.Truncated)
	return r
}

func newCache(t *testing.T, dir string) *scancache.Cache {
	c := scancache.New(dir, 0)
	c.Local = true
	return c
}

// columnSets are read in turn through one cache: supersets, subsets, a
// column of another kind, hidden columns, an Observe column.
var columnSets = [][]scan.Column{
	{column("event", types.String, true), column("n", types.Int, true), column("p.x", types.Float, true), column("p.tags", types.ArrayOf(types.String), true)},
	{column("n", types.Int, true)},
	{column("_file", 0, false), column("event", types.String, true), column("_line", 0, false), column("_received_day", 0, false)},
	{column("n", types.String, true), column("ts", types.Timestamp, false)},
	{column("p.x", types.Float, true), column("n", types.Int, true)},
	{observed("p.x")},
	{column("event", types.String, true)}, // the one path with a repeated key: served only alone
	{column("n", types.String, true)},
}

// TestSameAsRawRead reads column sets one after another through one
// cache, twice, at several batch sizes: every scan reports what a scan
// without the cache reports, rows, counts, what it saw of each column and
// the truncated files.
func TestSameAsRawRead(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir)
	files := list(t, dir)
	c := newCache(t, t.TempDir())
	for round := range 2 {
		for k, cols := range columnSets {
			for _, rows := range []int{0, 1, 3} {
				want := scanFiles(t, files, cols, nil, rows)
				got := scanFiles(t, files, cols, c, rows)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round %d, columns %d, batch rows %d: through the cache\n%+v\nwithout\n%+v", round, k, rows, got, want)
				}
			}
		}
	}
	if st, _ := c.Status(); st.Entries != 3 {
		t.Errorf("%d entries, want one per file (3)", st.Entries)
	}
}

// TestNewKeysSameAsRawRead: a scan that asks for the keys no column names
// (a read of every column the sample found) gets the ones a raw read
// finds, also after scans of other paths through the same cache.
func TestNewKeysSameAsRawRead(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir)
	files := list(t, dir)
	c := newCache(t, t.TempDir())
	empty := []jsonpath.Path{mustPath("q")}
	for round := range 2 {
		for k, cols := range columnSets {
			for _, watch := range []bool{false, true} {
				o := scan.Options{Files: files, Columns: cols, MaxLineBytes: maxLine, NewKeys: watch}
				if watch && k%2 == 0 {
					o.EmptyObjects = empty
				}
				want := scanWith(t, o, nil)
				got := scanWith(t, o, c)
				if watch && len(want.NewKeys) == 0 {
					t.Fatalf("columns %d: no new keys: the test shows nothing", k)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round %d, columns %d, new keys %v: through the cache\n%+v\nwithout\n%+v", round, k, watch, got, want)
				}
			}
		}
	}
}

func mustPath(s string) jsonpath.Path {
	p, err := jsonpath.Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// rewriteKeepingKey replaces a file's bytes with others of the same size
// and gives it back its modification time, so that its key is unchanged:
// a scan that then returns the old rows read the copy. The caller hides
// inodes and ctimes from the key first (hideIdentity).
func rewriteKeepingKey(t *testing.T, f source.File, data []byte) {
	t.Helper()
	if int64(len(data)) != f.Size {
		t.Fatalf("rewrite %s: %d bytes for %d", f.Path, len(data), f.Size)
	}
	if err := os.WriteFile(f.Path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(f.Path, f.ModTime, f.ModTime); err != nil {
		t.Fatal(err)
	}
}

// hideIdentity keeps inodes and ctimes out of the key for one test, as a
// file system without them would, so that rewriteKeepingKey's change is
// unseen (TestRewriteKeepingSizeAndMtimeIsMiss checks they are used).
func hideIdentity(t *testing.T) {
	t.Cleanup(scancache.SetFileIdentity(func(string) (uint64, int64) { return 1, 1 }))
}

func plainFile(t *testing.T, text string) []source.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.json")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := source.List(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestHitSubsetAndUnion checks which scans read the copy: the same
// columns and a subset do; a column the copy lacks reads the file, for
// the union, which later scans of any of those columns read.
func TestHitSubsetAndUnion(t *testing.T) {
	hideIdentity(t)
	files := plainFile(t, `{"a":1,"b":"x","c":7}`+"\n")
	c := newCache(t, t.TempDir())
	a, b, cc := column("a", types.Int, true), column("b", types.String, true), column("c", types.Int, true)
	scanFiles(t, files, []scan.Column{a, b}, c, 0)
	rewriteKeepingKey(t, files[0], []byte(`{"a":2,"b":"y","c":8}`+"\n"))
	for _, tc := range []struct {
		cols []scan.Column
		want string
	}{
		{[]scan.Column{a, b}, "[1 x]"},  // the copy
		{[]scan.Column{b}, "[x]"},       // a subset of the copy
		{[]scan.Column{a, cc}, "[2 8]"}, // c is not in it: the file, now changed
		{[]scan.Column{b}, "[y]"},       // the new copy holds a, b and c
		{[]scan.Column{cc}, "[8]"},
	} {
		got := scanFiles(t, files, tc.cols, c, 0)
		if len(got.Rows) != 1 || got.Rows[0] != tc.want {
			t.Errorf("columns %v: rows %v, want %s", tc.cols, got.Rows, tc.want)
		}
	}
}

// TestRewriteKeepingSizeAndMtimeIsMiss: a file rewritten with its size
// and modification time kept (rsync -t, cp -p) is read again: its ctime
// changed. And one file read by two relative paths is one entry.
func TestRewriteKeepingSizeAndMtimeIsMiss(t *testing.T) {
	if ino, _ := scancache.FileIdentity("/"); ino == 0 {
		t.Skip("no inode or ctime here")
	}
	files := plainFile(t, `{"a":1}`+"\n")
	c := newCache(t, t.TempDir())
	a := column("a", types.Int, true)
	scanFiles(t, files, []scan.Column{a}, c, 0)
	time.Sleep(10 * time.Millisecond) // a ctime tick on coarse clocks
	if err := os.WriteFile(files[0].Path, []byte(`{"a":2}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(files[0].Path, files[0].ModTime, files[0].ModTime); err != nil {
		t.Fatal(err)
	}
	if got := scanFiles(t, files, []scan.Column{a}, c, 0); len(got.Rows) != 1 || got.Rows[0] != "[2]" {
		t.Fatalf("rows %v after a rewrite keeping size and mtime, want [2] from the file", got.Rows)
	}

	// The same file by a relative path, from its directory: the same entry.
	dir, base := filepath.Split(files[0].Path)
	t.Chdir(dir)
	rel := files[0]
	rel.Path = base
	if c.EntryName(rel.Path) != c.EntryName(files[0].Path) {
		t.Fatalf("entries %s and %s for one file", c.EntryName(rel.Path), c.EntryName(files[0].Path))
	}
}

// TestChangedFileIsMiss: a file with another size or modification time is
// read again, and its stale copy is replaced.
func TestChangedFileIsMiss(t *testing.T) {
	files := plainFile(t, `{"a":1}`+"\n")
	dir := t.TempDir()
	c := newCache(t, dir)
	cols := []scan.Column{column("a", types.Int, true)}
	scanFiles(t, files, cols, c, 0)
	f := files[0]
	// Same size, a later modification time.
	if err := os.WriteFile(f.Path, []byte(`{"a":2}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := f.ModTime.Add(time.Second)
	os.Chtimes(f.Path, later, later)
	files = list1(t, f.Path)
	if got := scanFiles(t, files, cols, c, 0); !slices.Equal(got.Rows, []string{"[2]"}) {
		t.Errorf("after a rewrite: %v, want [2]", got.Rows)
	}
	// Longer, same modification time.
	if err := os.WriteFile(f.Path, []byte(`{"a":3}`+"\n"+`{"a":4}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(f.Path, later, later)
	files = list1(t, f.Path)
	if got := scanFiles(t, files, cols, c, 0); !slices.Equal(got.Rows, []string{"[3]", "[4]"}) {
		t.Errorf("after an append: %v, want [3] [4]", got.Rows)
	}
	// One entry, the new one: the old version's is gone.
	if st, _ := c.Status(); st.Entries != 1 {
		t.Errorf("%d entries, want 1", st.Entries)
	}
	if e := c.Load(context.Background(), f, maxLine, nil, true); e != nil {
		t.Error("the first version's copy is still served")
	}
}

func list1(t *testing.T, path string) []source.File {
	t.Helper()
	files, err := source.List(context.Background(), path)
	if err != nil || len(files) != 1 {
		t.Fatalf("list %s: %v, %v", path, files, err)
	}
	return files
}

// TestCorruptEntryIsMiss damages an entry in several ways: each scan
// answers from the file without an error, and leaves a good copy.
func TestCorruptEntryIsMiss(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir)
	files := list(t, dir)
	cdir := t.TempDir()
	c := newCache(t, cdir)
	cols := columnSets[0]
	want := scanFiles(t, files, cols, nil, 0)
	scanFiles(t, files, cols, c, 0)
	damages := map[string]func([]byte) []byte{
		"cut in the data":      func(b []byte) []byte { return b[:len(b)-10] },
		"cut in the header":    func(b []byte) []byte { return b[:30] },
		"empty":                func([]byte) []byte { return nil },
		"a byte of data":       func(b []byte) []byte { b[len(b)-5] ^= 0x55; return b },
		"a byte of the header": func(b []byte) []byte { b[20] ^= 0x01; return b },
		"another format":       func(b []byte) []byte { b[7] = '9'; return b },
	}
	for what, damage := range damages {
		entries, _ := filepath.Glob(filepath.Join(cdir, "scan", "*.col"))
		if len(entries) != len(files) {
			t.Fatalf("%s: %d entries, want %d", what, len(entries), len(files))
		}
		for _, e := range entries {
			data, err := os.ReadFile(e)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(e, damage(data), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if got := scanFiles(t, files, cols, c, 0); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: through the cache\n%+v\nwithout\n%+v", what, got, want)
		}
		for _, f := range files {
			if c.Load(context.Background(), f, maxLine, nil, true) == nil {
				t.Errorf("%s: no good copy of %s after the scan", what, f.Path)
			}
		}
	}
}

// TestEviction bounds the cache: past MaxSize the least recently used
// entries go, and a hit makes an entry recent.
func TestEviction(t *testing.T) {
	cdir := t.TempDir()
	c := newCache(t, cdir)
	cols := []scan.Column{column("a", types.String, true)}
	var files []source.File
	for i := range 4 {
		fs := plainFile(t, fmt.Sprintf(`{"a":"%s"}`+"\n", strings.Repeat(string(rune('p'+i)), 2000)))
		files = append(files, fs...)
	}
	scanFiles(t, files[:1], cols, c, 0)
	st, _ := c.Status()
	one := st.Bytes
	c.MaxSize = 3*one + one/2 // room for three
	for _, f := range files[1:3] {
		scanFiles(t, []source.File{f}, cols, c, 0)
	}
	entries := func() map[string]bool {
		out := map[string]bool{}
		for _, f := range files {
			_, err := os.Stat(c.EntryName(f.Path))
			out[f.Path] = err == nil
		}
		return out
	}
	// Ages as a hit on file 0 would leave them: 1 the oldest, then 2, 0.
	base := time.Now().Add(-time.Hour)
	setAge(t, c, files[1], base)
	setAge(t, c, files[2], base.Add(time.Minute))
	setAge(t, c, files[0], base.Add(time.Hour))
	scanFiles(t, files[3:], cols, c, 0) // a fourth: the oldest (file 1) goes
	got := entries()
	want := map[string]bool{files[0].Path: true, files[1].Path: false, files[2].Path: true, files[3].Path: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if st, _ := c.Status(); st.Bytes > c.MaxSize {
		t.Errorf("%d bytes kept, bound %d", st.Bytes, c.MaxSize)
	}
}

// setAge sets the access time eviction goes by for f's entry.
func setAge(t *testing.T, c *scancache.Cache, f source.File, at time.Time) {
	t.Helper()
	if err := os.Chtimes(c.EntryName(f.Path), at, at); err != nil {
		t.Fatal(err)
	}
}

// TestHitRefreshesAge: Load makes an entry the most recently used.
func TestHitRefreshesAge(t *testing.T) {
	c := newCache(t, t.TempDir())
	files := plainFile(t, `{"a":1}`+"\n")
	cols := []scan.Column{column("a", types.Int, true)}
	scanFiles(t, files, cols, c, 0)
	old := time.Now().Add(-24 * time.Hour)
	setAge(t, c, files[0], old)
	scanFiles(t, files, cols, c, 0)
	info, err := os.Stat(c.EntryName(files[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().After(old.Add(time.Hour)) {
		t.Errorf("entry still dated %s after a hit", info.ModTime())
	}
}

// TestConcurrentCaches runs scans of different column sets from several
// goroutines through two caches on one directory (as two processes
// would), with a tiny bound so that entries are evicted under readers,
// and clears it meanwhile: every scan answers as a scan without a cache.
func TestConcurrentCaches(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir)
	files := list(t, dir)
	cdir := t.TempDir()
	caches := []*scancache.Cache{newCache(t, cdir), newCache(t, cdir)}
	caches[1].MaxSize = 4 << 10 // about one entry: eviction all the time
	want := make([]result, len(columnSets))
	for k, cols := range columnSets {
		want[k] = scanFiles(t, files, cols, nil, 0)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 12 {
				k := (g + i) % len(columnSets)
				got := scanFiles(t, files, columnSets[k], caches[(g+i)%2], 0)
				if !reflect.DeepEqual(got, want[k]) {
					t.Errorf("goroutine %d, scan %d: through the cache\n%+v\nwithout\n%+v", g, i, got, want[k])
				}
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			if _, err := caches[0].Clear(); err != nil {
				t.Errorf("clear: %v", err)
			}
			time.Sleep(time.Millisecond)
		}
	})
	wg.Wait()
	tmps, _ := filepath.Glob(filepath.Join(cdir, "scan", "tmp-*"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// TestSchemaKeptByVersion: an inferred schema is kept while the sampled
// files are unchanged, and inferred again once one changes.
func TestSchemaKeptByVersion(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir)
	files := list(t, dir)
	c := newCache(t, t.TempDir())
	want, wantEmpty, err := scan.InferFiles(context.Background(), files, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, empty, err := scan.InferFilesCached(context.Background(), files, 0, c)
		if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(empty, wantEmpty) {
			t.Fatalf("through the cache: %v %v %v, want %v %v", got, empty, err, want, wantEmpty)
		}
	}
	if st, _ := c.Status(); st.Schemas != 1 {
		t.Fatalf("%d schemas kept, want 1", st.Schemas)
	}
	// A file that now has another column, with its old size and time:
	// the kept schema would be served, so a change must show in the key.
	f := files[1]
	text := `{"zz":1}` + "\n"
	text += strings.Repeat(" ", int(f.Size)-len(text)-1) + "\n"
	os.WriteFile(f.Path, []byte(text), 0o644)
	later := f.ModTime.Add(time.Second)
	os.Chtimes(f.Path, later, later)
	files = list(t, dir)
	got, _, err := scan.InferFilesCached(context.Background(), files, 0, c)
	if err != nil || !slices.ContainsFunc(got, func(c scan.InferredColumn) bool { return c.Name == "zz" }) {
		t.Errorf("after a change: %v, %v: want a zz column", got, err)
	}
}

// observed is a column the sample never saw: the scan works its kind out.
func observed(name string) scan.Column {
	c := column(name, types.String, true)
	c.Observe = true
	return c
}

// TestHelperWriter is TestCopiesFromAnotherProcess's other process.
func TestHelperWriter(t *testing.T) {
	data, cdir := os.Getenv("SCANCACHE_TEST_DATA"), os.Getenv("SCANCACHE_TEST_DIR")
	if data == "" {
		t.Skip("run by TestCopiesFromAnotherProcess")
	}
	// Nested kinds only this process has, first: its numbers for the kinds
	// the scans meet are not the other process's.
	types.MapOf(types.String, types.ArrayOf(types.Date))
	types.ArrayOf(types.ArrayOf(types.Bool))
	c := newCache(t, cdir)
	for _, cols := range processSets {
		scanFiles(t, list(t, data), cols, c, 0)
	}
}

// processSets include a column whose values are objects, so that what the
// scan saw of it is a STRUCT kind, numbered by the process that meets it.
// It comes last, so that the helpers' copies serve it exactly.
var processSets = append(slices.Clone(columnSets), []scan.Column{observed("o"), column("n", types.Int, true)})

// TestCopiesFromAnotherProcess: two other processes write copies into one
// directory at once; this one then reads them (with other numbers for
// nested kinds) and answers as without a cache, storing nothing.
func TestCopiesFromAnotherProcess(t *testing.T) {
	if os.Getenv("SCANCACHE_TEST_DATA") != "" {
		t.Skip("in the helper")
	}
	dir := t.TempDir()
	writeFiles(t, dir)
	cdir := t.TempDir()
	var cmds []*exec.Cmd
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SCANCACHE_TEST_DATA="+dir, "SCANCACHE_TEST_DIR="+cdir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("helper output:\n%s", out.String())
			}
		})
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper: %v", err)
		}
	}
	files := list(t, dir)
	c := newCache(t, cdir)
	infos := map[string]os.FileInfo{}
	for _, f := range files {
		info, err := os.Stat(c.EntryName(f.Path))
		if err != nil {
			t.Fatalf("no copy of %s: %v", f.Path, err)
		}
		infos[f.Path] = info
	}
	// The last set the helpers read: its copies serve it as they are.
	for _, cols := range processSets[len(processSets)-1:] {
		want := scanFiles(t, files, cols, nil, 0)
		if got := scanFiles(t, files, cols, c, 0); !reflect.DeepEqual(got, want) {
			t.Errorf("through the other process's copies\n%+v\nwithout\n%+v", got, want)
		}
	}
	for _, f := range files {
		info, err := os.Stat(c.EntryName(f.Path))
		if err != nil || !os.SameFile(info, infos[f.Path]) {
			t.Errorf("%s: the copy was written again: it did not serve", f.Path)
		}
	}
	// And every set, each against a read without the cache.
	for k, cols := range processSets {
		want := scanFiles(t, files, cols, nil, 0)
		if got := scanFiles(t, files, cols, c, 0); !reflect.DeepEqual(got, want) {
			t.Errorf("columns %d: through the cache\n%+v\nwithout\n%+v", k, got, want)
		}
	}
}

// TestModesThatReadTheFiles: strict mode and kept bad lines report each
// line, and a stream's files may still grow: their scans keep no copies
// and read none.
func TestModesThatReadTheFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir)
	files := list(t, dir)
	c := newCache(t, t.TempDir())
	cols := []scan.Column{column("n", types.Int, true)}
	for name, o := range map[string]scan.Options{
		"live":      {Live: true},
		"bad lines": {BadLines: io.Discard},
	} {
		o.Files, o.Columns, o.MaxLineBytes = files, cols, maxLine
		if got, want := scanWith(t, o, c), scanWith(t, o, nil); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: through the cache\n%+v\nwithout\n%+v", name, got, want)
		}
		if st, _ := c.Status(); st.Entries != 0 {
			t.Errorf("%s: %d copies kept", name, st.Entries)
		}
	}
	// Strict stops at the first bad line, which a copy would not report.
	sn := scan.NewScanner(scan.Options{Files: files, Columns: cols, MaxLineBytes: maxLine, Strict: true, Cache: c})
	defer sn.Close()
	var err error
	for err == nil {
		var b *types.Batch
		if b, err = sn.Next(context.Background()); err == nil && b.Len == 0 {
			break
		}
	}
	var ble *scan.BadLineError
	if !errors.As(err, &ble) {
		t.Errorf("strict scan through the cache: %v, want a *BadLineError", err)
	}
	if st, _ := c.Status(); st.Entries != 0 {
		t.Errorf("strict: %d copies kept", st.Entries)
	}
}
