package exec_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// BenchmarkHashAggManyAggs is one aggregate of each common family per
// variant, so that the folds without a dedicated fast path are measured
// too (the others only count and sum).
func BenchmarkHashAggManyAggs(b *testing.B) {
	price := col(3, types.Float)
	n := &plan.Aggregate{
		Input:  benchScan(),
		Groups: []plan.Expr{col(0, types.String)},
		Aggs: []plan.AggCall{
			{Name: "count", Arg: col(1, types.String), K: types.Int},
			{Name: "min", Arg: price, K: types.Float},
			{Name: "max", Arg: price, K: types.Float},
			{Name: "avg", Arg: price, K: types.Float},
			{Name: "stddev", Arg: price, K: types.Float},
			{Name: "first", Arg: col(2, types.String), K: types.String},
			{Name: "max_by", Arg: col(2, types.String), Ord: price, K: types.String},
		},
		Names: []string{"variant", "n", "lo", "hi", "mean", "sd", "first", "top"},
	}
	runBench(b, n, wantRows(4))
}

// incrementalBench feeds every bench batch to a fresh IncrementalAggregate
// per iteration, as a stream's micro-batches would, and saves its state
// once at the end, as a checkpoint does.
func incrementalBench(b *testing.B, n *plan.Aggregate, groups int) {
	benchData()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a, err := exec.NewIncrementalAggregate(n)
		if err != nil {
			b.Fatal(err)
		}
		op, err := exec.Build(ctx, a.Input())
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Add(ctx, op); err != nil {
			b.Fatal(err)
		}
		op.Close()
		if a.Len() != groups {
			b.Fatal(fmt.Errorf("%d groups, want %d", a.Len(), groups))
		}
		if _, err := a.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

// BenchmarkIncrementalAgg is a stream's aggregation without event-time
// windows: per variant, count, sum, avg, max and max_by.
func BenchmarkIncrementalAgg(b *testing.B) {
	price := col(3, types.Float)
	n := &plan.Aggregate{
		Input:  benchScan(),
		Groups: []plan.Expr{col(0, types.String)},
		Aggs: []plan.AggCall{
			{Name: "count", K: types.Int},
			{Name: "sum", Arg: price, K: types.Float},
			{Name: "avg", Arg: price, K: types.Float},
			{Name: "max", Arg: price, K: types.Float},
			{Name: "max_by", Arg: col(2, types.String), Ord: price, K: types.String},
		},
		Names: []string{"variant", "n", "s", "mean", "hi", "top"},
	}
	incrementalBench(b, n, 4)
}

// BenchmarkIncrementalWindowAgg is the same per variant and per sliding
// event-time window (one minute, every 30 seconds): each row is folded
// into two windows.
func BenchmarkIncrementalWindowAgg(b *testing.B) {
	price := col(3, types.Float)
	ts := col(4, types.Timestamp)
	scan := benchScan()
	width := len(scan.Schema())
	n := &plan.Aggregate{
		Input:  &plan.TimeWindows{Input: scan, Time: ts, Size: time.Minute, Slide: 30 * time.Second},
		Groups: []plan.Expr{col(width, types.Timestamp), col(width+1, types.Timestamp), col(0, types.String)},
		Aggs: []plan.AggCall{
			{Name: "count", K: types.Int},
			{Name: "sum", Arg: price, K: types.Float},
			{Name: "max", Arg: price, K: types.Float},
		},
		Names: []string{"window_start", "window_end", "variant", "n", "s", "hi"},
	}
	// Event times run from 0 to about 1049 s: 36 window starts, 4 variants.
	incrementalBench(b, n, 36*4)
}
