package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// benchEvent is a ~1.2 KB Segment track event shaped like the real samples.
func benchEvent(i int) string {
	return fmt.Sprintf(`{"_metadata":{"bundled":["Segment.io"],"bundledIds":[],"unbundled":[]},"anonymousId":"1f45380a-ecee-4e74-a2f5-dcc9886698a4","channel":"client","context":{"ip":"104.28.85.133","library":{"name":"analytics.js","version":"npm:next-1.61.0"},"locale":"en-US","page":{"path":"/products/%d","referrer":"https://www.example.com/","search":"?q=shoes","title":"Make art with data \u2014 Shop","url":"https://www.example.com/products/%d"},"timezone":"America/Los_Angeles","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"},"event":"Product Viewed","integrations":{},"messageId":"ajs-next-1890b6ba379b6e832b14e9cffa9%05d","originalTimestamp":"2023-11-25T00:30:05.233Z","projectId":"r9QxNCpUszLY641VRaszNv","properties":{"product_id":"sku-%d","name":"Trail Runner \"Pro\"","category":"Shoes","price":%d.99,"quantity":1,"currency":"USD","products":[{"sku":"a","price":1},{"sku":"b","price":2}],"lead_count":"1"},"receivedAt":"2023-11-25T00:30:05.817Z","sentAt":"2023-11-25T00:30:05.322Z","timestamp":"2023-11-25T00:30:05.728Z","type":"track","userId":"user-%d","version":2}`,
		i, i, i%100000, i%500, 10+i%90, i%1000)
}

func BenchmarkExtract3Paths(b *testing.B) {
	line := []byte(benchEvent(42))
	e := NewExtractor(mustPaths(b, "event", "properties.price", "context.page.url"))
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Extract(line); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValid(b *testing.B) {
	line := []byte(benchEvent(42))
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Valid(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingJSONValid is the yardstick: the standard library only
// validating the same line.
func BenchmarkEncodingJSONValid(b *testing.B) {
	line := []byte(benchEvent(42))
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if !json.Valid(line) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkScanner(b *testing.B) {
	lines := make([]string, 20000)
	for i := range lines {
		lines[i] = benchEvent(i)
	}
	f := writeGz(b, b.TempDir(), "bench.gz", lines)
	cols := []Column{
		col("event", "event", types.String),
		col("price", "properties.price", types.Float),
		col("url", "context.page.url", types.String),
		col("ts", "timestamp", types.Timestamp),
		col("version", "version", types.Int),
	}
	var raw int64
	for _, l := range lines {
		raw += int64(len(l)) + 1
	}
	b.SetBytes(raw)
	b.ReportAllocs()
	for b.Loop() {
		s := NewScanner(Options{Files: []source.File{f}, Columns: cols, Workers: 1})
		n := 0
		for {
			bt, err := s.Next(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if bt.Len == 0 {
				break
			}
			n += bt.Len
		}
		s.Close()
		if n != len(lines) {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/row")
}

// BenchmarkScannerOneLargeFile is one uncompressed file of ~32 MiB read
// whole by one worker, or cut into ranges for two: the within-file
// parallelism Split brings, without process start-up in the number. Four
// ranges of the default 8 MiB share evenly between two workers.
func BenchmarkScannerOneLargeFile(b *testing.B) {
	var buf []byte
	n := 0
	for len(buf) < 32<<20 {
		buf = append(buf, benchEvent(n)...)
		buf = append(buf, '\n')
		n++
	}
	f := writeFile(b, b.TempDir(), "big.json", buf)
	cols := []Column{
		col("event", "event", types.String),
		col("price", "properties.price", types.Float),
		col("ts", "timestamp", types.Timestamp),
		{Hidden: LineColumn},
	}
	for _, tc := range []struct {
		name    string
		workers int
		split   int64
	}{
		{"whole/workers=1", 1, -1},
		{"whole/workers=2", 2, -1},
		{"split/workers=2", 2, 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				s := NewScanner(Options{Files: []source.File{f}, Columns: cols, Workers: tc.workers, SplitBytes: tc.split})
				rows := 0
				var last int64
				for {
					bt, err := s.Next(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if bt.Len == 0 {
						break
					}
					rows += bt.Len
					last = bt.Cols[3].I[bt.Len-1]
				}
				s.Close()
				if rows != n || last != int64(n) {
					b.Fatalf("%d rows, last _line %d; want %d", rows, last, n)
				}
			}
		})
	}
}
