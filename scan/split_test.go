package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// splitInput is one uncompressed file with every kind of line a range
// boundary could cut badly: a leading blank line, malformed JSON, invalid
// UTF-8, a type conflict, a line over the limit, CRLF endings, blank lines
// inside, and a last line without a newline.
func splitInput() []byte {
	lines := []string{
		``,
		`{"event":"A","n":1}`,
		`{"event":"B","n":2}` + "\r",
		`{"event":"C",`,
		`{"event":"D","n":"four"}`,
		`  `,
		`{"event":"E","n":5,"pad":"` + strings.Repeat("x", 90) + `"}`,
		`{"event":"F` + "\xff" + `","n":6}`,
		`{"event":"G","n":7}` + "\r",
		`not json`,
		``,
		`{"event":"H","n":8}`,
		`{"event":"I","n":9}`,
	}
	return []byte(strings.Join(lines, "\n") + "\n" + `{"event":"J","n":10}`)
}

// splitResult is everything a scan produces that splitting must not change.
type splitResult struct {
	rows  [][]types.Value
	bad   string
	stats Stats
	err   error
}

func runSplitScan(t *testing.T, files []source.File, opts Options) splitResult {
	t.Helper()
	var bad bytes.Buffer
	opts.Files = files
	opts.Columns = []Column{
		col("event", "event", types.String),
		col("n", "n", types.Int),
		{Hidden: LineColumn},
		{Hidden: FileColumn},
	}
	opts.BadLines = &bad
	opts.MaxLineBytes = 100
	s := NewScanner(opts)
	defer s.Close()
	var res splitResult
	for {
		b, err := s.Next(context.Background())
		if err != nil {
			res.err = err
			break
		}
		if b.Len == 0 {
			break
		}
		for i := range b.Len {
			res.rows = append(res.rows, b.Row(nil, i))
		}
	}
	res.bad = bad.String()
	res.stats = s.Stats()
	res.stats.Rows = 0 // rows handed out differ under strict failures only by timing
	return res
}

func TestSplitMatchesWholeFile(t *testing.T) {
	dir := t.TempDir()
	data := splitInput()
	// A gzip file before and a second plain file after check that line
	// numbers restart with each file and that files stay in order.
	files := []source.File{
		writeGz(t, dir, "0.gz", []string{`{"event":"Z","n":0}`, `oops`}),
		writeFile(t, dir, "1.json", data),
		writeFile(t, dir, "2.json", append([]byte("\xef\xbb\xbf"), data...)),
	}
	whole := runSplitScan(t, files, Options{Workers: 2, SplitBytes: -1})
	if whole.err != nil {
		t.Fatal(whole.err)
	}
	if len(whole.rows) != 2*7+1 || whole.stats.MalformedFiles != 3 || whole.stats.TooLongFiles != 2 {
		t.Fatalf("whole-file read: %d rows, stats %+v", len(whole.rows), whole.stats)
	}
	for size := int64(1); size <= int64(len(data))+1; size++ {
		for _, workers := range []int{2, 3} {
			got := runSplitScan(t, files, Options{Workers: workers, SplitBytes: size, SplitMinBytes: 1, BatchRows: 2})
			if got.err != nil {
				t.Fatalf("size %d: %v", size, got.err)
			}
			if !reflect.DeepEqual(got.rows, whole.rows) {
				t.Fatalf("size %d, %d workers: rows\n%v\nwant\n%v", size, workers, got.rows, whole.rows)
			}
			if got.bad != whole.bad {
				t.Fatalf("size %d, %d workers: bad lines\n%s\nwant\n%s", size, workers, got.bad, whole.bad)
			}
			if got.stats != whole.stats {
				t.Fatalf("size %d, %d workers: stats %+v, want %+v", size, workers, got.stats, whole.stats)
			}
		}
	}
}

func TestSplitStrictReportsAbsoluteLine(t *testing.T) {
	dir := t.TempDir()
	data := splitInput()
	files := []source.File{writeFile(t, dir, "1.json", data)}
	whole := runSplitScan(t, files, Options{Workers: 2, SplitBytes: -1, Strict: true})
	var want *BadLineError
	if !errors.As(whole.err, &want) || want.Line != 4 {
		t.Fatalf("whole-file strict error %v, want line 4", whole.err)
	}
	for size := int64(1); size <= int64(len(data)); size++ {
		got := runSplitScan(t, files, Options{Workers: 3, SplitBytes: size, SplitMinBytes: 1, Strict: true})
		var ble *BadLineError
		if !errors.As(got.err, &ble) || ble.File != want.File || ble.Line != want.Line || ble.Error() != want.Error() || !errors.Is(got.err, ErrMalformed) {
			t.Fatalf("size %d: strict error %v, want %v", size, got.err, want)
		}
		if !reflect.DeepEqual(got.rows, whole.rows) {
			t.Fatalf("size %d: rows before the error %v, want %v", size, got.rows, whole.rows)
		}
	}
	// A type conflict deep in the file: its number needs every range
	// before it.
	tail := []byte(strings.Repeat(`{"event":"ok","n":1}`+"\n", 50) + `{"event":"x","n":"bad"}` + "\n")
	files = []source.File{writeFile(t, dir, "2.json", tail)}
	got := runSplitScan(t, files, Options{Workers: 2, SplitBytes: 64, SplitMinBytes: 1, Strict: true})
	var ble *BadLineError
	if !errors.As(got.err, &ble) || ble.Line != 51 || !errors.Is(got.err, ErrTypeConflict) {
		t.Fatalf("strict conflict error %v, want line 51", got.err)
	}
}

// TestSplitRanges checks the ranges themselves at every target position:
// contiguous, each ending just after a newline, the first after a byte
// order mark, and the last open-ended.
func TestSplitRanges(t *testing.T) {
	dir := t.TempDir()
	data := splitInput()
	for _, bom := range []bool{false, true} {
		in := data
		var start int64
		if bom {
			in = append([]byte("\xef\xbb\xbf"), data...)
			start = 3
		}
		f := writeFile(t, dir, fmt.Sprintf("bom%v.json", bom), in)
		for size := int64(1); start+size < int64(len(in)); size++ {
			rs, err := source.Split(context.Background(), f, size, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) < 2 {
				// Only when no line starts after the first range.
				if i := bytes.IndexByte(in[start+size-1:len(in)-1], '\n'); i >= 0 {
					t.Fatalf("size %d: not split: %v", size, rs)
				}
				continue
			}
			if rs[0].Start != start || rs[len(rs)-1].End != -1 {
				t.Fatalf("size %d: ranges %v", size, rs)
			}
			// The first cut is the first line start at or after the target:
			// exactly there when a line begins at start+size.
			target := start + size
			first := rs[0].End
			if first < target || in[first-1] != '\n' || bytes.IndexByte(in[target-1:first-1], '\n') >= 0 {
				t.Fatalf("size %d: first range %v, target %d", size, rs[0], target)
			}
			for k := 1; k < len(rs); k++ {
				if rs[k].Start != rs[k-1].End || in[rs[k].Start-1] != '\n' || rs[k-1].End-rs[k-1].Start < size {
					t.Fatalf("size %d: ranges %v", size, rs)
				}
			}
		}
	}
}

func TestSplitOnlyLargePlainLocalLogs(t *testing.T) {
	dir := t.TempDir()
	lines := strings.Repeat(`{"event":"A","n":1}`+"\n", 100)
	cases := []struct {
		name    string
		f       source.File
		minSize int64
		split   bool
	}{
		{"plain", writeFile(t, dir, "a.json", []byte(lines)), 1, true},
		{"below minimum", writeFile(t, dir, "b.json", []byte(lines)), int64(len(lines)) + 1, false},
		{"gzip", writeGz(t, dir, "c.gz", strings.Split(lines, "\n")), 1, false},
		{"not a log", writeFile(t, dir, "d.txt", []byte("["+lines)), 1, false},
		{"whitespace then log", writeFile(t, dir, "e.json", []byte("\n \n"+lines)), 1, true},
		{"missing", source.File{Path: dir + "/missing.json"}, 1, false},
		{"s3", source.File{Path: "s3://bucket/key.json", Size: 1 << 30}, 1, false},
	}
	for _, tc := range cases {
		rs, err := source.Split(context.Background(), tc.f, 100, tc.minSize)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if (len(rs) > 0) != tc.split {
			t.Errorf("%s: ranges %v, want split %v", tc.name, rs, tc.split)
		}
	}
}

// TestSplitDefaultsLeaveSmallFilesWhole checks that files under
// DefaultSplitMinBytes go to one worker, as every test above relies on
// the knob instead.
func TestSplitDefaultsLeaveSmallFilesWhole(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "a.json", []byte(strings.Repeat(`{"event":"A","n":1}`+"\n", 1000)))
	s := NewScanner(Options{Files: []source.File{f}, Workers: 2})
	ps, err := s.parts(context.Background(), 0)
	if err != nil || len(ps) != 1 || ps[0].split {
		t.Fatalf("parts %v, %v; want the whole file", ps, err)
	}
	s = NewScanner(Options{Files: []source.File{f}, Workers: 2, SplitBytes: 4096, SplitMinBytes: 1})
	if ps, _ = s.parts(context.Background(), 0); len(ps) != 5 {
		t.Fatalf("%d parts of 4 KiB over 20000 bytes, want 5", len(ps))
	}
	s = NewScanner(Options{Files: []source.File{f}, Workers: 1, SplitBytes: 4096, SplitMinBytes: 1})
	if ps, _ = s.parts(context.Background(), 0); len(ps) != 1 {
		t.Fatalf("one worker: %d parts, want 1", len(ps))
	}
}
