package stream

import (
	"bytes"
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/sink/memory"
)

// TestSIGKILL runs the real nectar binary as a file-sink stream and a
// memory-sink stream, SIGKILLs both at random moments while new log files
// are being renamed into place, restarts them, and checks that the final
// outputs equal a batch query over all the files: nothing lost, nothing
// counted twice. The memory table is rebuilt from the checkpoint by a
// fresh process, as after any restart.
func TestSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the nectar binary and kills it repeatedly")
	}
	// NECTAR_SIGKILLS sets the rounds (two kills each); ./test.sh runs the
	// default, a soak runs dozens.
	kills := 6
	if n, err := strconv.Atoi(os.Getenv("NECTAR_SIGKILLS")); err == nil && n > 0 {
		kills = n
	}
	started := time.Now()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "nectar")
	build := exec.Command("go", "build", "-o", bin, "github.com/nectar-dev/nectar/cmd/nectar")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	built := time.Since(started)

	// Generated logs are published one by one by rename, as Segment's
	// uploader (or a careful copy) does.
	staging := filepath.Join(tmp, "staging")
	if _, err := gen.Generate(context.Background(), gen.Options{Out: staging, Events: int64(1000 * kills), Files: 3 * kills, Seed: 11, Days: 3, Duplicates: 0.02, Malformed: 0.01}); err != nil {
		t.Fatal(err)
	}
	var pending []string
	filepath.WalkDir(staging, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".gz") {
			rel, _ := filepath.Rel(staging, p)
			pending = append(pending, rel)
		}
		return nil
	})
	slices.Sort(pending)
	// One file arrives cut short: its whole lines count, in the stream as
	// in the batch query, whichever batch and restart meet it.
	cut := filepath.Join(staging, pending[len(pending)/2])
	if info, err := os.Stat(cut); err != nil || os.Truncate(cut, info.Size()*2/3) != nil {
		t.Fatalf("truncate %s: %v", cut, err)
	}
	watch := filepath.Join(tmp, "watch")
	var mu sync.Mutex
	publish := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(pending) == 0 {
			return false
		}
		rel := pending[0]
		pending = pending[1:]
		dst := filepath.Join(watch, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Error(err)
		}
		if err := os.Rename(filepath.Join(staging, rel), dst); err != nil {
			t.Error(err)
		}
		return true
	}
	publish()
	glob := filepath.Join(watch, "segment-logs", "**", "*.gz")
	appendQ := "FROM read_json('" + glob + "') |> WHERE event = 'Product Viewed' |> SELECT messageId, userId, timestamp"
	aggQ := "FROM read_json('" + glob + "') |> AGGREGATE count(*) AS c, count(DISTINCT userId) AS users, max(timestamp) AS last_ts GROUP BY event"
	out, ckFile, ckMem := filepath.Join(tmp, "out"), filepath.Join(tmp, "ck-file"), filepath.Join(tmp, "ck-mem")
	fileArgs := []string{"--settle", "0", "--max-files-per-batch", "2", "--checkpoint", ckFile, "--output", out, "--format", "jsonl", appendQ}
	memArgs := []string{"--settle", "0", "--max-files-per-batch", "2", "--checkpoint", ckMem, "--memory", "data_stream", aggQ}
	start := func(args ...string) (*exec.Cmd, *bytes.Buffer) {
		var stderr bytes.Buffer
		c := exec.Command(bin, append([]string{"stream"}, args...)...)
		c.Dir = tmp
		c.Stderr = &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return c, &stderr
	}

	rng := rand.New(rand.NewPCG(5, 8))
	for k := 0; k < kills; k++ {
		a, aErr := start(append([]string{"--trigger", "200ms"}, fileArgs...)...)
		b, bErr := start(append([]string{"--trigger", "200ms"}, memArgs...)...)
		stop := make(chan struct{})
		done := make(chan struct{})
		pub := rand.New(rand.NewPCG(uint64(k), 3)) // the loop's rng is not safe to share
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(40+pub.IntN(120)) * time.Millisecond):
					publish()
				}
			}
		}()
		time.Sleep(time.Duration(150+rng.IntN(900)) * time.Millisecond)
		for _, c := range []*exec.Cmd{a, b} {
			c.Process.Signal(syscall.SIGKILL)
		}
		close(stop)
		<-done
		for i, c := range []*exec.Cmd{a, b} {
			err := c.Wait()
			if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("kill %d: stream %d ended before the kill (%v):\n%s", k, i, err, []*bytes.Buffer{aErr, bErr}[i])
			}
		}
	}
	for publish() {
	}
	for _, args := range [][]string{fileArgs, memArgs} {
		c, stderr := start(append([]string{"--once"}, args...)...)
		if err := c.Wait(); err != nil {
			t.Fatalf("final --once run: %v\n%s", err, stderr)
		}
	}

	partial := 0
	for _, c := range commits(t, ckFile) {
		partial += len(c.Problems)
	}
	if partial != 1 {
		t.Errorf("file-sink stream recorded %d problem files, want the one cut short", partial)
	}
	if got, want := readParts(t, out), batchRun(t, appendQ); !slices.Equal(got, want) {
		t.Errorf("file sink: %d rows, batch query %d", len(got), len(want))
	}
	// A fresh process rebuilds the memory table from the checkpoint; with
	// no new files it runs no batch.
	m := memory.New("data_stream")
	o := opts(t, aggQ, m)
	o.Checkpoint, o.Settle, o.MaxFilesPerBatch = ckMem, 0, 2
	mustRun(t, o)
	if got, want := table(m), batchRun(t, aggQ); !slices.Equal(got, want) {
		t.Errorf("memory table\n%q\nbatch query\n%q", got, want)
	}
	t.Logf("%d rounds, %d SIGKILLs of 2 streams, %d + %d batches, build %s, total %s",
		kills, 2*kills, len(commits(t, ckFile)), len(commits(t, ckMem)), built.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
}
