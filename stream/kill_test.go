package stream

import (
	"bytes"
	"context"
	"fmt"
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
	streams := [][]string{fileArgs, memArgs}
	// With a PostgreSQL server (scripts/postgres-test.sh), a third stream
	// writes to a table: killed between its transaction and the
	// checkpoint's commit, it must not write a batch twice.
	pgURL, pgQ, ckPG := os.Getenv("NECTAR_POSTGRES"), "FROM read_json('"+glob+"') |> WHERE event = 'Product Viewed' |> SELECT messageId", filepath.Join(tmp, "ck-pg")
	var pgTab string
	if pgURL != "" {
		pgTab = pgTable(t)
		streams = append(streams, []string{"--settle", "0", "--max-files-per-batch", "2", "--checkpoint", ckPG, "--postgres", pgURL, "--table", pgTab, pgQ})
	}
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
	refused := 0
	// race starts a second process on each checkpoint a few milliseconds
	// after the first, as a careless cron job would: exactly one of the
	// two runs, the other is refused with the checkpoint's lock (and a
	// killed owner's successor is never refused: the lock dies with it).
	type running struct {
		cmd    *exec.Cmd
		stderr *bytes.Buffer
		ended  chan struct{} // closed once Wait returned
	}
	race := func(args []string) running {
		var rs [2]running
		for i := range rs {
			if i == 1 {
				time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
			}
			c, e := start(append([]string{"--trigger", "200ms"}, args...)...)
			rs[i] = running{c, e, make(chan struct{})}
		}
		lost := make(chan int, 2)
		for i, r := range rs {
			go func() {
				r.cmd.Wait()
				close(r.ended)
				lost <- i
			}()
		}
		select {
		case i := <-lost:
			l := rs[i]
			if l.cmd.ProcessState.ExitCode() != 1 || !strings.Contains(l.stderr.String(), "checkpoint in use by another stream") || !strings.Contains(l.stderr.String(), "pid ") {
				t.Fatalf("the second stream on one checkpoint: exit %d, stderr %q", l.cmd.ProcessState.ExitCode(), l.stderr)
			}
			refused++
			return rs[1-i]
		case <-time.After(20 * time.Second):
			t.Fatal("two streams on one checkpoint both ran")
		}
		return running{}
	}
	for k := 0; k < kills; k++ {
		var rs []running
		for _, args := range streams {
			rs = append(rs, race(args))
		}
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
		for _, r := range rs {
			r.cmd.Process.Signal(syscall.SIGKILL)
		}
		close(stop)
		<-done
		for i, r := range rs {
			<-r.ended
			if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("kill %d: stream %d ended before the kill (%v):\n%s", k, i, r.cmd.ProcessState, r.stderr)
			}
		}
	}
	for publish() {
	}
	for _, args := range streams {
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
	if pgURL != "" {
		if got, want := pgRows(t, pgURL, "SELECT \"messageId\" FROM "+pgTab), batchRun(t, pgQ); !slices.Equal(got, want) {
			t.Errorf("PostgreSQL sink: %d rows, batch query %d", len(got), len(want))
		}
	}
	// The kills left unfinished writes behind; the restarts removed them.
	for _, d := range []string{out, ckFile, ckMem} {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("an unfinished write was left: %s", p)
			}
			return nil
		})
	}
	if refused != len(streams)*kills {
		t.Errorf("%d second streams refused, want %d", refused, len(streams)*kills)
	}
	batches := fmt.Sprintf("%d + %d", len(commits(t, ckFile)), len(commits(t, ckMem)))
	if pgURL != "" {
		batches += fmt.Sprintf(" + %d (PostgreSQL)", len(commits(t, ckPG)))
	}
	t.Logf("%d rounds, %d SIGKILLs of %d streams, %d rivals refused by the lock, %s batches, build %s, total %s",
		kills, len(streams)*kills, len(streams), refused, batches, built.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
}
