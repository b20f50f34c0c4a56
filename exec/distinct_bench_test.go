package exec_test

import (
	"fmt"
	"testing"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// The benchmarks below run DISTINCT and the set operations over the 1M
// bench rows of agg_bench_test.go: the row-set paths the sort benchmarks
// do not reach.

// benchProject reads the bench columns idx, in that order.
func benchProject(idx ...int) *plan.Project {
	p := &plan.Project{Input: benchScan()}
	for _, i := range idx {
		p.Exprs = append(p.Exprs, col(i, benchSchema[i].Kind))
		p.Names = append(p.Names, benchSchema[i].Name)
	}
	return p
}

// wantBetween checks the row count of a result whose exact size depends
// on the generated values.
func wantBetween(lo, hi int) func([][]types.Value) error {
	return func(rows [][]types.Value) error {
		if len(rows) < lo || len(rows) > hi {
			return fmt.Errorf("%d rows, want %d to %d", len(rows), lo, hi)
		}
		return nil
	}
}

// BenchmarkDistinctFew is SELECT DISTINCT variant, product: about 20k
// distinct rows among 1M, so most rows hit the set.
func BenchmarkDistinctFew(b *testing.B) {
	runBench(b, &plan.Distinct{Input: benchProject(0, 2)}, wantBetween(19_000, 4*benchProducts))
}

// BenchmarkDistinctMany is SELECT DISTINCT user: about 200k distinct rows,
// so the set grows (and is counted against the memory budget) often.
func BenchmarkDistinctMany(b *testing.B) {
	runBench(b, &plan.Distinct{Input: benchProject(1)}, wantBetween(190_000, benchUsers))
}

func benchSetOp(op string, all bool, idx ...int) *plan.SetOp {
	s := &plan.SetOp{Op: op, All: all, Left: benchProject(idx...), Right: benchProject(idx...)}
	for _, i := range idx {
		s.Names = append(s.Names, benchSchema[i].Name)
		s.Kinds = append(s.Kinds, benchSchema[i].Kind)
	}
	return s
}

// BenchmarkUnion is a UNION (distinct) of the variant and product columns
// with themselves: both sides are held, 2M rows, about 20k distinct.
func BenchmarkUnion(b *testing.B) {
	runBench(b, benchSetOp("UNION", false, 0, 2), wantBetween(19_000, 4*benchProducts))
}

// BenchmarkIntersect is the users of one side INTERSECT the other's:
// every distinct user, counted on the right and marked on the left.
func BenchmarkIntersect(b *testing.B) {
	runBench(b, benchSetOp("INTERSECT", false, 1), wantBetween(190_000, benchUsers))
}

// BenchmarkExceptAll is EXCEPT ALL of a side with itself: every left row
// cancels one right row, and nothing is left.
func BenchmarkExceptAll(b *testing.B) {
	runBench(b, benchSetOp("EXCEPT", true, 1), wantRows(0))
}
