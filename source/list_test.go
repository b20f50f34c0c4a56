package source

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestListPatterns(t *testing.T) {
	line := []byte(`{"a":1}` + "\n")
	dir := writeTree(t, t.TempDir(), map[string][]byte{
		"top.gz":                     line,
		"top.json":                   line,
		"a/x.gz":                     line,
		"a/y.gz":                     line,
		"a/b/z.gz":                   line,
		"a/b/c/deep.gz":              line,
		"a/b/c/deep.json":            line,
		"a/_temporary/part.gz":       line,
		"a/.hidden/secret.gz":        line,
		"a/.dot.gz":                  line,
		"a/_SUCCESS":                 nil,
		"d1/f.gz":                    line,
		"d2/f.gz":                    line,
		"d3/f.gz":                    line,
		"dx/f.gz":                    line,
		"lit[/f.gz":                  nil, // only reachable through an escape
		"_staging/s.gz":              line,
		"matched.gz/inside.json":     line, // a directory matched by a glob
		"matched.gz/.skip/hidden.gz": line,
	})
	tests := []struct {
		name    string
		pattern string // relative to dir
		want    []string
		wantErr error
	}{
		{"single file", "top.gz", []string{"top.gz"}, nil},
		{"hidden file named directly", "a/.dot.gz", []string{"a/.dot.gz"}, nil},
		{"directory recursion skips hidden and underscore", "a", []string{"a/b/c/deep.gz", "a/b/c/deep.json", "a/b/z.gz", "a/x.gz", "a/y.gz"}, nil},
		{"directory with trailing slash", "a/b/", []string{"a/b/c/deep.gz", "a/b/c/deep.json", "a/b/z.gz"}, nil},
		{"star", "a/*.gz", []string{"a/x.gz", "a/y.gz"}, nil},
		{"question mark", "d?/f.gz", []string{"d1/f.gz", "d2/f.gz", "d3/f.gz", "dx/f.gz"}, nil},
		{"class", "d[12]/f.gz", []string{"d1/f.gz", "d2/f.gz"}, nil},
		{"range", "d[1-3]/*", []string{"d1/f.gz", "d2/f.gz", "d3/f.gz"}, nil},
		{"negated class", "d[^0-9]/f.gz", []string{"dx/f.gz"}, nil},
		{"double star at start", "**/deep.*", []string{"a/b/c/deep.gz", "a/b/c/deep.json"}, nil},
		{"double star matches zero dirs", "a/**/x.gz", []string{"a/x.gz"}, nil},
		{"double star in the middle", "a/**/*.gz", []string{"a/b/c/deep.gz", "a/b/z.gz", "a/x.gz", "a/y.gz"}, nil},
		{"repeated double star", "a/**/**/z.gz", []string{"a/b/z.gz"}, nil},
		{"glob names hidden dir explicitly", "a/_temporary/*.gz", []string{"a/_temporary/part.gz"}, nil},
		{"star skips hidden", "*/*.gz", []string{"a/x.gz", "a/y.gz", "d1/f.gz", "d2/f.gz", "d3/f.gz", "dx/f.gz", "lit[/f.gz"}, nil},
		{"glob matching a directory takes its files", "match*", []string{"matched.gz/inside.json"}, nil},
		{"escaped bracket", `lit\[/*`, []string{"lit[/f.gz"}, nil},
		{"missing file", "nope.gz", nil, ErrNoFiles},
		{"glob under missing dir", "nope/*.gz", nil, ErrNoFiles},
		{"glob matching nothing", "a/*.parquet", nil, ErrNoFiles},
		{"empty directory", "empty", nil, ErrNoFiles},
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.ToSlash(dir) + "/"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := List(context.Background(), root+tt.pattern)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("List(%q) error = %v, want %v", tt.pattern, err, tt.wantErr)
			}
			var got []string
			for _, f := range files {
				got = append(got, strings.TrimPrefix(f.Path, root))
				if f.ModTime.IsZero() {
					t.Errorf("%s: zero ModTime", f.Path)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("List(%q)\n got %q\nwant %q", tt.pattern, got, tt.want)
			}
		})
	}
}

func TestListKeepsPathAsWritten(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string][]byte{"logs/a.gz": []byte("{}\n")})
	t.Chdir(dir)
	tests := []struct{ pattern, want string }{
		{"logs/a.gz", "logs/a.gz"},
		{"./logs/a.gz", "./logs/a.gz"},
		{"logs", "logs/a.gz"},
		{"./logs/", "./logs/a.gz"},
		{"logs/*", "logs/a.gz"},
		{"*/a.gz", "logs/a.gz"},
		{"**", "logs/a.gz"},
	}
	for _, tt := range tests {
		files, err := List(context.Background(), tt.pattern)
		if err != nil {
			t.Fatalf("List(%q): %v", tt.pattern, err)
		}
		if len(files) != 1 || files[0].Path != tt.want || files[0].Size != 3 {
			t.Errorf("List(%q) = %+v, want one file %q of 3 bytes", tt.pattern, files, tt.want)
		}
	}
}

func TestListErrors(t *testing.T) {
	tests := []struct {
		pattern string
		want    error
	}{
		{"s3:///segment-logs/**/*.gz", ErrBadS3URL},
		{"S3A:///x", ErrBadS3URL},
		{"", ErrNoFiles},
	}
	for _, tt := range tests {
		_, err := List(context.Background(), tt.pattern)
		if !errors.Is(err, tt.want) {
			t.Errorf("List(%q) = %v, want %v", tt.pattern, err, tt.want)
		}
	}
	if _, err := List(context.Background(), t.TempDir()+"/[a-"); err == nil {
		t.Error("malformed class: want an error")
	}
}

// TestListSegmentLayout rebuilds the real bucket listing and checks that
// every object gets the day its folder names.
func TestListSegmentLayout(t *testing.T) {
	keys := realKeys(t)
	tree := map[string][]byte{"segment-logs/dummy-object.txt": []byte("dummy")}
	for _, k := range keys {
		tree[k] = []byte("{}\n")
	}
	dir := writeTree(t, t.TempDir(), tree)
	root := filepath.ToSlash(dir) + "/"

	files, err := List(context.Background(), root+"segment-logs/*/*/*.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(keys) {
		t.Fatalf("got %d files, want %d", len(files), len(keys))
	}
	days := map[time.Time]int{}
	for _, f := range files {
		days[f.ReceivedDay]++
	}
	want := map[time.Time]int{
		time.Date(2023, 11, 25, 0, 0, 0, 0, time.UTC): 59,
		time.Date(2023, 12, 3, 0, 0, 0, 0, time.UTC):  77,
	}
	for d, n := range want {
		if days[d] != n {
			t.Errorf("day %s: %d files, want %d (all days: %v)", d.Format(time.DateOnly), days[d], n, days)
		}
	}

	// One day folder, named through a glob over source ids.
	files, err = List(context.Background(), root+"segment-logs/*/1700870400000")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 59 {
		t.Errorf("day folder: %d files, want 59", len(files))
	}
	// The whole bucket as a directory includes the dummy object, which
	// Open then rejects.
	files, err = List(context.Background(), root+"segment-logs")
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by path, the dummy object comes first.
	if len(files) != len(keys)+1 || !strings.HasSuffix(files[0].Path, "/dummy-object.txt") || !files[0].ReceivedDay.IsZero() {
		t.Errorf("bucket: %d files (first %+v), want %d with the dummy first and no day", len(files), files[0], len(keys)+1)
	}
}

func realKeys(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("/work/shared/samples/segment/real-s3-listing.jsonl")
	if err != nil {
		t.Skipf("real listing not available: %v", err)
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var obj struct{ Key string }
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, obj.Key)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestDayFromPath(t *testing.T) {
	day := time.Date(2023, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		path string
		want time.Time
	}{
		{"segment-logs/r9QxNCpUszLY641VRaszNv/1700870400000/1700872298436.events-archiver-480-46..e5fb9071.gz", day},
		{"s3://bucket/segment-logs/src/1700870400000/f.gz", day},
		// Under the Segment layout the folder is trusted even off midnight.
		{"/data/segment-logs/src/1700872298436/f.gz", day},
		{"/data/copy/1700870400000/f.gz", day},
		{"/data/copy/1700872298436/f.gz", time.Time{}}, // not midnight, not the layout
		{"/data/1700870400000", time.Time{}},           // a file name is no folder
		{"/data/170087040000/f.gz", time.Time{}},       // 12 digits
		{"segment-logs/dummy-object.txt", time.Time{}},
		{"logs/a.gz", time.Time{}},
	}
	for _, tt := range tests {
		if got := DayFromPath(tt.path); !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("DayFromPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestListContextCancel(t *testing.T) {
	tree := map[string][]byte{}
	for i := range 50 {
		tree["d"+pad(i)+"/f.gz"] = []byte("{}\n")
	}
	dir := filepath.ToSlash(writeTree(t, t.TempDir(), tree))
	for _, pattern := range []string{dir, dir + "/**/*.gz"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := List(ctx, pattern); !errors.Is(err, context.Canceled) {
			t.Errorf("List(%q) after cancel = %v, want context.Canceled", pattern, err)
		}
	}
	// Cancel midway: the store sees a cancelled context after the first
	// file and the walk must stop there.
	ctx, cancel := context.WithCancel(context.Background())
	seen := 0
	st := countingStore{Local{}, func() {
		seen++
		if seen == 3 {
			cancel()
		}
	}}
	if _, err := ListStore(ctx, st, dir+"/**"); !errors.Is(err, context.Canceled) {
		t.Fatalf("ListStore after mid-walk cancel = %v, want context.Canceled", err)
	}
	if seen > 4 {
		t.Errorf("walk went on for %d files after cancel", seen-3)
	}
}

// countingStore calls onFile for each file its Walk reports.
type countingStore struct {
	Local
	onFile func()
}

func (c countingStore) Walk(ctx context.Context, dir string, descend func(string) bool, fn func(File) error) error {
	return c.Local.Walk(ctx, dir, descend, func(f File) error {
		c.onFile()
		return fn(f)
	})
}

func TestGlobPrunesWalk(t *testing.T) {
	dir := filepath.ToSlash(writeTree(t, t.TempDir(), map[string][]byte{
		"keep/1/a.gz":  []byte("{}\n"),
		"other/1/a.gz": []byte("{}\n"),
		"other/2/a.gz": []byte("{}\n"),
	}))
	var entered []string
	st := descendSpy{Local{}, &entered}
	if _, err := ListStore(context.Background(), st, dir+"/k*/1/*.gz"); err != nil {
		t.Fatal(err)
	}
	for _, d := range entered {
		if strings.Contains(d, "other") {
			t.Errorf("walk entered %s, which the pattern excludes", d)
		}
	}
	if len(entered) == 0 {
		t.Error("descend never consulted")
	}
}

type descendSpy struct {
	Local
	entered *[]string
}

func (s descendSpy) Walk(ctx context.Context, dir string, descend func(string) bool, fn func(File) error) error {
	return s.Local.Walk(ctx, dir, func(d string) bool {
		ok := descend(d)
		if ok {
			*s.entered = append(*s.entered, d)
		}
		return ok
	}, fn)
}
