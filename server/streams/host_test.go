package streams

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/stream"
)

// testProject writes nectar.yaml with yaml's streams section and returns the
// loaded config; logs/ holds one file already.
func testProject(t *testing.T, yaml string) *project.Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logs", "1.json"), []byte(`{"event":"View"}`+"\n"+`{"event":"Order"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "nectar.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := project.LoadConfig(p, true)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const counts = `    query: SELECT event, count(*) AS n FROM read_json('./logs/*.json') GROUP BY event
    trigger: 20ms
    settle: 0
`

func start(t *testing.T, cfg *project.Config) (*Host, *strings.Builder, func()) {
	t.Helper()
	var logs strings.Builder
	// Read only once the host has stopped: slog's handler serialises the
	// writes.
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h, err := New(Options{Project: cfg, Log: logger, MinBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.Start(ctx)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			h.Wait()
		}
	}
	t.Cleanup(stop)
	return h, &logs, stop
}

func waitFor(t *testing.T, h *Host, name, what string, ok func(Status) bool) Status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := h.Status(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out waiting for %s; status %+v", name, what, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A checkpoint another process holds (nectar stream on the same folder)
// keeps the hosted stream waiting, retried with backoff and reported;
// once the other lets go, the stream runs.
func TestCheckpointInUseIsRetried(t *testing.T) {
	cfg := testProject(t, "streams:\n  s:\n"+counts+"    checkpoint: ck\n    sink: memory\n")
	ck := cfg.Streams["s"].Checkpoint
	if err := os.MkdirAll(ck, 0o755); err != nil {
		t.Fatal(err)
	}
	other, err := source.TryLock(filepath.Join(ck, "lock"))
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := start(t, cfg)
	st := waitFor(t, h, "s", "retries", func(st Status) bool { return st.State == Restarting && st.Restarts >= 2 })
	if !strings.Contains(st.Error, "checkpoint in use") || st.NextAttempt == nil {
		t.Errorf("status %+v", st)
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, h, "s", "the first batch once the lock is free", func(st Status) bool { return st.State == Running && st.Batches == 1 })
}

// A sink that fails (a PostgreSQL server that is not there) is reported
// and retried, without its password in the status or the log.
func TestFailingSinkIsRetriedAndRedacted(t *testing.T) {
	cfg := testProject(t, "streams:\n  pg:\n"+counts+"    checkpoint: ck\n    sink: {postgres: 'postgres://nectar:Pa55-Secret@127.0.0.1:1/db?connect_timeout=1', table: counts}\n")
	h, logs, stop := start(t, cfg)
	st := waitFor(t, h, "pg", "a retry", func(st Status) bool { return st.State == Restarting && st.Restarts >= 1 })
	if !strings.Contains(st.Error, "postgres") || st.Target != "PostgreSQL table counts" {
		t.Errorf("status %+v", st)
	}
	stop()
	for what, text := range map[string]string{"status": st.Error + st.LastError + st.Target, "log": logs.String()} {
		if strings.Contains(text, "Pa55-Secret") {
			t.Errorf("the %s shows the password: %s", what, text)
		}
	}
	if !strings.Contains(logs.String(), "stream failed; running it again") {
		t.Errorf("log: %s", logs.String())
	}
}

// Stopping the host stops every stream and lets go of the checkpoints:
// another process (or a new server) can take them at once.
func TestStopReleasesCheckpoints(t *testing.T) {
	cfg := testProject(t, "streams:\n  a:\n"+counts+"    checkpoint: ck/a\n    sink: memory\n  b:\n"+counts+"    checkpoint: ck/b\n    sink: {file: out, format: csv}\n")
	h, _, stop := start(t, cfg)
	for _, name := range []string{"a", "b"} {
		waitFor(t, h, name, "the first batch", func(st Status) bool { return st.Batches == 1 })
	}
	stop()
	for _, name := range []string{"a", "b"} {
		st, _ := h.Status(context.Background(), name)
		if st.State != Stopped {
			t.Errorf("%s: %s after stop", name, st.State)
		}
		l, err := source.TryLock(filepath.Join(cfg.Streams[name].Checkpoint, "lock"))
		if err != nil {
			t.Fatalf("%s's checkpoint still locked: %v", name, err)
		}
		l.Unlock()
	}
	if _, err := h.Status(context.Background(), "nope"); !errors.Is(err, ErrNoStream) {
		t.Errorf("Status(nope): %v", err)
	}
}

// The memory table is the catalog's: looked up by name in any case,
// listed, and empty with a reason before the first batch.
func TestMemoryTable(t *testing.T) {
	cfg := testProject(t, "streams:\n  live:\n"+counts+"    checkpoint: ck\n    sink: memory\n")
	h, err := New(Options{Project: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	src, ok := h.Lookup("LIVE")
	if !ok || len(h.Tables()) != 1 || h.Tables()[0].Name != "live" {
		t.Fatalf("Lookup %v, Tables %v", ok, h.Tables())
	}
	if _, err := src.Open(context.Background(), nil, nil); !errors.Is(err, ErrNoResultYet) {
		t.Errorf("before the first batch: %v", err)
	}
	if _, ok := h.Lookup("other"); ok {
		t.Error("Lookup(other) found a table")
	}
	if permanent(errors.New("disk full")) || !permanent(stream.ErrUnsupported) {
		t.Error("permanent() misjudges")
	}
}
