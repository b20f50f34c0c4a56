package main

import (
	"os"
	"strings"
	"testing"
)

// TestCacheCommands: local files are cached only with --cache (or
// cache.local), --no-cache keeps nothing, a warm query answers as the cold
// one, and nectar cache status and clear see the entries.
func TestCacheCommands(t *testing.T) {
	inTempDir(t)
	if err := os.WriteFile("nectar.yaml", []byte("cache: {dir: kept, max_size: 10MiB}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("a.json", []byte(`{"event":"x","n":1,"m":"u"}`+"\n"+`{"event":"y","n":2}`+"\n"+`{bad`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	q := "SELECT event, sum(n) AS n FROM read_json('a.json') GROUP BY event ORDER BY event"
	status := func(want string) {
		t.Helper()
		out := nectar(t, "cache", "status").mustSucceed(t).stdout
		if !strings.Contains(out, want) || !strings.Contains(out, "of 10.0 MiB") {
			t.Errorf("status:\n%s\nwant %q", out, want)
		}
	}
	cold := nectar(t, "query", q).mustSucceed(t)
	status("entries:  0 files, 0 schemas")
	nectar(t, "query", "--no-cache", q).mustSucceed(t)
	status("entries:  0 files, 0 schemas")
	for range 2 {
		got := nectar(t, "query", "--cache", q).mustSucceed(t)
		if got.stdout != cold.stdout || got.stderr != cold.stderr {
			t.Errorf("through the cache:\n%s%s\nwithout:\n%s%s", got.stdout, got.stderr, cold.stdout, cold.stderr)
		}
		status("entries:  1 files, 1 schemas")
	}
	if out := nectar(t, "cache", "clear").mustSucceed(t).stdout; !strings.Contains(out, "removed 1 entries") {
		t.Errorf("clear: %s", out)
	}
	status("entries:  0 files, 0 schemas")
	if o := nectar(t, "query", "--cache", "--no-cache", q); o.code == 0 {
		t.Error("--cache with --no-cache accepted")
	}
}
