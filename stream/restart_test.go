package stream

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/sink/file"
	"github.com/nectar-dev/nectar/sink/memory"
)

var errCrash = errors.New("injected crash")

var allSteps = []Step{StepListed, StepOffsets, StepProcessed, StepSinkWritten, StepStateSaved, StepCommitted}

// genLogs writes generated Segment logs and returns their glob.
func genLogs(t *testing.T, files int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 4000, Files: files, Seed: 7, Days: 3, Duplicates: 0.02, Malformed: 0.01}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "segment-logs", "**", "*.gz")
}

// untilDone restarts the stream after every injected crash, each time
// with a new sink as a new process would have, and returns the last sink.
func untilDone(t *testing.T, o Options, newSink func() Sink, crash func(Step, int64) bool) (Sink, int) {
	t.Helper()
	crashes := 0
	for attempt := 0; attempt < 500; attempt++ {
		o.Sink = newSink()
		o.failAt = func(s Step, b int64) error {
			if crash(s, b) {
				crashes++
				return errCrash
			}
			return nil
		}
		err := Run(context.Background(), o)
		if err == nil {
			return o.Sink, crashes
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	t.Fatal("stream never finished")
	return nil, 0
}

func TestCrashAtEveryStepGivesSameResult(t *testing.T) {
	glob := genLogs(t, 6)
	q := "FROM read_json('" + glob + "') |> AGGREGATE count(*) AS c, count(DISTINCT userId) AS users, min(timestamp) AS first_ts, max(timestamp) AS last_ts GROUP BY event"
	want := batchRun(t, q)
	if len(want) < 3 {
		t.Fatalf("generated data gives only %q", want)
	}
	for _, step := range allSteps {
		for batch := int64(0); batch < 3; batch++ {
			o := opts(t, q, nil)
			o.MaxFilesPerBatch = 2
			once := false
			sink, crashes := untilDone(t, o, func() Sink { return memory.New("t") }, func(s Step, b int64) bool {
				if s == step && b == batch && !once {
					once = true
					return true
				}
				return false
			})
			if crashes != 1 {
				t.Errorf("%s@%d: %d crashes, want 1", step, batch, crashes)
			}
			if got := table(sink.(*memory.Sink)); !slices.Equal(got, want) {
				t.Errorf("crash at %s of batch %d: table\n%q\nwant\n%q", step, batch, got, want)
			}
		}
	}
}

func TestRandomCrashesAppendFileSink(t *testing.T) {
	glob := genLogs(t, 8)
	q := "FROM read_json('" + glob + "') |> WHERE event = 'Product Viewed' |> SELECT messageId, userId, timestamp"
	want := batchRun(t, q)
	if len(want) < 100 {
		t.Fatalf("generated data gives only %d rows", len(want))
	}
	for seed := uint64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		out := filepath.Join(t.TempDir(), "out")
		o := opts(t, q, nil)
		o.MaxFilesPerBatch = 1 + int(seed%3)
		_, crashes := untilDone(t, o, func() Sink {
			s, _ := file.New(out, output.JSON)
			return s
		}, func(Step, int64) bool { return rng.IntN(4) == 0 })
		got := readParts(t, out)
		if !slices.Equal(got, want) {
			t.Errorf("seed %d (%d crashes): %d rows, want %d", seed, crashes, len(got), len(want))
		}
	}
}

// readParts reads every JSON-lines part of an append file sink as rows of
// cell text like rowsText.
func readParts(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		q := "FROM read_json('" + filepath.Join(dir, e.Name()) + "') |> SELECT messageId, userId, timestamp"
		out = append(out, batchRun(t, q)...)
	}
	slices.Sort(out)
	return out
}
