package compact_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/compact"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
)

const seedQuery = `SELECT properties.recommender.variant AS variant, count(*) AS n
FROM %s
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY properties.recommender.variant ORDER BY variant`

var (
	benchOnce     sync.Once
	benchRaw      string
	benchDst      string
	benchDstEvent string
	benchDstSmall string
	benchErr      error
)

// benchData generates 200k events once per process (about 240 MB of JSON)
// and compacts them both ways.
func benchData(b *testing.B) (raw, dst, dstEvent string) {
	benchOnce.Do(func() {
		dir, err := mkTemp()
		if err != nil {
			benchErr = err
			return
		}
		benchRaw = filepath.Join(dir, "raw")
		if _, benchErr = gen.Generate(context.Background(), gen.Options{Out: benchRaw, Events: 200_000, Files: 28, Days: 7, Seed: 1}); benchErr != nil {
			return
		}
		benchDst = filepath.Join(dir, "by-day")
		if _, benchErr = compact.Run(context.Background(), compact.Options{Src: benchRaw, Dst: benchDst}); benchErr != nil {
			return
		}
		benchDstEvent = filepath.Join(dir, "by-event")
		if _, benchErr = compact.Run(context.Background(), compact.Options{Src: benchRaw, Dst: benchDstEvent, PartitionByEvent: true}); benchErr != nil {
			return
		}
		benchDstSmall = filepath.Join(dir, "by-day-8k")
		_, benchErr = compact.Run(context.Background(), compact.Options{Src: benchRaw, Dst: benchDstSmall, RowGroupRows: 8192})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchRaw, benchDst, benchDstEvent
}

func runSeed(b *testing.B, from string) time.Duration {
	b.Helper()
	e := engine.New(engine.Options{})
	start := time.Now()
	rows(b, e, strings.Replace(seedQuery, "%s", from, 1))
	return time.Since(start)
}

// BenchmarkSeedQuery runs the seed query over raw gzip and over both
// compacted layouts, and reports each layout's speed-up over raw (target:
// 30x).
func BenchmarkSeedQuery(b *testing.B) {
	raw, dst, dstEvent := benchData(b)
	var rawTime time.Duration
	for _, c := range []struct{ name, from string }{
		{"raw-gzip", "read_json('" + raw + "')"},
		{"compacted-by-day", "read_parquet('" + dst + "')"},
		{"compacted-by-event", "read_parquet('" + dstEvent + "')"},
		// Smaller row groups let event-sorted statistics prune by day alone.
		{"compacted-by-day-8k-row-groups", "read_parquet('" + benchDstSmall + "')"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var total time.Duration
			for b.Loop() {
				total += runSeed(b, c.from)
			}
			per := total / time.Duration(b.N)
			if c.name == "raw-gzip" {
				rawTime = per
			} else if rawTime > 0 {
				b.ReportMetric(float64(rawTime)/float64(per), "x-faster-than-raw")
			}
		})
	}
}
