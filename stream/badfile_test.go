package stream

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/sink/memory"
)

// gzipLines compresses lines as one NDJSON gzip stream.
func gzipLines(t *testing.T, lines []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// manyEvents renders n events named name, so a compressed file is long
// enough to cut or corrupt in the middle.
func manyEvents(name string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = event(name, i, "2019-02-03T10:00:00Z")
	}
	return out
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// badFileOpts is a --once stream over dir/*.gz with fast retries, one file
// per batch so that each batch's decision stands alone.
func badFileOpts(t *testing.T, dir string, sink Sink) (Options, string) {
	q := "SELECT event, count(*) AS c, sum(n) AS s FROM read_json('" + filepath.Join(dir, "*.gz") + "') GROUP BY event"
	o := opts(t, q, sink)
	o.MaxFilesPerBatch = 1
	o.ReadRetries = 2
	o.RetryBackoff = time.Millisecond
	return o, q
}

func problemsOf(t *testing.T, ck string) []problem {
	var out []problem
	for _, c := range commits(t, ck) {
		out = append(out, c.Problems...)
	}
	return out
}

func TestVanishedFileIsRetriedThenSkipped(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.gz"), filepath.Join(dir, "b.gz"), filepath.Join(dir, "c.gz")
	bData := gzipLines(t, manyEvents("Product Viewed", 50))
	writeFile(t, a, gzipLines(t, manyEvents("Order Completed", 10)))
	writeFile(t, b, bData)
	writeFile(t, c, gzipLines(t, manyEvents("Product Clicked", 20)))
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, p := range []string{a, b, c} {
		os.Chtimes(p, old.Add(time.Duration(i)*time.Second), old.Add(time.Duration(i)*time.Second))
	}
	bInfo, _ := os.Stat(b)

	sink := memory.New("t")
	o, q := badFileOpts(t, dir, sink)
	retries := 0
	o.beforeRetry = func(string, int) { retries++ }
	o.failAt = func(s Step, batch int64) error {
		if s == StepOffsets && batch == 1 { // b was listed and recorded, then vanished
			os.Remove(b)
		}
		return nil
	}
	mustRun(t, o)

	probs := problemsOf(t, o.Checkpoint)
	if len(probs) != 1 || probs[0].Path != b || probs[0].Outcome != outcomeSkipped || probs[0].Attempts != 3 || retries != 2 {
		t.Fatalf("problems %+v after %d retries, want b skipped after 3 attempts and 2 retries", probs, retries)
	}
	if !strings.Contains(probs[0].Reason, "no such file") {
		t.Errorf("reason %q does not say the file is gone", probs[0].Reason)
	}
	if got, want := table(sink), batchRun(t, q); !slices.Equal(got, want) {
		t.Errorf("stream %q, batch over the files left %q", got, want)
	}
	st, err := ReadStatus(context.Background(), o.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if st.SkippedFiles != 1 || st.PartialFiles != 0 || len(st.Problems) != 1 || st.Problems[0].Batch != 1 {
		t.Errorf("status: skipped %d partial %d problems %+v", st.SkippedFiles, st.PartialFiles, st.Problems)
	}

	// The same file coming back unchanged stays skipped: it was decided.
	writeFile(t, b, bData)
	os.Chtimes(b, bInfo.ModTime(), bInfo.ModTime())
	o.failAt, o.Sink = nil, memory.New("t")
	mustRun(t, o)
	if n := len(commits(t, o.Checkpoint)); n != 3 {
		t.Fatalf("an unchanged skipped file was taken again: %d batches", n)
	}
	// Changed, it is new data.
	writeFile(t, b, gzipLines(t, manyEvents("Product Viewed", 51)))
	sink = memory.New("t")
	o.Sink = sink
	mustRun(t, o)
	if got, want := table(sink), batchRun(t, q); !slices.Equal(got, want) {
		t.Errorf("after b changed: stream %q, batch %q", got, want)
	}
}

func TestFileBackBeforeRetriesRunOut(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.gz"), filepath.Join(dir, "b.gz")
	aData := gzipLines(t, manyEvents("Order Completed", 10))
	writeFile(t, a, aData)
	writeFile(t, b, gzipLines(t, manyEvents("Product Viewed", 50)))
	sink := memory.New("t")
	o, q := badFileOpts(t, dir, sink)
	o.MaxFilesPerBatch = 2
	o.failAt = func(s Step, batch int64) error {
		if s == StepOffsets {
			os.Rename(a, a+".away")
		}
		return nil
	}
	o.beforeRetry = func(path string, n int) {
		if n == 2 {
			os.Rename(a+".away", a)
		}
	}
	mustRun(t, o)
	if probs := problemsOf(t, o.Checkpoint); len(probs) != 0 {
		t.Errorf("problems %+v, want none: the file came back", probs)
	}
	// Both files count once, though the first attempts had read b.
	if got, want := table(sink), batchRun(t, q); !slices.Equal(got, want) {
		t.Errorf("stream %q, batch %q", got, want)
	}
}

func TestTruncatedGzipKeepsWholeLines(t *testing.T) {
	dir := t.TempDir()
	whole := gzipLines(t, manyEvents("Product Viewed", 400))
	writeFile(t, filepath.Join(dir, "a.gz"), gzipLines(t, manyEvents("Order Completed", 10)))
	writeFile(t, filepath.Join(dir, "b.gz"), whole[:len(whole)*2/3])
	sink := memory.New("t")
	o, q := badFileOpts(t, dir, sink)
	mustRun(t, o)
	probs := problemsOf(t, o.Checkpoint)
	if len(probs) != 1 || probs[0].Outcome != outcomePartial || filepath.Base(probs[0].Path) != "b.gz" {
		t.Fatalf("problems %+v, want b.gz read partially", probs)
	}
	got, want := table(sink), batchRun(t, q)
	if !slices.Equal(got, want) {
		t.Errorf("stream %q, batch %q", got, want)
	}
	if !slices.ContainsFunc(got, func(r string) bool { return strings.HasPrefix(r, "Product Viewed|") }) {
		t.Errorf("no rows of the truncated file were kept: %q", got)
	}
	if st, _ := ReadStatus(context.Background(), o.Checkpoint); st.PartialFiles != 1 {
		t.Errorf("status partial files %d, want 1", st.PartialFiles)
	}
}

func TestTruncatedWhileChangingIsReadAgain(t *testing.T) {
	dir := t.TempDir()
	b := filepath.Join(dir, "b.gz")
	whole := gzipLines(t, manyEvents("Product Viewed", 400))
	writeFile(t, b, whole[:len(whole)/2])
	sink := memory.New("t")
	o, _ := badFileOpts(t, dir, sink)
	o.failAt = func(s Step, batch int64) error {
		if s == StepOffsets { // a writer touches the file after it was listed
			later := time.Now().Add(time.Minute)
			os.Chtimes(b, later, later)
		}
		return nil
	}
	o.beforeRetry = func(string, int) { writeFile(t, b, whole) }
	mustRun(t, o)
	if probs := problemsOf(t, o.Checkpoint); len(probs) != 0 {
		t.Errorf("problems %+v, want none: the finished file was read", probs)
	}
	if got := table(sink); !slices.Equal(got, []string{"Product Viewed|400|79800"}) {
		t.Errorf("stream %q, want all 400 rows of the finished file", got)
	}
}

func TestCorruptGzipIsSkipped(t *testing.T) {
	dir := t.TempDir()
	bad := gzipLines(t, manyEvents("Product Viewed", 400))
	for i := len(bad) / 3; i < len(bad)/3+40; i++ {
		bad[i] ^= 0x5a
	}
	writeFile(t, filepath.Join(dir, "a.gz"), gzipLines(t, manyEvents("Order Completed", 10)))
	writeFile(t, filepath.Join(dir, "b.gz"), bad)
	writeFile(t, filepath.Join(dir, "c.gz"), gzipLines(t, manyEvents("Product Clicked", 20)))
	sink := memory.New("t")
	o, _ := badFileOpts(t, dir, sink)
	mustRun(t, o)
	probs := problemsOf(t, o.Checkpoint)
	if len(probs) != 1 || probs[0].Outcome != outcomeSkipped || filepath.Base(probs[0].Path) != "b.gz" {
		t.Fatalf("problems %+v, want b.gz skipped", probs)
	}
	// Nothing of the corrupt file, though its first part decoded before
	// the damage: the retries start again from the committed state.
	if got, want := table(sink), []string{"Order Completed|10|45", "Product Clicked|20|190"}; !slices.Equal(got, want) {
		t.Errorf("stream %q, want %q", got, want)
	}
}

// A crash after the skip was recorded, with the file back when the stream
// restarts: the replay follows the recorded decision, so the sink gets the
// batch it would have had.
func TestReplayFollowsRecordedSkip(t *testing.T) {
	for _, step := range []Step{StepProcessed, StepSinkWritten, StepStateSaved} {
		t.Run(string(step), func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.gz"), filepath.Join(dir, "b.gz")
			bData := gzipLines(t, manyEvents("Product Viewed", 50))
			writeFile(t, a, gzipLines(t, manyEvents("Order Completed", 10)))
			writeFile(t, b, bData)
			o, _ := badFileOpts(t, dir, nil)
			o.MaxFilesPerBatch = 2
			crashed := false
			_, _ = untilDone(t, o, func() Sink { return memory.New("t") }, func(s Step, batch int64) bool {
				switch {
				case s == StepOffsets && !crashed:
					os.Rename(b, b+".away")
				case s == step && !crashed:
					crashed = true
					os.Rename(b+".away", b) // back, unchanged
					return true
				}
				return false
			})
			sink := memory.New("t")
			o.Sink = sink
			mustRun(t, o) // a fresh process: the table is rebuilt from the checkpoint
			if got, want := table(sink), []string{"Order Completed|10|45"}; !slices.Equal(got, want) {
				t.Errorf("table %q, want %q (b skipped as recorded)", got, want)
			}
		})
	}
}
