package scan

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// writeGz writes lines as one gzip NDJSON file and returns it as a source.File.
func writeGz(t testing.TB, dir, name string, lines []string) source.File {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, l := range lines {
		zw.Write([]byte(l))
		zw.Write([]byte("\n"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, buf.Bytes())
}

func writeFile(t testing.TB, dir, name string, data []byte) source.File {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return source.File{Path: p, Size: int64(len(data))}
}

// drain runs a scan to the end and returns every row.
func drain(t testing.TB, s *Scanner) [][]types.Value {
	t.Helper()
	defer s.Close()
	var rows [][]types.Value
	for {
		b, err := s.Next(context.Background())
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if b == nil || b.Len == 0 {
			return rows
		}
		if b.Len > types.BatchSize {
			t.Fatalf("batch of %d rows", b.Len)
		}
		for i := range b.Len {
			rows = append(rows, b.Row(nil, i))
		}
	}
}

func col(name, path string, k types.Kind) Column {
	p, err := jsonpath.Parse(path)
	if err != nil {
		panic(err)
	}
	return Column{Name: name, Path: p, Kind: k}
}

func TestScannerBasic(t *testing.T) {
	dir := t.TempDir()
	f1 := writeGz(t, dir, "1.gz", []string{
		`{"event":"A","n":1,"ctx":{"page":{"url":"u1"}},"ts":"2023-11-25T00:30:05.233Z"}`,
		`{"event":"B","n":2.5}`,
	})
	f1.ReceivedDay = time.Date(2023, 11, 25, 0, 0, 0, 0, time.UTC)
	f2 := writeGz(t, dir, "2.gz", []string{`{"event":"C","ctx":{"page":{"url":"u3"}},"ts":"2023-11-26T00:00:00Z"}`})
	cols := []Column{
		col("event", "event", types.String),
		col("n", "n", types.Float),
		col("url", "ctx.page.url", types.String),
		col("ts", "ts", types.Timestamp),
		HiddenColumn(FileColumn),
		{Hidden: ReceivedDayColumn},                             // name filled in
		{Name: "_line", Kind: types.String, Hidden: LineColumn}, // kind corrected
	}
	s := NewScanner(Options{Files: []source.File{f1, f2}, Columns: cols})
	if got := s.Schema().String(); got != "event STRING, n DOUBLE, url STRING, ts TIMESTAMP, _file STRING, _received_day DATE, _line BIGINT" {
		t.Fatalf("schema %s", got)
	}
	rows := drain(t, s)
	ts := func(s string) types.Value { tm, _ := types.ParseTimestamp(s); return types.TimestampValue(tm) }
	want := [][]types.Value{
		{types.StringValue("A"), types.FloatValue(1), types.StringValue("u1"), ts("2023-11-25T00:30:05.233Z"), types.StringValue(f1.Path), types.DateValue(19686), types.IntValue(1)},
		{types.StringValue("B"), types.FloatValue(2.5), types.NullValue, types.NullValue, types.StringValue(f1.Path), types.DateValue(19686), types.IntValue(2)},
		{types.StringValue("C"), types.NullValue, types.StringValue("u3"), ts("2023-11-26T00:00:00Z"), types.StringValue(f2.Path), types.NullValue, types.IntValue(1)},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		for j := range want[i] {
			if !types.Equal(rows[i][j], want[i][j]) {
				t.Errorf("row %d col %s: got %v, want %v", i, cols[j].Name, rows[i][j], want[i][j])
			}
		}
	}
	st := s.Stats()
	if st.Rows != 3 || st.FilesDone != 2 || st.FilesTotal != 2 || st.BytesDone != st.BytesTotal || st.Summary() != "" {
		t.Errorf("stats %+v summary %q", st, st.Summary())
	}
}

// Output order must be file order then line order for any worker count, and
// batches must coalesce small files and pass big ones through.
func TestScannerOrderAndBatching(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{3, 2500, 0, 1, 1024, 7, 2048, 5}
	for i := range 24 { // small files a worker runs ahead through
		sizes = append(sizes, 1+i%3*1100)
	}
	var files []source.File
	total := 0
	for fi, n := range sizes {
		lines := make([]string, n)
		for i := range lines {
			lines[i] = fmt.Sprintf(`{"f":%d,"i":%d,"s":"row %d of %d"}`, fi, i, i, fi)
		}
		if n == 0 {
			files = append(files, writeFile(t, dir, fmt.Sprintf("%02d.gz", fi), nil)) // empty: not a log
			continue
		}
		files = append(files, writeGz(t, dir, fmt.Sprintf("%02d.gz", fi), lines))
		total += n
	}
	cols := []Column{col("f", "f", types.Int), col("i", "i", types.Int), col("s", "s", types.String), {Name: "_line", Kind: types.Int, Hidden: LineColumn}}
	for _, tc := range []struct{ workers, ahead int }{{1, fileBuffer}, {2, fileBuffer}, {5, fileBuffer}, {2, 1}, {5, 1}} {
		t.Run(fmt.Sprintf("workers=%d,ahead=%d", tc.workers, tc.ahead), func(t *testing.T) {
			old := aheadPerWorker
			aheadPerWorker = tc.ahead
			t.Cleanup(func() { aheadPerWorker = old })
			s := NewScanner(Options{Files: files, Columns: cols, Workers: tc.workers})
			rows := drain(t, s)
			if len(rows) != total {
				t.Fatalf("got %d rows, want %d", len(rows), total)
			}
			k := 0
			for fi, n := range sizes {
				for i := range n {
					r := rows[k]
					if r[0].I != int64(fi) || r[1].I != int64(i) || r[3].I != int64(i+1) || r[2].S != fmt.Sprintf("row %d of %d", i, fi) {
						t.Fatalf("row %d = %v, want file %d line %d", k, r, fi, i)
					}
					k++
				}
			}
			if st := s.Stats(); st.NotLogFiles != 1 || st.Rows != int64(total) || st.FilesDone != int64(len(files)) {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestScannerBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeGz(t, dir, "a.gz", []string{
		`{"n":1}`,
		`{"n":`,                    // line 2 malformed
		"{\"n\":2,\"s\":\"\xff\"}", // line 3 invalid UTF-8
		`{"n":"three"}`,            // line 4 conflict: kept with NULL
		`{"n":4,"pad":"` + strings.Repeat("x", 200) + `"}`, // line 5 too long
		`{"n":5}`,
	})
	dummy := writeFile(t, dir, "dummy-object.txt", []byte("hello"))
	// A gzip stream cut in half: the lines before the cut are kept.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := range 2000 {
		fmt.Fprintf(zw, "{\"n\":%d,\"pad\":\"%d\"}\n", 100+i, i*7919)
	}
	zw.Close()
	cut := writeFile(t, dir, "cut.gz", buf.Bytes()[:buf.Len()/2])
	files := []source.File{good, dummy, cut}
	cols := []Column{col("n", "n", types.Int), {Name: "_line", Kind: types.Int, Hidden: LineColumn}}

	t.Run("lenient", func(t *testing.T) {
		var bad bytes.Buffer
		s := NewScanner(Options{Files: files, Columns: cols, MaxLineBytes: 100, BadLines: &bad})
		rows := drain(t, s)
		var lines []int64
		for _, r := range rows[:4] {
			lines = append(lines, r[1].I)
		}
		if fmt.Sprint(lines) != "[1 4 6 1]" || !rows[1][0].IsNull() {
			t.Fatalf("first rows %v", rows[:4])
		}
		if len(rows) < 10 || len(rows) >= 2003 {
			t.Fatalf("%d rows: the cut file should give some but not all", len(rows))
		}
		st := s.Stats()
		if st.MalformedLines != 1 || st.InvalidUTF8Lines != 1 || st.TooLongLines != 1 || st.Conflicts != 1 ||
			st.TruncatedFiles != 1 || st.NotLogFiles != 1 || st.MalformedFiles != 1 {
			t.Fatalf("stats %+v", st)
		}
		sum := st.Summary()
		for _, part := range []string{"1 malformed line in 1 file", "invalid UTF-8", "line length", "1 truncated file", "1 non-log file", "--bad-lines=FILE"} {
			if !strings.Contains(sum, part) {
				t.Errorf("summary %q lacks %q", sum, part)
			}
		}
		// BadLines: one valid JSON object per skipped line, in scan order.
		var recs []badRecord
		sc := bufio.NewScanner(&bad)
		for sc.Scan() {
			var r badRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("bad-lines record %q: %v", sc.Text(), err)
			}
			recs = append(recs, r)
		}
		if got := s.Truncated(); len(got) != 1 || got[0] != cut.Path {
			t.Errorf("Truncated() = %q, want the cut file", got)
		}
		// The value that does not fit its declared kind is kept as a
		// record too, though its row stays (with a NULL there).
		if len(recs) != 5 {
			t.Fatalf("got %d bad-line records, want 5: %+v", len(recs), recs)
		}
		if recs[0].File != good.Path || recs[0].Line != 2 || recs[0].Text != `{"n":` || recs[0].Error == "" {
			t.Errorf("record 0 = %+v", recs[0])
		}
		if recs[1].Line != 3 || recs[2].Line != 4 || recs[3].Line != 5 || recs[4].File != cut.Path {
			t.Errorf("records %+v", recs)
		}
		if !strings.Contains(recs[2].Error, "column n") || recs[2].Text != `{"n":"three"}` {
			t.Errorf("conflict record %+v", recs[2])
		}
		if n := s.Seen()[0]; n.Misfits != 1 || n.MisfitFiles != 1 || n.MisfitText() != "1 string" {
			t.Errorf("Seen()[0] = %+v", n)
		}
	})

	t.Run("strict", func(t *testing.T) {
		for _, tc := range []struct {
			files  []source.File
			line   int64
			reason error
		}{
			{[]source.File{good}, 2, ErrMalformed},
			{[]source.File{writeGz(t, dir, "u.gz", []string{`{"n":1}`, "{\"s\":\"\xc3\"}"})}, 2, ErrInvalidUTF8},
			{[]source.File{writeGz(t, dir, "c.gz", []string{`{"n":1}`, `{"n":1}`, `{"n":true}`})}, 3, ErrTypeConflict},
			{[]source.File{cut}, -1, source.ErrTruncated},
		} {
			s := NewScanner(Options{Files: append([]source.File{dummy}, tc.files...), Columns: cols, Strict: true, MaxLineBytes: 100})
			err := scanErr(s)
			var ble *BadLineError
			if !errors.As(err, &ble) || !errors.Is(err, tc.reason) || ble.File != tc.files[0].Path || (tc.line > 0 && ble.Line != tc.line) {
				t.Errorf("got %v, want a BadLineError at %s:%d for %v", err, tc.files[0].Path, tc.line, tc.reason)
			}
			if _, err2 := s.Next(context.Background()); err2 == nil {
				t.Error("Next after a failure should keep failing")
			}
		}
	})
}

// scanErr reads s to the end and returns the error that stopped it (nil
// when none did), then closes it.
func scanErr(s *Scanner) error {
	defer s.Close()
	for {
		b, err := s.Next(context.Background())
		if err != nil || b.Len == 0 {
			return err
		}
	}
}

// A file that fails as a whole names itself in a *FileError, so that a
// stream can retry or skip just that file.
func TestScannerFileErrors(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := range 2000 {
		fmt.Fprintf(zw, "{\"n\":%d,\"pad\":\"%d\"}\n", i, i*7919)
	}
	zw.Close()
	corrupt := buf.Bytes()
	for i := len(corrupt) / 3; i < len(corrupt)/3+40; i++ {
		corrupt[i] ^= 0x5a
	}
	good := writeGz(t, dir, "good.gz", []string{`{"n":1}`})
	for _, f := range []source.File{
		{Path: filepath.Join(dir, "missing.gz")},
		writeFile(t, dir, "corrupt.gz", corrupt),
	} {
		s := NewScanner(Options{Files: []source.File{good, f}, Columns: []Column{col("n", "n", types.Int)}})
		err := scanErr(s)
		var fe *FileError
		if !errors.As(err, &fe) || fe.File != f.Path || errors.Is(err, source.ErrNotLog) {
			t.Errorf("%s: got %v, want a *FileError naming it", f.Path, err)
		}
	}
}

func TestScannerCancelAndClose(t *testing.T) {
	dir := t.TempDir()
	lines := make([]string, 5000)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"i":%d}`, i)
	}
	var files []source.File
	for i := range 6 {
		files = append(files, writeGz(t, dir, fmt.Sprintf("%d.gz", i), lines))
	}
	cols := []Column{col("i", "i", types.Int)}

	// Close without Next, and twice.
	s := NewScanner(Options{Files: files, Columns: cols})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Close mid-scan returns promptly with workers blocked on full channels.
	s = NewScanner(Options{Files: files, Columns: cols, Workers: 3})
	if b, err := s.Next(context.Background()); err != nil || b.Len != types.BatchSize {
		t.Fatalf("Next: %v", err)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung")
	}

	// A cancelled context stops the scan with its error.
	ctx, cancel := context.WithCancel(context.Background())
	s = NewScanner(Options{Files: files, Columns: cols})
	defer s.Close()
	if _, err := s.Next(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	var err error
	for range 100 {
		var b *types.Batch
		if b, err = s.Next(ctx); err != nil || b.Len == 0 {
			break
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestInferFiles(t *testing.T) {
	dir := t.TempDir()
	var files []source.File
	for i := range 40 {
		line := `{"a":1}`
		switch i {
		case 0:
			line = `{"a":1,"first":true}`
		case 39:
			line = `{"a":1.5,"last":"x"}`
		case 22:
			line = `{"a":1,"middle":1}` // not among the 16 sampled files
		}
		files = append(files, writeGz(t, dir, fmt.Sprintf("%02d.gz", i), []string{line, `{"bad`}))
	}
	files = append(files[:1], append([]source.File{writeFile(t, dir, "dummy-object.txt", []byte("x"))}, files[1:]...)...)
	got, _, err := InferFiles(context.Background(), files, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "a DOUBLE, first BOOLEAN, last STRING"
	var names []string
	for _, c := range got {
		names = append(names, c.Name+" "+c.Kind.String())
	}
	if strings.Join(names, ", ") != want {
		t.Fatalf("got %v, want %s", names, want)
	}
	if idx := sampleFiles(100, 16); idx[0] != 0 || idx[15] != 99 || len(idx) != 16 {
		t.Fatalf("sampleFiles = %v", idx)
	}
}

func TestScanRealSamples(t *testing.T) {
	lines := readSample(t)
	strs := make([]string, len(lines))
	for i, l := range lines {
		strs[i] = string(l)
	}
	dir := t.TempDir()
	f := writeGz(t, dir, "real.gz", strs)
	schema, _, err := InferFiles(context.Background(), []source.File{f}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cols []Column
	for _, c := range schema {
		cols = append(cols, c.Column())
	}
	cols = append(cols, col("ts", "timestamp", types.Timestamp))
	s := NewScanner(Options{Files: []source.File{f}, Columns: cols, Strict: true})
	rows := drain(t, s)
	if len(rows) != 719 {
		t.Fatalf("got %d rows, want 719", len(rows))
	}
	sch := s.Schema()
	if v := rows[0][sch.Index("context.page.path")]; v.S != "/data-test" {
		t.Errorf("context.page.path = %v", v)
	}
	if v := rows[0][sch.Index("_metadata.bundled")]; v.String() != `[Segment.io]` {
		t.Errorf("_metadata.bundled = %v", v)
	}
	if v := rows[0][sch.Index("ts")]; v.String() != "2023-11-25T00:30:05.728Z" {
		t.Errorf("ts = %v", v)
	}
}

func TestScannerNoFiles(t *testing.T) {
	s := NewScanner(Options{Columns: []Column{col("a", "a", types.Int)}})
	if rows := drain(t, s); len(rows) != 0 {
		t.Fatalf("got %d rows", len(rows))
	}
}

// TestScannerBatchRows checks that BatchRows caps every batch, that small
// files are still coalesced up to the cap, and that no row is lost or
// reordered at a boundary.
func TestScannerBatchRows(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{1, 4, 2, 7}
	var files []source.File
	total := 0
	for fi, n := range sizes {
		lines := make([]string, n)
		for i := range lines {
			lines[i] = fmt.Sprintf(`{"k":%d}`, total+i)
		}
		files = append(files, writeGz(t, dir, fmt.Sprintf("%02d.gz", fi), lines))
		total += n
	}
	cols := []Column{col("k", "k", types.Int)}
	for _, tc := range []struct{ rows, workers, wantMax int }{
		{1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {5, 1, 5}, {0, 2, 14}, {1 << 20, 2, 14},
	} {
		t.Run(fmt.Sprintf("rows=%d/workers=%d", tc.rows, tc.workers), func(t *testing.T) {
			s := NewScanner(Options{Files: files, Columns: cols, Workers: tc.workers, BatchRows: tc.rows})
			defer s.Close()
			next := int64(0)
			biggest := 0
			for {
				b, err := s.Next(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if b == nil || b.Len == 0 {
					break
				}
				limit := tc.rows
				if limit <= 0 || limit > types.BatchSize {
					limit = types.BatchSize
				}
				if b.Len > limit {
					t.Fatalf("batch of %d rows, cap %d", b.Len, limit)
				}
				biggest = max(biggest, b.Len)
				for i := range b.Len {
					if got := b.Cols[0].I[i]; got != next {
						t.Fatalf("row %d: k=%d", next, got)
					}
					next++
				}
			}
			if next != int64(total) {
				t.Fatalf("got %d rows, want %d", next, total)
			}
			if biggest != tc.wantMax {
				t.Fatalf("largest batch %d rows, want %d (batches should fill up to the cap)", biggest, tc.wantMax)
			}
		})
	}
}
