package parquetfile

import (
	"context"
	"testing"

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
