package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
)

// TestMemoryLimit checks that blocking operators that cannot spill fail
// over a budget with ErrMemoryLimit and a message that says what to do,
// and that the same queries pass with room to spare. GROUP BY,
// DISTINCT, count(DISTINCT x), ORDER BY, joins on equality keys and
// windows partitioned by a key spill instead (spill_test.go).
func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		b.WriteString(`{"id":` + strconv.Itoa(i) + `,"s":"` + strings.Repeat("x", 50) + strconv.Itoa(i) + `"}` + "\n")
	}
	path := filepath.Join(dir, "t.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{
		"window": "SELECT row_number() OVER (ORDER BY s) FROM t",
		// A join without equality keys: a Grace hash join needs keys.
		"join": "SELECT count(*) FROM (SELECT * FROM t WHERE id < 4000) a JOIN (SELECT * FROM t WHERE id < 4000) b ON a.id < b.id + 10",
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			run := func(limit int64) error {
				e := engine.New(engine.Options{MemoryLimit: limit})
				e.DefineSource("t", "read_json", path)
				return e.Run(context.Background(), q, func(r *engine.Result) error {
					_, err := exec.Collect(context.Background(), r.Rows)
					return err
				})
			}
			err := run(256 << 10)
			if !errors.Is(err, exec.ErrMemoryLimit) {
				t.Fatalf("with 256 KiB: got %v, want ErrMemoryLimit", err)
			}
			if !strings.Contains(err.Error(), "--memory-limit") {
				t.Errorf("message does not say how to fix it: %v", err)
			}
			if err := run(1 << 30); err != nil {
				t.Fatalf("with 1 GiB: %v", err)
			}
		})
	}
}
