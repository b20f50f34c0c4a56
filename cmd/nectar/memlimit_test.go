package main

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
)

// TestMemoryLimitHolds runs queries that hold much (a GROUP BY, ORDER BY
// and DISTINCT over every messageId, a join on it) under --memory-limit:
// each either answers or fails with the memory-limit error, and the
// process's peak resident memory, read from /proc, stays within 10% of
// the limit. On the operators' estimates alone it ran 1.5-2x over.
func TestMemoryLimitHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 300,000 events")
	}
	bin := buildNectar(t)
	dir := t.TempDir()
	logs := genLogs(t, dir, gen.Options{Events: 300000, Files: 8, Days: 2})
	from := "read_json('" + logs + "')"
	queries := map[string]string{
		"GROUP BY": "SELECT count(*) FROM (SELECT messageId, count(*) AS n FROM " + from + " GROUP BY messageId)",
		"ORDER BY": "SELECT messageId, userId FROM " + from + " ORDER BY messageId LIMIT 1 OFFSET 1000",
		"DISTINCT": "SELECT count(DISTINCT messageId) FROM " + from,
		"join":     "SELECT count(*) FROM " + from + " a JOIN " + from + " b ON a.messageId = b.messageId",
	}
	for _, limitMiB := range []int64{120, 250} {
		for name, q := range queries {
			var stderr bytes.Buffer
			cmd := exec.Command(bin, "query", "--memory-limit", strconv.FormatInt(limitMiB, 10)+"MiB", q)
			cmd.Dir, cmd.Stderr = dir, &stderr
			peak, err := runPeakRSS(cmd)
			if err != nil && !strings.Contains(stderr.String(), "memory limit exceeded") {
				t.Errorf("%s under %d MiB: %v: %s", name, limitMiB, err, stderr.String())
			}
			outcome := "answered"
			if err != nil {
				outcome = "refused"
			}
			t.Logf("%s under %d MiB: %s, peak RSS %d MiB", name, limitMiB, outcome, peak>>20)
			if peak > limitMiB<<20*11/10 {
				t.Errorf("%s under %d MiB: peak RSS %d MiB, over the limit by more than 10%%", name, limitMiB, peak>>20)
			}
		}
	}
}
