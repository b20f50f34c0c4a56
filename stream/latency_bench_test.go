package stream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/sink/memory"
	"github.com/nectar-dev/nectar/types"
)

// BenchmarkStreamLatency measures issue 5's latency target: with a 1 s
// trigger and the CLI's default 5 s settle time, how long after a 10 MB
// gzip file is renamed into place the memory table reflects it. Each op
// renames 8 files, each at a random point of the trigger period, and
// reports the median and worst latency. Run it alone:
//
//	go test ./stream -run '^$' -bench StreamLatency -benchtime 1x
func BenchmarkStreamLatency(b *testing.B) {
	src := b.TempDir()
	sum, err := gen.Generate(context.Background(), gen.Options{Out: src, Events: 57_000, Files: 1, Days: 1, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	var file string
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".gz" {
			file = p
		}
		return nil
	})
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("one file: %d events, %.1f MB gzip", sum.Events, float64(len(data))/1e6)
	const files = 8
	for b.Loop() {
		dir := b.TempDir()
		sink := memory.New("data_stream")
		ctx, cancel := context.WithCancel(context.Background())
		o := Options{
			Query: "SELECT count(*) AS n FROM read_json('" + filepath.Join(dir, "*.gz") + "')", Checkpoint: filepath.Join(b.TempDir(), "ck"),
			Sink: sink, Trigger: time.Second, Settle: 5 * time.Second, Log: quietLog(),
		}
		done := make(chan error, 1)
		go func() { done <- Run(ctx, o) }()
		var lat []float64
		for i := range files {
			time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
			tmp := filepath.Join(dir, fmt.Sprintf(".tmp-%d", i))
			if err := os.WriteFile(tmp, data, 0o644); err != nil {
				b.Fatal(err)
			}
			if err := os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("f-%d.gz", i))); err != nil {
				b.Fatal(err)
			}
			at := time.Now()
			want := sum.Events * int64(i+1)
			for rowsOf(sink) < want {
				if time.Since(at) > 30*time.Second {
					b.Fatalf("file %d not reflected after 30 s", i)
				}
				time.Sleep(5 * time.Millisecond)
			}
			lat = append(lat, float64(time.Since(at).Milliseconds()))
		}
		cancel()
		if err := <-done; err != nil && ctx.Err() == nil {
			b.Fatal(err)
		}
		slices.Sort(lat)
		b.Logf("latencies (ms): %v", lat)
		b.ReportMetric((lat[files/2-1]+lat[files/2])/2, "median-ms")
		b.ReportMetric(lat[files-1], "max-ms")
	}
}

// rowsOf is the count the memory table holds now (0 before the first batch).
func rowsOf(m *memory.Sink) int64 {
	_, rows, _ := m.Table()
	if len(rows) == 0 || rows[0][0].K != types.Int {
		return 0
	}
	return rows[0][0].I
}
