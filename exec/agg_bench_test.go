package exec_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// The benchmarks below run the blocking operators over 1M rows shaped like
// the seed query's input after the scan: a recommender variant (3 values
// and NULL), a user id (benchUsers values), a product id, a price and an
// event time. The rows sit in prepared columnar batches, so the numbers are
// the operator's own cost, not the source's.
const (
	benchRows     = 1 << 20
	benchUsers    = 200_000
	benchProducts = 5_000
)

var benchSchema = types.Schema{
	{Name: "variant", Kind: types.String},
	{Name: "user", Kind: types.String},
	{Name: "product", Kind: types.String},
	{Name: "price", Kind: types.Float},
	{Name: "ts", Kind: types.Int},
}

var (
	benchOnce    sync.Once
	benchBatches []*types.Batch
)

// benchData builds the batches once per test binary. Values come from a
// fixed linear congruential sequence, so every run sees the same rows.
func benchData() []*types.Batch {
	benchOnce.Do(func() {
		variants := []string{"Model_A", "Model_B", "Control"}
		users := make([]string, benchUsers)
		for i := range users {
			users[i] = fmt.Sprintf("user-%07d", i)
		}
		products := make([]string, benchProducts)
		for i := range products {
			products[i] = fmt.Sprintf("p-%05d", i)
		}
		x := uint64(1)
		next := func() uint64 { x = x*6364136223846793005 + 1442695040888963407; return x >> 33 }
		var b *types.Batch
		for r := range benchRows {
			if b == nil || b.Len == types.BatchSize {
				b = types.NewBatch(benchSchema, types.BatchSize)
				benchBatches = append(benchBatches, b)
			}
			if v := next() % 4; v == 3 {
				b.Cols[0].Append(types.NullValue)
			} else {
				b.Cols[0].Append(types.StringValue(variants[v]))
			}
			b.Cols[1].Append(types.StringValue(users[next()%benchUsers]))
			b.Cols[2].Append(types.StringValue(products[next()%benchProducts]))
			b.Cols[3].Append(types.FloatValue(float64(next()%100_000) / 100))
			b.Cols[4].Append(types.IntValue(int64(r)*1000 + int64(next()%1000)))
			b.Len++
		}
	})
	return benchBatches
}

// batchSource serves prepared batches as they are; operators must not
// modify their input, so sharing them across iterations is safe.
type batchSource struct{ batches []*types.Batch }

func (s *batchSource) Columns() []plan.SourceColumn {
	out := make([]plan.SourceColumn, len(benchSchema))
	for i, c := range benchSchema {
		out[i] = plan.SourceColumn{Name: c.Name, Kind: c.Kind}
	}
	return out
}
func (s *batchSource) Resolve(string) (types.Kind, bool) { return 0, false }
func (s *batchSource) String() string                    { return "bench" }
func (s *batchSource) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return &batchReader{batches: s.batches}, nil
}

type batchReader struct {
	batches []*types.Batch
	pos     int
}

var emptyBatch = types.NewBatch(benchSchema, 0)

func (r *batchReader) Next(context.Context) (*types.Batch, error) {
	if r.pos == len(r.batches) {
		return emptyBatch, nil
	}
	r.pos++
	return r.batches[r.pos-1], nil
}
func (r *batchReader) Close() error { return nil }

func benchScan() *plan.Scan {
	src := &batchSource{batches: benchData()}
	return &plan.Scan{Source: src, Columns: src.Columns()}
}

// runBench builds and drains n b.N times, checks the result with check,
// and reports input rows per second next to ns/op and allocations.
func runBench(b *testing.B, n plan.Node, check func(rows [][]types.Value) error) {
	benchData()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		op, err := exec.Build(ctx, n)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := exec.Collect(ctx, op)
		op.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := check(rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

func wantRows(n int) func([][]types.Value) error {
	return func(rows [][]types.Value) error {
		if len(rows) != n {
			return fmt.Errorf("%d rows, want %d", len(rows), n)
		}
		return nil
	}
}

// BenchmarkHashAggFewGroups is the seed query's aggregation: four groups
// (three variants and NULL), count(*) and sum.
func BenchmarkHashAggFewGroups(b *testing.B) {
	n := &plan.Aggregate{
		Input:  benchScan(),
		Groups: []plan.Expr{col(0, types.String)},
		Aggs:   []plan.AggCall{{Name: "count", K: types.Int}, {Name: "sum", Arg: col(3, types.Float), K: types.Float}},
		Names:  []string{"variant", "n", "s"},
	}
	runBench(b, n, func(rows [][]types.Value) error {
		var total int64
		for _, r := range rows {
			total += r[1].I
		}
		if len(rows) != 4 || total != benchRows {
			return fmt.Errorf("%d groups counting %d rows, want 4 and %d", len(rows), total, benchRows)
		}
		return nil
	})
}

// BenchmarkHashAggManyGroups groups by user: about 200k groups, each with
// its own count and sum.
func BenchmarkHashAggManyGroups(b *testing.B) {
	n := &plan.Aggregate{
		Input:  benchScan(),
		Groups: []plan.Expr{col(1, types.String)},
		Aggs:   []plan.AggCall{{Name: "count", K: types.Int}, {Name: "sum", Arg: col(3, types.Float), K: types.Float}},
		Names:  []string{"user", "n", "s"},
	}
	runBench(b, n, func(rows [][]types.Value) error {
		// 2^20 draws from 200k users leave about e^-5.2 of them unseen.
		if len(rows) < benchUsers*99/100 || len(rows) > benchUsers {
			return fmt.Errorf("%d groups, want about %d", len(rows), benchUsers)
		}
		return nil
	})
}

// BenchmarkCountDistinct is count(DISTINCT user) per variant: few groups,
// each holding a set of up to 200k users.
func BenchmarkCountDistinct(b *testing.B) {
	n := &plan.Aggregate{
		Input:  benchScan(),
		Groups: []plan.Expr{col(0, types.String)},
		Aggs:   []plan.AggCall{{Name: "count", Arg: col(1, types.String), Distinct: true, K: types.Int}},
		Names:  []string{"variant", "users"},
	}
	runBench(b, n, func(rows [][]types.Value) error {
		for _, r := range rows {
			// A quarter of 2^20 rows over 200k users: most users appear.
			if r[1].I < benchUsers*2/3 || r[1].I > benchUsers {
				return fmt.Errorf("variant %v: %d distinct users", r[0], r[1].I)
			}
		}
		return wantRows(4)(rows)
	})
}

// BenchmarkSort orders every row by user, then time: the whole input is
// held and sorted.
func BenchmarkSort(b *testing.B) {
	n := &plan.Sort{
		Input: benchScan(),
		Keys:  []plan.SortKey{{Expr: col(1, types.String)}, {Expr: col(4, types.Int)}},
		Limit: -1,
	}
	runBench(b, n, func(rows [][]types.Value) error {
		if len(rows) != benchRows {
			return fmt.Errorf("%d rows, want %d", len(rows), benchRows)
		}
		for i := 1; i < len(rows); i += 997 {
			if p, r := rows[i-1], rows[i]; p[1].S > r[1].S || p[1].S == r[1].S && p[4].I > r[4].I {
				return fmt.Errorf("rows %d and %d out of order", i-1, i)
			}
		}
		return nil
	})
}

// BenchmarkTopN is ORDER BY price DESC LIMIT 20: the heap keeps 20 rows.
func BenchmarkTopN(b *testing.B) {
	n := &plan.Sort{
		Input: benchScan(),
		Keys:  []plan.SortKey{{Expr: col(3, types.Float), Desc: true}, {Expr: col(4, types.Int)}},
		Limit: 20,
	}
	runBench(b, n, func(rows [][]types.Value) error {
		if len(rows) != 20 || rows[0][3].F != 999.99 || rows[19][3].F > rows[0][3].F {
			return fmt.Errorf("top rows %v", rows)
		}
		return nil
	})
}
