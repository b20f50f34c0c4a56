package parquetfile

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/source/s3test"
	"github.com/nectar-dev/nectar/types"
)

// BenchmarkRead reads a 100k-row file of every kind; allocations should
// scale with batches, not rows.
func BenchmarkRead(b *testing.B) {
	var rows [][]types.Value
	for i := range 100_000 {
		rows = append(rows, rowOf(i))
	}
	path := writeFile(b, allKinds, Options{}, rows)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		for {
			bt, err := r.Next(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if bt == nil {
				break
			}
		}
		r.Close()
	}
}

func BenchmarkWrite(b *testing.B) {
	batch := types.NewBatch(allKinds, types.BatchSize)
	for i := range types.BatchSize {
		batch.AppendRow(rowOf(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewWriter(discard{}, allKinds)
		if err != nil {
			b.Fatal(err)
		}
		for range 100 {
			if err := w.Write(batch); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkS3Latency reads three of forty columns from a third of the row
// groups of a file in a fake S3 that answers every request 10 ms late, as
// a distant store does: once with the column chunks announced to the
// reader (prefetched, several in flight), once with each fetched when
// arrow-go asks for it.
func BenchmarkS3Latency(b *testing.B) {
	var schema types.Schema
	for c := range 40 {
		schema = append(schema, types.Column{Name: fmt.Sprintf("c%02d", c), Kind: types.String})
	}
	var rows [][]types.Value
	for i := range 30_000 {
		row := make([]types.Value, len(schema))
		for c := range row {
			row[c] = types.StringValue(fmt.Sprintf("v%d-%d", c, (i*7+c)%50))
		}
		row[0] = types.StringValue(fmt.Sprintf("e%03d", i/1000)) // sorted: row groups prune
		rows = append(rows, row)
	}
	body, err := os.ReadFile(writeFile(b, schema, Options{RowGroupRows: 1000}, rows))
	if err != nil {
		b.Fatal(err)
	}
	srv := s3test.New(b)
	srv.CreateBucket(b, "b")
	srv.Put(b, "b", "f.parquet", body, "")
	st, err := source.NewS3(context.Background(), source.S3Options{
		Endpoint:    srv.URL,
		Region:      s3test.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.Secret, ""),
	})
	if err != nil {
		b.Fatal(err)
	}
	srv.SetFaults(s3test.Faults{Latency: 10 * time.Millisecond})
	opts := ReadOptions{Columns: []string{"c00", "c17", "c33"}, KeepRowGroup: func(st RowGroupStats) bool { return st.Index%3 == 0 }}
	for _, prefetch := range []bool{true, false} {
		b.Run(fmt.Sprintf("prefetch=%v", prefetch), func(b *testing.B) {
			for b.Loop() {
				srv.ResetStats()
				rr, err := st.OpenRandom(context.Background(), "s3://b/f.parquet")
				if err != nil {
					b.Fatal(err)
				}
				var f File = rr
				if !prefetch {
					f = struct{ File }{rr} // hides Prefetch
				}
				r, err := OpenFile(context.Background(), "f.parquet", f, opts)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					bt, err := r.Next(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if bt == nil || bt.Len == 0 {
						break
					}
					n += bt.Len
				}
				r.Close()
				if n != 10_000 {
					b.Fatalf("%d rows, want 10000", n)
				}
			}
			b.ReportMetric(float64(srv.Stats().ObjectGets), "GETs/op")
		})
	}
}
