package oracle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
)

// TestProbe is scratch: PROBE_SQL on PROBE_INPUT (NDJSON, table events).
func TestProbe(t *testing.T) {
	q := os.Getenv("PROBE_SQL")
	if q == "" {
		t.Skip()
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "events.jsonl")
	os.WriteFile(p, []byte(os.Getenv("PROBE_INPUT")), 0o644)
	for _, one := range strings.Split(q, "\n;;\n") {
		res, err := duckHarness{}.Query(t.Context(), one, map[string]string{"events": p}, dir)
		if err != nil {
			t.Logf("%s\n  ERR %v", one, err)
			continue
		}
		t.Logf("%s\n  %v\n  %s", one, res.Schema, strings.Join(corpus.Render(res), "\n  "))
	}
}
