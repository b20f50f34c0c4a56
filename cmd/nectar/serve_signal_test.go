package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeSignalsStopStreams runs the real binary with a hosted memory
// stream and stops it with SIGINT, then SIGTERM, each sent right after a
// file arrives (its batch may be running): the server exits 130 or 143 as
// shells report the signal, having stopped the stream and let go of its
// checkpoint; and a server started after each stop shows the stream's
// table equal to a batch query over every file, each file read once
// (nothing lost to the stop, nothing counted twice by the replay).
func TestServeSignalsStopStreams(t *testing.T) {
	bin := buildNectar(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "incoming"), 0o755); err != nil {
		t.Fatal(err)
	}
	const query = "SELECT event, count(*) AS n FROM read_json('./incoming/*.json') GROUP BY event"
	os.WriteFile(filepath.Join(dir, "nectar.yaml"), []byte(`streams:
  live:
    query: `+query+`
    trigger: 50ms
    settle: 0
    checkpoint: ./checkpoints/live
    sink: memory
`), 0o644)
	files, rows := 0, 0
	arrive := func() {
		files++
		var b strings.Builder
		for i := range 200 + files {
			fmt.Fprintf(&b, `{"event":"e%d","messageId":"%d-%d"}`+"\n", i%3, files, i)
			rows++
		}
		tmp := filepath.Join(dir, "incoming", fmt.Sprintf(".%d.tmp", files))
		os.WriteFile(tmp, []byte(b.String()), 0o644)
		if err := os.Rename(tmp, filepath.Join(dir, "incoming", fmt.Sprintf("%d.json", files))); err != nil {
			t.Fatal(err)
		}
	}
	want := func() string {
		var out bytes.Buffer
		c := exec.Command(bin, "query", "--format", "csv", query+" ORDER BY event")
		c.Dir, c.Stdout = dir, &out
		if err := c.Run(); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}

	// settled waits until the stream has committed every file with the
	// table equal to the batch answer and each row read once.
	settled := func(s *serveProc, what string) {
		t.Helper()
		w := want()
		deadline := time.Now().Add(30 * time.Second)
		for {
			st := s.status("live")
			b, in := st.Batches, st.RowsIn
			got := s.query("SELECT event, n FROM live ORDER BY event")
			if got == w && in == int64(rows) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d batches, %d rows read (want %d); table\n%s\nwant\n%s\nlog:\n%s", what, b, in, rows, got, w, s.stderr.String())
			}
			time.Sleep(30 * time.Millisecond)
		}
	}

	s := startServeProc(t, bin, dir)
	arrive()
	settled(s, "the first file")
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, exitInterrupted}, {syscall.SIGTERM, exitTerminated}} {
		// A dashboard follows the stream's events: an open event stream
		// does not hold the server up, and ends when it stops.
		resp, err := http.Get(s.base + "/v1/streams/live/events")
		if err != nil {
			t.Fatal(err)
		}
		ended := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			ended <- string(b)
		}()
		// A file arrives and the signal follows at once: its batch may be
		// running when the server stops.
		arrive()
		time.Sleep(60 * time.Millisecond)
		sent := time.Now()
		s.cmd.Process.Signal(c.sig)
		select {
		case <-s.exited:
			t.Logf("%v: stopped %s after the signal", c.sig, time.Since(sent).Round(time.Millisecond))
		case <-time.After(20 * time.Second):
			t.Fatalf("%v: serve did not stop: %s", c.sig, s.stderr.String())
		}
		select {
		case events := <-ended:
			if !strings.HasPrefix(events, "event: status\ndata: {") {
				t.Errorf("%v: the event stream gave %q", c.sig, events)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%v: the event stream is still open after the server stopped", c.sig)
		}
		log := s.stderr.String()
		if code := s.cmd.ProcessState.ExitCode(); code != c.code {
			t.Errorf("%v: exit %d, want %d: %s", c.sig, code, c.code, log)
		}
		for _, w := range []string{`msg="stream stopped" stream=live`, `msg=stopped`, "interrupted by"} {
			if !strings.Contains(log, w) {
				t.Errorf("%v: the log lacks %q:\n%s", c.sig, w, log)
			}
		}
		if strings.Contains(log, "panic") || strings.Contains(log, "level=ERROR") {
			t.Errorf("%v: %s", c.sig, log)
		}
		// A new server takes the checkpoint at once and catches up.
		began := time.Now()
		s = startServeProc(t, bin, dir)
		settled(s, fmt.Sprintf("after %v", c.sig))
		t.Logf("%v: the next server caught up in %s", c.sig, time.Since(began).Round(time.Millisecond))
	}
	if strings.Contains(s.stderr.String(), "checkpoint in use") {
		t.Errorf("the checkpoint was still held: %s", s.stderr.String())
	}
	// One batch a file: a batch the stop cut short was replayed under
	// its own number, not added as another.
	if b := s.status("live").Batches; b != files {
		t.Errorf("%d batches for %d files", b, files)
	}
}
