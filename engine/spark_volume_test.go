package engine_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/spark"
	"github.com/nectar-dev/nectar/types"
)

// volumeQuery matches one query of the DuckDB oracle's list (a test file
// of the oracle module): its name and its nectar text, when that is a raw
// string.
var volumeQuery = regexp.MustCompile("(?s)name:\\s*\"([^\"]+)\",\\s*nectar:\\s*`([^`]*)`")

// TestSparkVolume asks the oracle's analyst questions of generated Segment
// logs on Spark and on the local engine, and compares the answers: the
// corpus checks each construct on a few rows, this checks whole queries on
// thousands, through gzip files and recursive globs.
func TestSparkVolume(t *testing.T) {
	url := sparkURL(t)
	src, err := os.ReadFile("../oracle/volume_queries_test.go")
	if err != nil {
		t.Skipf("the oracle's queries are not here: %v", err)
	}
	queries := volumeQuery.FindAllStringSubmatch(string(src), -1)
	if len(queries) < 20 {
		t.Fatalf("found only %d oracle queries: has the file's format changed?", len(queries))
	}
	dir := t.TempDir()
	if _, err := gen.Generate(t.Context(), gen.Options{Out: dir, Events: 3000, Files: 3, Seed: 7, Duplicates: 0.01}); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(dir, "segment-logs", "**", "*.gz")
	local := engine.New(engine.Options{})
	local.DefineSource("events", "read_json", glob)
	b := spark.NewBackend(url)
	defer b.Close()
	sp := engine.New(engine.Options{Backend: b})
	sp.DefineSource("events", "read_json", glob)
	for _, q := range queries {
		name, text := q[1], q[2]
		t.Run(name, func(t *testing.T) {
			want, werr := sparkRows(t, local, text)
			got, gerr := sparkRows(t, sp, text)
			if spark.IsUnsupported(gerr) {
				t.Skipf("refused on Spark: %v", gerr)
			}
			if (werr != nil) != (gerr != nil) {
				t.Fatalf("local error: %v\nSpark error: %v\nquery:\n%s", werr, gerr, text)
			}
			if werr != nil {
				return
			}
			if msg := sparkSameRows(want, got); msg != "" {
				t.Errorf("%s\nquery:\n%s", msg, text)
			}
		})
	}
}

func sparkRows(t *testing.T, e engine.Engine, q string) ([][]types.Value, error) {
	var rows [][]types.Value
	err := e.Run(t.Context(), q, func(r *engine.Result) error {
		if r.Kind != engine.Rows {
			return nil
		}
		var err error
		rows, err = exec.Collect(t.Context(), r.Rows)
		return err
	})
	return rows, err
}

// sparkSameRows compares two results as multisets, DOUBLEs to 1e-9 relative:
// Spark adds in its own order, nectar with compensated summation.
func sparkSameRows(want, got [][]types.Value) string {
	if len(want) != len(got) {
		return fmt.Sprintf("local has %d rows, Spark %d", len(want), len(got))
	}
	key := func(rows [][]types.Value) []string {
		out := make([]string, len(rows))
		for i, r := range rows {
			parts := make([]string, len(r))
			for j, v := range r {
				if v.K == types.Float {
					parts[j] = fmt.Sprintf("%.9g", v.F)
				} else {
					parts[j] = v.String()
				}
			}
			out[i] = strings.Join(parts, "|")
		}
		sort.Strings(out)
		return out
	}
	w, g := key(want), key(got)
	for i := range w {
		if w[i] != g[i] && !sparkCloseEnough(w[i], g[i]) {
			return fmt.Sprintf("row %d differs:\nlocal %s\nSpark %s", i, w[i], g[i])
		}
	}
	return ""
}

func sparkCloseEnough(a, b string) bool {
	as, bs := strings.Split(a, "|"), strings.Split(b, "|")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] == bs[i] {
			continue
		}
		var x, y float64
		if _, err := fmt.Sscan(as[i], &x); err != nil {
			return false
		}
		if _, err := fmt.Sscan(bs[i], &y); err != nil {
			return false
		}
		if math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(x)) {
			return false
		}
	}
	return true
}
