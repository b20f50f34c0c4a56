package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/engine"
)

// TestCancelStopsSoon cancels queries whose operators do long work between
// reads of their input (a join that pairs 20,000 rows with 20,000, 400
// million pairs, many seconds of work) and checks that they stop soon
// after: Ctrl-C and a server's query timeout work through the context.
// The bound is loose (a second, on a shared machine) but an order of
// magnitude below the query's own time.
func TestCancelStopsSoon(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.jsonl")
	if err := os.WriteFile(path, []byte(strings.Repeat(`{"k":1,"v":"x"}`+"\n", 20000)), 0o644); err != nil {
		t.Fatal(err)
	}
	from := "read_json('" + path + "')"
	for name, q := range map[string]string{
		"join":            "SELECT count(*) FROM " + from + " a JOIN " + from + " b ON a.k = b.k",
		"join then sort":  "SELECT a.v FROM " + from + " a JOIN " + from + " b ON a.k = b.k ORDER BY a.v LIMIT 1",
		"join then group": "SELECT a.v, count(*) FROM " + from + " a JOIN " + from + " b ON a.k = b.k GROUP BY a.v",
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			began := time.Now()
			_, _, err := engine.QueryRows(ctx, engine.New(engine.Options{MemoryLimit: -1}), q)
			stopped := time.Since(began) - 200*time.Millisecond
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			if stopped > time.Second {
				t.Errorf("stopped %v after the cancel", stopped)
			}
			t.Logf("stopped %v after the cancel", stopped.Round(time.Millisecond))
		})
	}
}
