package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binOut  []byte
)

// buildNectar builds the nectar binary from this tree once per test run,
// for the tests that need a real process (signals, a terminal, the
// README's commands), and returns its path.
func buildNectar(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the nectar binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nectar-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "nectar")
		binOut, binErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binOut)
	}
	return binPath
}

func TestMain(m *testing.M) {
	// The scan cache (on for S3 by default) goes to a directory of the
	// test run's own, never the user's ~/.cache/nectar, for the binaries
	// the tests start too.
	cacheHome, err := os.MkdirTemp("", "nectar-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", cacheHome)
	code := m.Run()
	os.RemoveAll(cacheHome)
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
