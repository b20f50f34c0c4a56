package main

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
	"github.com/nectar-dev/nectar/source/s3test"
)

// TestServeSIGKILL kills `nectar serve` with SIGKILL at random moments
// while its hosted streams (a memory table and a file sink) are taking
// log files as they arrive, starts it again each time, and checks at the
// end that the memory table and the files written equal a batch query
// over every file: nothing lost, nothing counted twice, whatever the kill
// interrupted (a batch, a sink's write, a checkpoint commit, the
// supervisor's restart). The logs are local files arriving by rename, and
// then objects arriving in an S3 bucket whose server throttles a quarter
// of the requests and cuts a quarter of the bodies while the kills go on.
// NECTAR_SIGKILLS sets the rounds of each.
func TestServeSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the nectar binary and kills it repeatedly")
	}
	kills := 4
	if n, err := strconv.Atoi(os.Getenv("NECTAR_SIGKILLS")); err == nil && n > 0 {
		kills = n
	}
	bin := buildNectar(t)
	t.Run("local", func(t *testing.T) { serveKills(t, bin, kills, nil) })
	t.Run("s3 under faults", func(t *testing.T) { serveKills(t, bin, kills, s3test.New(t)) })
}

// serveKills is TestServeSIGKILL's rounds over local files, or over the
// S3 server s3 when not nil.
func serveKills(t *testing.T, bin string, kills int, s3 *s3test.Server) {
	started := time.Now()
	dir := t.TempDir()
	staging := filepath.Join(t.TempDir(), "staging")
	if _, err := gen.Generate(context.Background(), gen.Options{Out: staging, Events: int64(1500 * kills), Files: 4 * kills, Seed: 21, Days: 3, Duplicates: 0.02, Malformed: 0.01}); err != nil {
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
	// One file arrives cut short: its whole lines count, in the streams as
	// in the batch query.
	cut := filepath.Join(staging, pending[len(pending)/2])
	if info, err := os.Stat(cut); err != nil || os.Truncate(cut, info.Size()*2/3) != nil {
		t.Fatalf("truncate %s: %v", cut, err)
	}
	root, yamlS3 := "./watch", ""
	if s3 != nil {
		s3.Env(t)
		s3.CreateBucket(t, "logs")
		root, yamlS3 = "s3://logs", "s3: {endpoint: "+s3.URL+", path_style: true, max_backoff: 200ms}\n"
	}
	var mu sync.Mutex // publish runs in the publisher and at the end
	publish := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(pending) == 0 {
			return false
		}
		rel := pending[0]
		pending = pending[1:]
		if s3 != nil {
			body, err := os.ReadFile(filepath.Join(staging, rel))
			if err != nil {
				t.Error(err)
			}
			s3.Put(t, "logs", filepath.ToSlash(rel), body, "")
			return true
		}
		dst := filepath.Join(dir, "watch", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Error(err)
		}
		if err := os.Rename(filepath.Join(staging, rel), dst); err != nil {
			t.Error(err)
		}
		return true
	}
	publish()

	src := "read_json('" + root + "/segment-logs/**/*.gz')"
	counts := "SELECT event, count(*) AS c, count(DISTINCT userId) AS users, max(timestamp) AS last_ts FROM " + src + " GROUP BY event"
	views := "SELECT messageId, userId, timestamp FROM " + src + " WHERE event = 'Product Viewed'"
	yaml := yamlS3 + "streams:\n" +
		"  counts:\n    query: \"" + counts + "\"\n    trigger: 100ms\n    settle: 0\n    max_files_per_batch: 2\n    checkpoint: ./ck/counts\n    sink: memory\n" +
		"  views:\n    query: \"" + views + "\"\n    trigger: 100ms\n    settle: 0\n    max_files_per_batch: 2\n    checkpoint: ./ck/views\n    sink: {file: ./out, format: jsonl}\n"
	if err := os.WriteFile(filepath.Join(dir, "nectar.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := func(sql string) string {
		var out, stderr bytes.Buffer
		c := exec.Command(bin, "query", "--format", "csv", sql)
		c.Dir, c.Stdout, c.Stderr = dir, &out, &stderr
		if err := c.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", sql, err, stderr.String())
		}
		return out.String()
	}

	rng := rand.New(rand.NewPCG(7, 9))
	for k := range kills {
		if s3 != nil {
			s3.SetFaults(s3test.Faults{SlowDown: 0.25, Cut: 0.25, Seed: uint64(k)})
		}
		s := startServeProc(t, bin, dir)
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			pub := rand.New(rand.NewPCG(uint64(k), 4))
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(40+pub.IntN(160)) * time.Millisecond):
					publish()
				}
			}
		}()
		time.Sleep(time.Duration(200+rng.IntN(1200)) * time.Millisecond)
		s.cmd.Process.Signal(syscall.SIGKILL)
		close(stop)
		<-done
		<-s.exited
		if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: serve ended before the kill (%v):\n%s", k, s.cmd.ProcessState, s.stderr.String())
		}
		if log := s.stderr.String(); strings.Contains(log, "panic") {
			t.Fatalf("round %d: %s", k, log)
		}
	}
	for publish() {
	}
	if s3 != nil {
		faults := s3.Stats()
		if faults.SlowDowns == 0 || faults.Cuts == 0 {
			t.Errorf("the S3 server injected no faults: %+v", faults)
		}
		s3.SetFaults(s3test.Faults{}) // the batch queries that check the streams read without them
		t.Logf("S3 faults during the kills: %d throttled, %d bodies cut, of %d requests", faults.SlowDowns, faults.Cuts, faults.Requests)
	}

	// A last server catches up with every file; its memory table and the
	// files the other stream wrote then equal the batch queries.
	s := startServeProc(t, bin, dir)
	wantCounts := cli(counts + " ORDER BY event")
	wantViews := cli(views + " ORDER BY messageId")
	deadline := time.Now().Add(60 * time.Second)
	var gotCounts, gotViews string
	for {
		gotCounts = s.query("SELECT * FROM counts ORDER BY event")
		st := s.status("views")
		if gotCounts == wantCounts && st.FilesPending == 0 && !st.Uncommitted && st.Batches > 0 {
			gotViews = cli("SELECT messageId, userId, timestamp FROM read_json('./out/*.jsonl') ORDER BY messageId")
			if gotViews == wantViews {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d kills the streams did not catch up:\ncounts\n%s\nwant\n%s\nviews: %d rows, want %d\nlog:\n%s", kills, gotCounts, wantCounts,
				strings.Count(gotViews, "\n"), strings.Count(wantViews, "\n"), s.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cs, vs := s.status("counts"), s.status("views")
	if cs.PartialFiles+vs.PartialFiles == 0 {
		t.Errorf("neither stream recorded the file cut short (counts %d, views %d)", cs.PartialFiles, vs.PartialFiles)
	}
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("an unfinished write was left: %s", p)
		}
		return nil
	})
	t.Logf("%d SIGKILLs of nectar serve hosting 2 streams over %s; %d + %d batches, %d rows viewed; total %s",
		kills, root, cs.Batches, vs.Batches, strings.Count(wantViews, "\n")-1, time.Since(started).Round(time.Millisecond))
}
