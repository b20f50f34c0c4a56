package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/graph"
)

// TestGraphImportSIGKILL imports OpenLineage events into a SQLite graph
// from two processes at once, SIGKILLs them at random moments and imports
// the killed file again, as a retrying client would. The graph must end
// as one import of every file without kills gives it: every event's run,
// job, datasets and edges there, each raw event kept once (a re-sent
// event is recognised by its digest), and the SQLite file intact.
func TestGraphImportSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the nectar binary and kills it repeatedly")
	}
	bin := buildNectar(t)
	dir := t.TempDir()
	const files, events = 16, 400
	var paths []string
	for f := range files {
		var b bytes.Buffer
		for e := range events {
			i := f*events + e
			fmt.Fprintf(&b, `{"eventType":"COMPLETE","eventTime":"2026-01-01T%02d:%02d:%02dZ","run":{"runId":"00000000-0000-4000-8000-%012d"},`+
				`"job":{"namespace":"airflow","name":"train_%d"},"inputs":[{"namespace":"s3://lake","name":"events_%d"}],`+
				`"outputs":[{"namespace":"s3://lake","name":"model_%d"}],"producer":"https://example.com/test","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"}`+"\n",
				i/3600%24, i/60%60, i%60, i, i%37, i%53, i%41)
		}
		p := filepath.Join(dir, fmt.Sprintf("events-%02d.jsonl", f))
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}

	killed := filepath.Join(dir, "killed.db")
	var mu sync.Mutex
	kills, imports := 0, 0
	rng := rand.New(rand.NewPCG(3, 9))
	delay := func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return time.Duration(5+rng.IntN(250)) * time.Millisecond
	}
	// importUntilDone imports path, killing the first attempts.
	importUntilDone := func(path string) error {
		for attempt := 0; ; attempt++ {
			var stderr bytes.Buffer
			c := exec.Command(bin, "graph", "import", "openlineage", path, "--graph", killed)
			c.Stderr = &stderr
			if err := c.Start(); err != nil {
				return err
			}
			kill := attempt < 2
			var timer *time.Timer
			if kill {
				timer = time.AfterFunc(delay(), func() { c.Process.Signal(syscall.SIGKILL) })
			}
			err := c.Wait()
			if timer != nil {
				timer.Stop()
			}
			if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				mu.Lock()
				kills++
				mu.Unlock()
				continue
			}
			mu.Lock()
			imports++
			mu.Unlock()
			if err != nil {
				return fmt.Errorf("%s: %v: %s", path, err, stderr.String())
			}
			return nil
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, files)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < files; i += 2 {
				if err := importUntilDone(paths[i]); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	clean := filepath.Join(dir, "clean.db")
	if out, err := exec.Command(bin, append([]string{"graph", "import", "openlineage", "--graph", clean}, paths...)...).CombinedOutput(); err != nil {
		t.Fatalf("clean import: %v\n%s", err, out)
	}
	got, want := graphContents(t, killed), graphContents(t, clean)
	for what := range want {
		if !slices.Equal(got[what], want[what]) {
			t.Errorf("%s: %d after kills, %d from one clean import", what, len(got[what]), len(want[what]))
		}
	}
	if len(want["raw"]) != files*events {
		t.Errorf("%d raw events kept, want %d", len(want["raw"]), files*events)
	}
	db, err := sql.Open("sqlite", killed)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q, %v", check, err)
	}
	t.Logf("%d SIGKILLs during %d OpenLineage imports from 2 processes: %d nodes, %d edges, %d raw events, as one clean import", kills, imports+kills, len(got["nodes"]), len(got["edges"]), len(got["raw"]))
}

// graphContents lists a graph's node ids, edges and raw inputs' digests,
// sorted.
func graphContents(t *testing.T, path string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	s, err := graph.Open(ctx, graph.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := map[string][]string{}
	s.ScanNodes(ctx, func(n *graph.Node) error { out["nodes"] = append(out["nodes"], n.ID()); return nil })
	s.ScanEdges(ctx, func(e *graph.Edge) error {
		out["edges"] = append(out["edges"], e.Src+" "+string(e.Rel)+" "+e.Dst)
		return nil
	})
	s.ScanRaw(ctx, func(r *graph.RawRecord) error { out["raw"] = append(out["raw"], r.Digest); return nil })
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}
