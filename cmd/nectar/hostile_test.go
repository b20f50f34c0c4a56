package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"time"
)

// TestHostileFiles feeds the real binary files built to hurt a reader:
// each is read in bounded memory, the good rows are kept, and what could
// not be read is counted or noted, never silently changed.
func TestHostileFiles(t *testing.T) {
	bin := buildNectar(t)
	nested := func(depth int) string {
		return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	}
	bomb := func() string {
		// 300 MB of spaces in one line, then 200 MB of empty lines: a
		// few hundred KB compressed.
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write([]byte("{\"id\":1}\n"))
		spaces, newlines := bytes.Repeat([]byte(" "), 1<<20), bytes.Repeat([]byte("\n"), 1<<20)
		for range 300 {
			zw.Write(spaces)
		}
		zw.Write([]byte("\n{\"id\":2}\n"))
		for range 200 {
			zw.Write(newlines)
		}
		zw.Write([]byte("{\"id\":3}\n"))
		zw.Close()
		return b.String()
	}
	const mib = 1 << 20
	for _, c := range []struct {
		name, file, content string
		query               string // default: countQuery
		want, stderr        string
		maxRSS              int64 // bytes; default 200 MiB
	}{
		{name: "100 MB line", file: "x.json",
			content: `{"id":1}` + "\n" + `{"id":2,"s":"` + strings.Repeat("x", 100*mib) + `"}` + "\n" + `{"id":3}` + "\n",
			want:    "n,ids,total\n2,2,4\n", stderr: "skipped 1 line over the line length limit in 1 file"},
		{name: "nesting 10000 deep is read, deeper is malformed", file: "x.json",
			content: `{"id":1,"a":` + nested(9999) + "}\n" + `{"id":2,"a":` + nested(10001) + "}\n" + `{"id":3}` + "\n",
			want:    "n,ids,total\n2,2,4\n", stderr: "skipped 1 malformed line in 1 file"},
		{name: "NUL bytes", file: "x.json",
			content: "{\"id\":1}\n{\"id\":2,\"s\":\"a\x00b\"}\n\x00\x00\n{\"id\":3}\n",
			want:    "n,ids,total\n2,2,4\n", stderr: "skipped 2 malformed lines in 1 file"},
		{name: "byte-order mark", file: "x.json", content: "\xef\xbb\xbf{\"id\":1}\n{\"id\":2}\n",
			want: "n,ids,total\n2,2,3\n"},
		{name: "CRLF line ends", file: "x.json", content: "{\"id\":1}\r\n{\"id\":2}\r\n",
			want: "n,ids,total\n2,2,3\n"},
		{name: "numbers past DOUBLE's range are infinite, as Jackson reads them", file: "x.json",
			content: "{\"x\":1e400}\n{\"x\":-1e400}\n{\"x\":2.5}\n",
			query:   "SELECT x FROM read_json('in') ORDER BY x", want: "x\n-Infinity\n2.5\nInfinity\n"},
		{name: "30-digit integers are DOUBLE, with a note", file: "x.json",
			content: "{\"id\":1}\n{\"id\":123456789012345678901234567890}\n{\"id\":2}\n",
			want:    "n,ids,total\n3,3,1.2345678901234568E29\n", stderr: "id: 1 integer beyond BIGINT's range read as DOUBLE"},
		// JSON leaves a repeated key open and Spark refuses to infer such
		// a file; nectar reads the last value, as parsers given a schema
		// do, and says so.
		{name: "repeated keys", file: "x.json", content: "{\"id\":1,\"id\":5}\n{\"id\":2}\n",
			want: "n,ids,total\n2,2,7\n", stderr: "read the last value of a key repeated within an object in 1 line in 1 file"},
		{name: "gzip bomb", file: "x.json.gz", content: bomb(),
			want: "n,ids,total\n3,3,6\n", stderr: "skipped 1 line over the line length limit in 1 file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"in/" + c.file: c.content})
			q := c.query
			if q == "" {
				q = countQuery
			}
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, "query", "--format", "csv", q)
			cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
			rss, err := runPeakRSS(cmd)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if stdout.String() != c.want {
				t.Errorf("stdout %q, want %q", stdout.String(), c.want)
			}
			if c.stderr == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr %q, want %q", stderr.String(), c.stderr)
			}
			limit := c.maxRSS
			if limit == 0 {
				limit = 200 * mib
			}
			t.Logf("peak RSS %d MiB", rss/mib)
			if rss > limit {
				t.Errorf("peak RSS %d MiB, want at most %d MiB", rss/mib, limit/mib)
			}
		})
	}
}

// runPeakRSS runs cmd and returns its peak resident memory, read from
// /proc while it runs (VmHWM). The rusage of the wait is no use here: a
// child started from this large test process counts the test's own peak
// (the kernel folds the pre-exec address space into it).
func runPeakRSS(cmd *exec.Cmd) (int64, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	for {
		select {
		case err := <-done:
			return peak, err
		case <-tick.C:
			data, err := os.ReadFile(status)
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(data), "\n") {
				if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					if n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64); err == nil {
						peak = max(peak, n*1024)
					}
				}
			}
		}
	}
}
