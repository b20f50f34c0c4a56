package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// countQuery sums what survived: every case's good lines carry ids.
const countQuery = "SELECT count(*) AS n, count(id) AS ids, sum(id) AS total FROM read_json('in')"

// conflictFile has more int ids than inference samples, then a string id
// the inferred int column cannot hold.
func conflictFile() string {
	var b strings.Builder
	for i := 1; i <= scan.DefaultSampleLines; i++ {
		fmt.Fprintf(&b, "{\"id\":%d}\n", i)
	}
	b.WriteString(`{"id":"three"}` + "\n")
	return b.String()
}

// TestTypeDrift: a value that does not fit the kind the sample gave its
// column is not bad input. The column is widened as a schema of every line
// would have it (here to STRING, with a note on stderr), the answer is the
// one that schema gives, and --strict has nothing to stop on; arithmetic
// on a STRING that holds no number fails as Spark's ANSI cast does.
func TestTypeDrift(t *testing.T) {
	dir := inTempDir(t)
	writeFiles(t, dir, map[string]string{"in/x.json": conflictFile()})
	n := scan.DefaultSampleLines
	note := "id: 1 string in 1 file among integers; read as STRING\n"
	for _, flags := range [][]string{nil, {"--strict"}} {
		q := "SELECT count(*) AS n, count(id) AS ids, sum(try_cast(id AS BIGINT)) AS total FROM read_json('in')"
		got := nectar(t, append(append([]string{"query"}, flags...), "--format", "csv", q)...).mustSucceed(t)
		if want := fmt.Sprintf("n,ids,total\n%d,%d,%d\n", n+1, n+1, n*(n+1)/2); got.stdout != want {
			t.Errorf("%v: stdout %q, want %q", flags, got.stdout, want)
		}
		if got.stderr != note {
			t.Errorf("%v: stderr %q, want %q", flags, got.stderr, note)
		}
	}
	sum := nectar(t, "query", "SELECT sum(id) FROM read_json('in')")
	if sum.code != 1 || !strings.Contains(sum.stderr, "cannot cast STRING 'three' to DOUBLE") || sum.stdout != "" {
		t.Errorf("sum of a STRING holding 'three': exit %d, stdout %q, stderr %q", sum.code, sum.stdout, sum.stderr)
	}
}

func TestBadInput(t *testing.T) {
	long := `{"id":2,"name":"` + strings.Repeat("x", 200) + `"}`
	tests := []struct {
		name  string
		files map[string]string
		// Default run: stdout of countQuery as CSV, and the summary.
		wantOut, wantSummary string
		// --bad-lines: "file:line" of every record.
		wantBad []string
		// --strict: exit code and the message on stderr.
		wantStrictCode int
		wantStrict     string
	}{
		{
			name:           "malformed JSON",
			files:          map[string]string{"in/x.json": "{\"id\":1}\n{\"id\":2,\n{\"id\":3}\nnot json\n"},
			wantOut:        "n,ids,total\n2,2,4\n",
			wantSummary:    "skipped 2 malformed lines in 1 file; --bad-lines=FILE to keep them\n",
			wantBad:        []string{"in/x.json:2", "in/x.json:4"},
			wantStrictCode: 1,
			wantStrict:     "error: in/x.json:2: malformed JSON: unexpected end of line at byte 8\n",
		},
		{
			name: "malformed lines in two files",
			files: map[string]string{
				"in/a.json": "{\"id\":1}\n{oops}\n",
				"in/b.json": "{\"id\":2}\n[1,2]\n{\"id\":3}\n",
			},
			wantOut:        "n,ids,total\n3,3,6\n",
			wantSummary:    "skipped 2 malformed lines in 2 files; --bad-lines=FILE to keep them\n",
			wantBad:        []string{"in/a.json:2", "in/b.json:2"},
			wantStrictCode: 1,
			wantStrict:     "error: in/a.json:2: ",
		},
		{
			name:           "invalid UTF-8",
			files:          map[string]string{"in/x.json": "{\"id\":1}\n{\"id\":2,\"name\":\"\xff\xfe\"}\n{\"id\":3}\n"},
			wantOut:        "n,ids,total\n2,2,4\n",
			wantSummary:    "skipped 1 line with invalid UTF-8 in 1 file; --bad-lines=FILE to keep them\n",
			wantBad:        []string{"in/x.json:2"},
			wantStrictCode: 1,
			wantStrict:     "error: in/x.json:2: invalid UTF-8: invalid UTF-8 in string at byte 16\n",
		},
		{
			name:           "line over --max-line-bytes",
			files:          map[string]string{"in/x.json": "{\"id\":1}\n" + long + "\n{\"id\":3}\n"},
			wantOut:        "n,ids,total\n2,2,4\n",
			wantSummary:    "skipped 1 line over the line length limit in 1 file; --bad-lines=FILE to keep them\n",
			wantBad:        []string{"in/x.json:2"},
			wantStrictCode: 1,
			wantStrict:     "error: in/x.json:2: 218 bytes, limit 100: line too long\n",
		},
		{
			// A damaged first line is one bad line, not a reason to drop
			// the file's good ones (DuckDB reads them too).
			name:           "garbage first line",
			files:          map[string]string{"in/x.json": "garbage\n{\"id\":1}\n{\"id\":2}\n"},
			wantOut:        "n,ids,total\n2,2,3\n",
			wantSummary:    "skipped 1 malformed line in 1 file; --bad-lines=FILE to keep them\n",
			wantBad:        []string{"in/x.json:1"},
			wantStrictCode: 1,
			wantStrict:     "error: in/x.json:1: malformed JSON",
		},
		{
			// Segment puts a dummy-object.txt at the top of the bucket.
			name: "non-log files",
			files: map[string]string{
				"in/x.json":            "{\"id\":1}\n{\"id\":2}\n",
				"in/dummy-object.txt":  "segment test object\n",
				"in/empty.json":        "",
				"in/whitespace.json":   "\n\n  \n",
				"in/sub/more.json":     "{\"id\":3}\n",
				"in/sub/also-empty.gz": "",
			},
			wantOut:     "n,ids,total\n3,3,6\n",
			wantSummary: "skipped 4 non-log files\n",
			// Not lines: nothing to keep, and --strict reads past them.
			wantStrict: "skipped 4 non-log files\n",
		},
		{
			name:           "clean input",
			files:          map[string]string{"in/x.json": "{\"id\":1}\n{\"id\":2}\n"},
			wantOut:        "n,ids,total\n2,2,3\n",
			wantStrictCode: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := inTempDir(t)
			writeFiles(t, dir, tc.files)
			args := []string{"--format", "csv", "--max-line-bytes", "100", countQuery}
			query := func(flags ...string) outcome {
				return nectar(t, append(append([]string{"query"}, flags...), args...)...)
			}

			got := query().mustSucceed(t)
			if got.stdout != tc.wantOut {
				t.Errorf("stdout:\n%s\nwant:\n%s", got.stdout, tc.wantOut)
			}
			if got.stderr != tc.wantSummary {
				t.Errorf("stderr: %q\nwant: %q", got.stderr, tc.wantSummary)
			}

			kept := query("--bad-lines", "bad.jsonl").mustSucceed(t)
			if kept.stdout != tc.wantOut {
				t.Errorf("with --bad-lines, stdout:\n%s\nwant:\n%s", kept.stdout, tc.wantOut)
			}
			if want := strings.Replace(tc.wantSummary, "--bad-lines=FILE to keep them", "kept in bad.jsonl", 1); kept.stderr != want {
				t.Errorf("with --bad-lines, stderr: %q\nwant: %q", kept.stderr, want)
			}
			if got := readBadLines(t, "bad.jsonl"); strings.Join(got, " ") != strings.Join(tc.wantBad, " ") {
				t.Errorf("--bad-lines records at %q, want %q", got, tc.wantBad)
			}

			strict := query("--strict")
			if strict.code != tc.wantStrictCode {
				t.Errorf("--strict: exit code %d, want %d", strict.code, tc.wantStrictCode)
			}
			if !strings.HasPrefix(strict.stderr, tc.wantStrict) || tc.wantStrict == "" && strict.stderr != "" {
				t.Errorf("--strict: stderr %q, want it to start with %q", strict.stderr, tc.wantStrict)
			}
			if tc.wantStrictCode != 0 && strict.stdout != "" {
				t.Errorf("--strict failed but printed a result: %q", strict.stdout)
			}
		})
	}
}

// readBadLines returns "file:line" of each --bad-lines record, checking
// that every record is JSON with the reason and the line's text.
func readBadLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var r struct {
			File  string `json:"file"`
			Line  int64  `json:"line"`
			Error string `json:"error"`
			Text  string `json:"text"`
		}
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("--bad-lines output is not JSON lines: %v\n%s", err, data)
		}
		if r.Error == "" {
			t.Errorf("record for %s:%d has no error", r.File, r.Line)
		}
		out = append(out, fmt.Sprintf("%s:%d", r.File, r.Line))
	}
	return out
}

// TestTruncatedGzip cuts a generated file in the middle: the rows before the
// cut are read, the rest are lost, and the cut is reported.
func TestTruncatedGzip(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, gen.Options{Events: 2000, Files: 1, Days: 1})
	files, err := filepath.Glob(filepath.Join("logs", "segment-logs", "*", "*", "*.gz"))
	if err != nil || len(files) != 1 {
		t.Fatalf("generated files: %v, %v", files, err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files[0], data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	// Complete lines in the cut stream: what a careful reader can recover.
	zr, err := gzip.NewReader(bytes.NewReader(data[:len(data)/2]))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	_, _ = plain.ReadFrom(zr) // stops at the cut with io.ErrUnexpectedEOF
	complete := bytes.Count(plain.Bytes(), []byte("\n"))
	if complete == 0 || complete >= 2000 {
		t.Fatalf("the cut left %d complete lines; want some, not all", complete)
	}

	q := "SELECT count(*) AS n, max(_line) AS last FROM read_json('logs/segment-logs/**/*.gz')"
	got := nectar(t, "query", "--format", "json", "--bad-lines", "bad.jsonl", q).mustSucceed(t)
	var res struct{ N, Last int }
	if err := json.Unmarshal([]byte(got.stdout), &res); err != nil {
		t.Fatalf("stdout %q: %v", got.stdout, err)
	}
	// The decoder may stop short of the stdlib's last complete line, but the
	// rows read must be a gap-free prefix.
	if res.N == 0 || res.N > complete || res.Last != res.N {
		t.Errorf("read %d rows ending at line %d; want a prefix of the %d complete lines", res.N, res.Last, complete)
	}
	if want := "read 1 truncated file only up to where it was cut short; kept in bad.jsonl\n"; got.stderr != want {
		t.Errorf("stderr %q, want %q", got.stderr, want)
	}
	if bad := readBadLines(t, "bad.jsonl"); len(bad) != 1 || bad[0] != fmt.Sprintf("%s:%d", files[0], res.N+1) {
		t.Errorf("--bad-lines records %q, want the line after the last row read (%d)", bad, res.N+1)
	}

	strict := nectar(t, "query", "--strict", q)
	want := fmt.Sprintf("error: %s:%d: ", files[0], res.N+1)
	if strict.code != 1 || !strings.HasPrefix(strict.stderr, want) || !strings.Contains(strict.stderr, "truncated") {
		t.Errorf("--strict: exit %d, stderr %q; want 1 and %q…truncated", strict.code, strict.stderr, want)
	}
}

// TestBadLinesOnce reads one bad source in two statements: each bad line is
// reported and kept once.
func TestBadLinesOnce(t *testing.T) {
	dir := inTempDir(t)
	writeFiles(t, dir, map[string]string{"in/x.json": "{\"id\":1}\nnope\n{\"id\":3}\n"})
	script := "SELECT count(*) AS n FROM read_json('in'); SELECT sum(id) AS s FROM read_json('in')"
	got := nectar(t, "query", "--format", "csv", "--bad-lines", "bad.jsonl", script).mustSucceed(t)
	if want := "n\n2\ns\n4\n"; got.stdout != want {
		t.Errorf("stdout %q, want %q", got.stdout, want)
	}
	if want := "skipped 1 malformed line in 1 file; kept in bad.jsonl\n"; got.stderr != want {
		t.Errorf("stderr %q, want %q", got.stderr, want)
	}
	if bad := readBadLines(t, "bad.jsonl"); len(bad) != 1 {
		t.Errorf("--bad-lines records %q, want one", bad)
	}
}

func TestBadFlags(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"negative line limit", []string{"query", "--max-line-bytes", "-1", "SELECT 1"}, "error: --max-line-bytes must not be negative, got -1\n"},
		{"bad-lines in a missing directory", []string{"query", "--bad-lines", "no/such/dir/bad.jsonl", "SELECT 1"}, "error: --bad-lines: open no/such/dir/bad.jsonl: no such file or directory\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nectar(t, tc.args...)
			if got.code != 1 || got.stderr != tc.want || got.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, %q", got.code, got.stdout, got.stderr, tc.want)
			}
		})
	}
}

// TestDriftToFiles: a result written with -o streams to its file and is
// written again when the data proves the sampled schema wrong, so the file
// holds the answer the full schema gives, as stdout does; a script with
// several results needs {n} in the file name.
func TestDriftToFiles(t *testing.T) {
	dir := inTempDir(t)
	writeFiles(t, dir, map[string]string{"in/x.json": conflictFile()})
	q := "SELECT id FROM read_json('in') ORDER BY _line DESC LIMIT 2"
	stdout := nectar(t, "query", "--format", "csv", q).mustSucceed(t)
	if stdout.stdout != "id\nthree\n"+fmt.Sprint(scan.DefaultSampleLines)+"\n" {
		t.Errorf("stdout %q", stdout.stdout)
	}
	file := nectar(t, "query", "-o", "out.csv", q).mustSucceed(t)
	data, err := os.ReadFile("out.csv")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != stdout.stdout || file.stderr != stdout.stderr || !strings.Contains(file.stderr, "read as STRING") {
		t.Errorf("-o out.csv: %q (stderr %q), want %q (stderr %q)", data, file.stderr, stdout.stdout, stdout.stderr)
	}
	script := q + "; SELECT count(*) AS n FROM read_json('in')"
	two := nectar(t, "query", "-o", "both.csv", script)
	if two.code != 1 || !strings.Contains(two.stderr, "put {n} in the name") {
		t.Errorf("two results into one file: exit %d, stderr %q", two.code, two.stderr)
	}
	if _, err := os.Stat("both.csv"); !os.IsNotExist(err) {
		t.Errorf("both.csv exists after the refusal: %v", err)
	}
	nectar(t, "query", "-o", "r-{n}.csv", script).mustSucceed(t)
	for n, want := range map[int]string{1: stdout.stdout, 2: fmt.Sprintf("n\n%d\n", scan.DefaultSampleLines+1)} {
		got, err := os.ReadFile(fmt.Sprintf("r-%d.csv", n))
		if err != nil || string(got) != want {
			t.Errorf("r-%d.csv: %q, %v, want %q", n, got, err, want)
		}
	}
}

// TestUnreadableEntries: a symbolic link in a loop, or to nothing, under
// the glob is skipped and counted, and the rest is read.
func TestUnreadableEntries(t *testing.T) {
	dir := inTempDir(t)
	writeFiles(t, dir, map[string]string{"in/x.json": "{\"id\":1}\n{\"id\":2}\n"})
	for _, link := range []struct{ name, target string }{{"in/loop.json", "loop.json"}, {"in/gone.json", "nowhere.json"}} {
		if err := os.Symlink(link.target, filepath.Join(dir, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	got := nectar(t, "query", "--format", "csv", countQuery).mustSucceed(t)
	if got.stdout != "n,ids,total\n2,2,3\n" || !strings.Contains(got.stderr, "skipped 2 unreadable entries") {
		t.Errorf("stdout %q, stderr %q", got.stdout, got.stderr)
	}
}

// TestFileChangedWhileRead: a file rewritten while a batch query reads it
// fails the query, naming the file, rather than answering from part of it.
func TestFileChangedWhileRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.json")
	if err := os.WriteFile(p, []byte("{\"id\":1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := source.List(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	// The file shrinks after the listing, before the scan reads it.
	if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := scan.NewScanner(scan.Options{Files: files, Columns: []scan.Column{{Name: "id", Path: jsonpath.Path{{Key: "id"}}, Kind: types.Int}}})
	defer s.Close()
	var ferr *scan.FileError
	for {
		b, err := s.Next(t.Context())
		if err != nil {
			if !errors.As(err, &ferr) || !errors.Is(err, source.ErrChanged) || ferr.File != p {
				t.Fatalf("error %v, want a FileError for %s wrapping ErrChanged", err, p)
			}
			return
		}
		if b == nil || b.Len == 0 {
			t.Fatal("the scan of a file rewritten under it succeeded")
		}
	}
}
