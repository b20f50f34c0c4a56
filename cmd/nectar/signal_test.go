package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/gen"
)

// TestSignalsStopCleanly runs the real binary on a query long enough to
// interrupt: SIGTERM stops it as Ctrl-C does (exit 143, and the -o file
// it was writing is removed, not left as a temporary file), and a second
// signal exits at once.
func TestSignalsStopCleanly(t *testing.T) {
	bin := buildNectar(t)
	dir := t.TempDir()
	logs := genLogs(t, dir, gen.Options{Events: 150000, Files: 4})
	q := "SELECT * FROM read_json('" + logs + "') ORDER BY messageId"
	run := func(sigs ...syscall.Signal) (int, string, time.Duration) {
		var stderr bytes.Buffer
		c := exec.Command(bin, "query", "-o", "out.csv", q)
		c.Dir, c.Stderr = dir, &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		sent := time.Now()
		for _, s := range sigs {
			c.Process.Signal(s)
		}
		c.Wait()
		return c.ProcessState.ExitCode(), stderr.String(), time.Since(sent)
	}
	for _, tc := range []struct {
		sigs []syscall.Signal
		code int
	}{
		{[]syscall.Signal{syscall.SIGTERM}, 143},
		{[]syscall.Signal{syscall.SIGINT}, 130},
		{[]syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 130},
	} {
		code, stderr, took := run(tc.sigs...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.sigs, code, tc.code, stderr)
		}
		if len(tc.sigs) == 1 && !strings.Contains(stderr, "interrupted by") {
			t.Errorf("%v: stderr %q", tc.sigs, stderr)
		}
		t.Logf("%v: stopped %s after the signal", tc.sigs, took.Round(time.Millisecond))
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.Name() == "out.csv" || strings.Contains(e.Name(), ".tmp-") {
				if len(tc.sigs) == 1 { // a second signal may leave a temporary file: it exits at once
					t.Errorf("%v left %s", tc.sigs, e.Name())
				}
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}
