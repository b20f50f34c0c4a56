package stream

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/sink/memory"
	"github.com/nectar-dev/nectar/types"
)

// writeLog publishes lines as dir/name the way a careful writer does:
// a hidden temp file renamed into place.
func writeLog(t testing.TB, dir, name string, lines ...string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(name))
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// event renders one small log line.
func event(name string, n int, ts string) string {
	return fmt.Sprintf(`{"event":%q,"n":%d,"timestamp":%q,"messageId":"m-%s-%d"}`, name, n, ts, name, n)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// opts is a --once stream of query over a fresh checkpoint.
func opts(t testing.TB, query string, sink Sink) Options {
	return Options{
		Query:      query,
		Checkpoint: filepath.Join(t.TempDir(), "ck"),
		Sink:       sink,
		Once:       true,
		Trigger:    10 * time.Millisecond,
		Log:        quietLog(),
	}
}

// batchRun runs query with the batch engine: the answer a stream over the
// same files must reach.
func batchRun(t testing.TB, query string) []string {
	t.Helper()
	var out []string
	err := engine.New(engine.Options{}).Run(context.Background(), query, func(r *engine.Result) error {
		rows, err := exec.Collect(context.Background(), r.Rows)
		out = rowsText(rows)
		return err
	})
	if err != nil {
		t.Fatalf("batch %s: %v", query, err)
	}
	return out
}

// rowsText renders rows as sorted lines, for order-free comparison.
func rowsText(rows [][]types.Value) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, v := range r {
			cells[j] = v.String()
		}
		out[i] = strings.Join(cells, "|")
	}
	slices.Sort(out)
	return out
}

func table(m *memory.Sink) []string {
	_, rows, _ := m.Table()
	return rowsText(rows)
}

func mustRun(t testing.TB, o Options) {
	t.Helper()
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func commits(t testing.TB, ck string) []commit {
	t.Helper()
	c := &checkpoint{dir: ck}
	ids, err := c.ids("commits", ".json")
	if err != nil {
		t.Fatal(err)
	}
	var out []commit
	for _, id := range ids {
		m, err := c.readCommit(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}
