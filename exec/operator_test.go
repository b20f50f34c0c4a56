package exec_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// forEachBatchSize runs fn once per batch size as a subtest.
func forEachBatchSize(t *testing.T, fn func(t *testing.T, size int)) {
	for _, size := range batchSizes {
		t.Run("batch="+strconv.Itoa(size), func(t *testing.T) { fn(t, size) })
	}
}

// ---- windows ----

var winSchema = types.Schema{{Name: "g", Kind: types.String}, {Name: "o", Kind: types.Int}, {Name: "v", Kind: types.Int}}

// winRows: partition a has a tie on o=2; partition b has a NULL v.
var winRows = [][]types.Value{
	{str("a"), i64(1), i64(10)},
	{str("b"), i64(1), i64(100)},
	{str("a"), i64(2), i64(20)},
	{str("a"), i64(2), i64(30)},
	{str("b"), i64(2), null},
	{str("a"), i64(3), i64(40)},
	{str("b"), i64(3), i64(300)},
	{str("a"), i64(4), i64(50)},
}

func winCall(name string, k types.Kind, args ...plan.Expr) plan.WindowCall {
	return plan.WindowCall{
		Name: name, Args: args, K: k,
		PartitionBy: []plan.Expr{col(0, types.String)},
		OrderBy:     []plan.SortKey{{Expr: col(1, types.Int), NullsFirst: true}},
		Start:       plan.Bound{Kind: plan.UnboundedPreceding},
		End:         plan.Bound{Kind: plan.CurrentRow},
	}
}

func TestWindowFunctions(t *testing.T) {
	v := col(2, types.Int)
	rows := func(c plan.WindowCall) plan.WindowCall { c.Rows = true; return c }
	frame := func(c plan.WindowCall, rowsUnit bool, s, e plan.Bound) plan.WindowCall {
		c.Rows, c.Start, c.End = rowsUnit, s, e
		return c
	}
	pre := func(n int64) plan.Bound { return plan.Bound{Kind: plan.OffsetPreceding, Offset: n} }
	fol := func(n int64) plan.Bound { return plan.Bound{Kind: plan.OffsetFollowing, Offset: n} }
	cur := plan.Bound{Kind: plan.CurrentRow}
	unbF := plan.Bound{Kind: plan.UnboundedFollowing}
	unbP := plan.Bound{Kind: plan.UnboundedPreceding}
	// Results are listed in input order (winRows), one per row.
	for _, tc := range []struct {
		name string
		call plan.WindowCall
		want []string
	}{
		{"row_number", winCall("row_number", types.Int), []string{"1", "1", "2", "3", "2", "4", "3", "5"}},
		{"rank", winCall("rank", types.Int), []string{"1", "1", "2", "2", "2", "4", "3", "5"}},
		{"dense_rank", winCall("dense_rank", types.Int), []string{"1", "1", "2", "2", "2", "3", "3", "4"}},
		// RANGE (the default with ORDER BY) takes peers in: both o=2 rows
		// of partition a see 10+20+30.
		{"range-running-sum-peers", winCall("sum", types.Int, v), []string{"10", "100", "60", "60", "100", "100", "400", "150"}},
		{"rows-running-sum", rows(winCall("sum", types.Int, v)), []string{"10", "100", "30", "60", "100", "100", "400", "150"}},
		{"rows-1-preceding-1-following", frame(winCall("sum", types.Int, v), true, pre(1), fol(1)), []string{"30", "100", "60", "90", "400", "120", "300", "90"}},
		{"rows-2-following-only", frame(winCall("sum", types.Int, v), true, fol(1), fol(2)), []string{"50", "300", "70", "90", "300", "50", "NULL", "NULL"}},
		{"rows-whole-partition-count", frame(winCall("count", types.Int, v), true, unbP, unbF), []string{"5", "2", "5", "5", "2", "5", "2", "5"}},
		{"rows-huge-following-start", frame(winCall("sum", types.Int, v), true, fol(math.MaxInt64), unbF), []string{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"}},
		{"rows-huge-following-end", frame(winCall("sum", types.Int, v), true, unbP, fol(math.MaxInt64)), []string{"150", "400", "150", "150", "400", "150", "400", "150"}},
		{"rows-huge-preceding", frame(winCall("count", types.Int, v), true, pre(math.MaxInt64), pre(math.MaxInt64)), []string{"0", "0", "0", "0", "0", "0", "0", "0"}},
		{"lead-huge", winCall("lead", types.Int, v, lit(i64(math.MaxInt64))), []string{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"}},
		{"range-current-to-end", frame(winCall("sum", types.Int, v), false, cur, unbF), []string{"150", "400", "140", "140", "300", "90", "300", "50"}},
		{"avg-running", rows(winCall("avg", types.Float, v)), []string{"10.0", "100.0", "15.0", "20.0", "100.0", "25.0", "200.0", "30.0"}},
		{"min-sliding", frame(winCall("min", types.Int, v), true, pre(1), cur), []string{"10", "100", "10", "20", "100", "30", "300", "40"}},
		{"lag", winCall("lag", types.Int, v), []string{"NULL", "NULL", "10", "20", "100", "30", "NULL", "40"}},
		{"lag-2-default", winCall("lag", types.Int, v, lit(i64(2)), lit(i64(-1))), []string{"-1", "-1", "-1", "10", "-1", "20", "100", "30"}},
		{"lead-default", winCall("lead", types.Int, v, lit(i64(1)), lit(i64(0))), []string{"20", "NULL", "30", "40", "300", "50", "0", "0"}},
		{"first_value", winCall("first_value", types.Int, v), []string{"10", "100", "10", "10", "100", "10", "100", "10"}},
		{"last_value-range", winCall("last_value", types.Int, v), []string{"10", "100", "30", "30", "NULL", "40", "300", "50"}},
		{"ntile-2", winCall("ntile", types.Int, lit(i64(2))), []string{"1", "1", "1", "1", "1", "2", "2", "2"}},
		{"ntile-3", winCall("ntile", types.Int, lit(i64(3))), []string{"1", "1", "1", "2", "2", "2", "3", "3"}},
		{"ntile-10", winCall("ntile", types.Int, lit(i64(10))), []string{"1", "1", "2", "3", "2", "4", "3", "5"}},
		{"cume_dist", winCall("cume_dist", types.Float), []string{"0.2", "0.3333333333333333", "0.6", "0.6", "0.6666666666666666", "0.8", "1.0", "1.0"}},
		{"percent_rank", winCall("percent_rank", types.Float), []string{"0.0", "0.0", "0.25", "0.25", "0.5", "0.75", "1.0", "1.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachBatchSize(t, func(t *testing.T, size int) {
				n := &plan.Window{Input: scan(winSchema, winRows, size), Calls: []plan.WindowCall{tc.call}, Names: []string{"w"}}
				got := mustRun(t, n)
				if len(got) != len(winRows) {
					t.Fatalf("%d rows, want %d", len(got), len(winRows))
				}
				out := make([][]types.Value, len(got))
				for i, r := range got {
					if !types.Equal(r[0], winRows[i][0]) || !types.Equal(r[1], winRows[i][1]) || !types.Equal(r[2], winRows[i][2]) {
						t.Fatalf("row %d is %v, want input row %v first", i, r, winRows[i])
					}
					out[i] = r[3:]
				}
				checkRows(t, out, tc.want, true)
			})
		})
	}
}

// TestNtileSizes checks ntile against its definition for many partition
// sizes: bucket sizes differ by at most one, larger buckets first.
func TestNtileSizes(t *testing.T) {
	schema := types.Schema{{Name: "o", Kind: types.Int}}
	for n := 1; n <= 12; n++ {
		rows := make([][]types.Value, n)
		for i := range rows {
			rows[i] = []types.Value{i64(int64(i))}
		}
		for buckets := int64(1); buckets <= 5; buckets++ {
			call := plan.WindowCall{Name: "ntile", Args: []plan.Expr{lit(i64(buckets))}, K: types.Int,
				OrderBy: []plan.SortKey{{Expr: col(0, types.Int)}},
				Start:   plan.Bound{Kind: plan.UnboundedPreceding}, End: plan.Bound{Kind: plan.CurrentRow}}
			got := mustRun(t, &plan.Window{Input: scan(schema, rows, 3), Calls: []plan.WindowCall{call}, Names: []string{"w"}})
			for i, r := range got {
				// Row i of n falls in bucket b where the first n%k buckets hold ⌈n/k⌉ rows.
				k := buckets
				size, extra := int64(n)/k, int64(n)%k
				var want int64
				if int64(i) < extra*(size+1) {
					want = int64(i)/(size+1) + 1
				} else {
					want = extra + (int64(i)-extra*(size+1))/size + 1
				}
				if r[1].I != want {
					t.Fatalf("n=%d ntile(%d) row %d = %d, want %d", n, buckets, i, r[1].I, want)
				}
			}
		}
	}
}

// ---- aggregates ----

func agg(name string, arg plan.Expr, k types.Kind) plan.AggCall {
	return plan.AggCall{Name: name, Arg: arg, K: k}
}

func TestAggregates(t *testing.T) {
	schema := types.Schema{{Name: "g", Kind: types.String}, {Name: "x", Kind: types.Float}, {Name: "i", Kind: types.Int}}
	xs := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	var rows [][]types.Value
	for i, x := range xs {
		rows = append(rows, []types.Value{str("a"), f64(x), i64(int64(i))})
	}
	rows = append(rows, []types.Value{str("a"), null, null}, []types.Value{str("b"), f64(1), i64(1)}, []types.Value{null, null, null})

	// Hand computation for group a: mean 5, squared deviations sum 32.
	mean := 5.0
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	n := float64(len(xs))
	x := col(1, types.Float)
	pct := func(p float64) plan.AggCall { a := agg("percentile_approx", x, types.Float); a.Param = p; return a }
	distinct := func(a plan.AggCall) plan.AggCall { a.Distinct = true; return a }
	filtered := agg("count", nil, types.Int)
	filtered.Filter = op(plan.OpGt, types.Bool, x, lit(f64(4)))
	calls := []plan.AggCall{
		agg("count", nil, types.Int),
		agg("count", x, types.Int),
		distinct(agg("count", x, types.Int)),
		agg("sum", x, types.Float),
		distinct(agg("sum", x, types.Float)),
		agg("avg", x, types.Float),
		agg("var_pop", x, types.Float),
		agg("var_samp", x, types.Float),
		agg("stddev_pop", x, types.Float),
		agg("stddev", x, types.Float),
		pct(0.5), pct(0), pct(1), pct(0.25),
		agg("min", x, types.Float), agg("max", x, types.Float),
		filtered,
		agg("sum", col(2, types.Int), types.Int),
	}
	names := []string{"g"}
	for i := range calls {
		names = append(names, "a"+strconv.Itoa(i))
	}
	f := func(v float64) string { return types.FormatFloat(v) }
	want := []string{
		"'a'|9|8|5|" + f(40) + "|" + f(27) + "|" + f(5) + "|" + f(ss/n) + "|" + f(ss/(n-1)) + "|" + f(math.Sqrt(ss/n)) + "|" + f(math.Sqrt(ss/(n-1))) +
			"|4.0|2.0|9.0|4.0|2.0|9.0|4|28",
		// One value: the sample variance and deviation are NULL, as in Spark.
		"'b'|1|1|1|1.0|1.0|1.0|0.0|NULL|0.0|NULL|1.0|1.0|1.0|1.0|1.0|1.0|0|1",
		// Only NULLs: every aggregate but the counts is NULL.
		"NULL|1|0|0|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|0|NULL",
	}
	forEachBatchSize(t, func(t *testing.T, size int) {
		got := mustRun(t, &plan.Aggregate{Input: scan(schema, rows, size), Groups: []plan.Expr{col(0, types.String)}, Aggs: calls, Names: names})
		checkRows(t, got, want, false)
	})
}

func TestAggregateEdgeCases(t *testing.T) {
	schema := types.Schema{{Name: "i", Kind: types.Int}}
	count := agg("count", nil, types.Int)
	sum := agg("sum", col(0, types.Int), types.Int)
	t.Run("global-over-nothing", func(t *testing.T) {
		got := mustRun(t, &plan.Aggregate{Input: scan(schema, nil, 2), Aggs: []plan.AggCall{count, sum}, Names: []string{"n", "s"}})
		checkRows(t, got, []string{"0|NULL"}, true)
	})
	t.Run("grouped-over-nothing", func(t *testing.T) {
		got := mustRun(t, &plan.Aggregate{Input: scan(schema, nil, 2), Groups: []plan.Expr{col(0, types.Int)}, Aggs: []plan.AggCall{count}, Names: []string{"i", "n"}})
		checkRows(t, got, nil, true)
	})
	t.Run("sum-overflow", func(t *testing.T) {
		rows := [][]types.Value{{i64(math.MaxInt64)}, {i64(1)}}
		_, err := run(t, &plan.Aggregate{Input: scan(schema, rows, 1), Aggs: []plan.AggCall{sum}, Names: []string{"s"}})
		if err == nil {
			t.Fatal("sum past MaxInt64 succeeded")
		}
	})
	t.Run("sum-back-in-range", func(t *testing.T) {
		rows := [][]types.Value{{i64(math.MaxInt64)}, {i64(-1)}, {i64(1)}}
		got := mustRun(t, &plan.Aggregate{Input: scan(schema, rows, 1), Aggs: []plan.AggCall{sum}, Names: []string{"s"}})
		checkRows(t, got, []string{strconv.FormatInt(math.MaxInt64, 10)}, true)
	})
	t.Run("float-sum-compensated", func(t *testing.T) {
		var rows [][]types.Value
		for range 1000 {
			rows = append(rows, []types.Value{f64(0.1)})
		}
		s := mustRun(t, &plan.Aggregate{Input: scan(types.Schema{{Name: "x", Kind: types.Float}}, rows, types.BatchSize), Aggs: []plan.AggCall{agg("sum", col(0, types.Float), types.Float)}, Names: []string{"s"}})
		if s[0][0].F != 100 {
			t.Errorf("sum of 1000 × 0.1 = %v, want 100 exactly", s[0][0].F)
		}
	})
}

// ---- set operations ----

func TestSetOperations(t *testing.T) {
	schema := types.Schema{{Name: "x", Kind: types.Int}}
	mk := func(vs ...types.Value) [][]types.Value {
		out := make([][]types.Value, len(vs))
		for i, v := range vs {
			out[i] = []types.Value{v}
		}
		return out
	}
	left := mk(i64(1), i64(1), i64(1), i64(2), null, null, i64(4))
	right := mk(i64(1), i64(1), null, i64(3), i64(4), i64(4))
	for _, tc := range []struct {
		op   string
		all  bool
		want []string
	}{
		{"UNION", true, []string{"1", "1", "1", "2", "NULL", "NULL", "4", "1", "1", "NULL", "3", "4", "4"}},
		{"UNION", false, []string{"1", "2", "NULL", "4", "3"}},
		{"INTERSECT", false, []string{"1", "NULL", "4"}},
		{"INTERSECT", true, []string{"1", "1", "NULL", "4"}},
		{"EXCEPT", false, []string{"2"}},
		{"EXCEPT", true, []string{"1", "2", "NULL"}},
	} {
		name := tc.op
		if tc.all {
			name += " ALL"
		}
		t.Run(name, func(t *testing.T) {
			forEachBatchSize(t, func(t *testing.T, size int) {
				n := &plan.SetOp{Op: tc.op, All: tc.all, Left: scan(schema, left, size), Right: scan(schema, right, size), Names: []string{"x"}, Kinds: []types.Kind{types.Int}}
				checkRows(t, mustRun(t, n), tc.want, false)
			})
		})
	}
}

// ---- joins ----

func TestHashJoins(t *testing.T) {
	ls := types.Schema{{Name: "k", Kind: types.Int}, {Name: "l", Kind: types.String}}
	rs := types.Schema{{Name: "k", Kind: types.Int}, {Name: "r", Kind: types.String}}
	left := [][]types.Value{{i64(1), str("a")}, {i64(1), str("b")}, {null, str("c")}, {i64(2), str("d")}}
	right := [][]types.Value{{i64(1), str("x")}, {i64(1), str("y")}, {null, str("z")}, {i64(3), str("w")}}
	inner := []string{"1|'a'|1|'x'", "1|'a'|1|'y'", "1|'b'|1|'x'", "1|'b'|1|'y'"}
	leftOnly := []string{"NULL|'c'|NULL|NULL", "2|'d'|NULL|NULL"}
	rightOnly := []string{"NULL|NULL|NULL|'z'", "NULL|NULL|3|'w'"}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	var cross []string
	for _, l := range render(left) {
		for _, r := range render(right) {
			cross = append(cross, l+"|"+r)
		}
	}
	for _, tc := range []struct {
		kind plan.JoinKind
		want []string
	}{
		{plan.InnerJoin, inner},
		{plan.LeftJoin, cat(inner, leftOnly)},
		{plan.RightJoin, cat(inner, rightOnly)},
		{plan.FullJoin, cat(inner, leftOnly, rightOnly)},
		{plan.SemiJoin, []string{"1|'a'", "1|'b'"}},
		{plan.AntiJoin, []string{"NULL|'c'", "2|'d'"}},
		{plan.CrossJoin, cross},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			forEachBatchSize(t, func(t *testing.T, size int) {
				j := &plan.Join{Left: scan(ls, left, size), Right: scan(rs, right, size), Kind: tc.kind}
				if tc.kind != plan.CrossJoin {
					j.LeftKeys, j.RightKeys = []plan.Expr{col(0, types.Int)}, []plan.Expr{col(0, types.Int)}
				}
				checkRows(t, mustRun(t, j), tc.want, false)
			})
		})
	}
}

// TestJoinResidual checks a condition beyond the equality keys: in an
// outer join, a left row whose key matches but whose residual fails is
// padded with NULLs, not dropped.
func TestJoinResidual(t *testing.T) {
	ls := types.Schema{{Name: "k", Kind: types.Int}}
	rs := types.Schema{{Name: "k", Kind: types.Float}, {Name: "r", Kind: types.String}}
	left := [][]types.Value{{i64(1)}, {i64(2)}, {i64(3)}}
	right := [][]types.Value{{f64(1), str("x")}, {f64(2), str("y")}, {f64(2.5), str("x")}}
	// Right columns follow the left's in the residual: r is column 2.
	residual := op(plan.OpEq, types.Bool, col(2, types.String), lit(str("x")))
	for _, tc := range []struct {
		kind plan.JoinKind
		want []string
	}{
		{plan.InnerJoin, []string{"1|1.0|'x'"}},
		{plan.LeftJoin, []string{"1|1.0|'x'", "2|NULL|NULL", "3|NULL|NULL"}},
		{plan.FullJoin, []string{"1|1.0|'x'", "2|NULL|NULL", "3|NULL|NULL", "NULL|2.0|'y'", "NULL|2.5|'x'"}},
		{plan.AntiJoin, []string{"2", "3"}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			forEachBatchSize(t, func(t *testing.T, size int) {
				// BIGINT 1 matches DOUBLE 1.0, as in Spark.
				j := &plan.Join{Left: scan(ls, left, size), Right: scan(rs, right, size), Kind: tc.kind,
					LeftKeys: []plan.Expr{col(0, types.Int)}, RightKeys: []plan.Expr{col(0, types.Float)}, Residual: residual}
				checkRows(t, mustRun(t, j), tc.want, false)
			})
		})
	}
}

// ---- sort, top-N, filter, limit, distinct ----

func numbered(n int) (types.Schema, [][]types.Value) {
	schema := types.Schema{{Name: "i", Kind: types.Int}, {Name: "m", Kind: types.Int}, {Name: "s", Kind: types.String}}
	rows := make([][]types.Value, n)
	for i := range rows {
		m := i64(int64(i % 4))
		if i%7 == 3 {
			m = null
		}
		rows[i] = []types.Value{i64(int64(i)), m, str(fmt.Sprintf("s%02d", i%5))}
	}
	return schema, rows
}

func TestSortAndTopN(t *testing.T) {
	schema, rows := numbered(23)
	keys := []plan.SortKey{{Expr: col(1, types.Int), Desc: true, NullsFirst: true}, {Expr: col(2, types.String)}}
	forEachBatchSize(t, func(t *testing.T, size int) {
		full := render(mustRun(t, &plan.Sort{Input: scan(schema, rows, size), Keys: keys, Limit: -1}))
		if len(full) != len(rows) {
			t.Fatalf("sort returned %d rows, want %d", len(full), len(rows))
		}
		// NULLs first, then m descending, then s ascending; ties stay in input order.
		prev := mustRun(t, &plan.Sort{Input: scan(schema, rows, size), Keys: keys, Limit: -1})
		for i := 1; i < len(prev); i++ {
			a, b := prev[i-1], prev[i]
			if a[1].IsNull() && !b[1].IsNull() {
				continue
			}
			if !a[1].IsNull() && b[1].IsNull() {
				t.Fatalf("NULL after non-NULL at %d", i)
			}
			c := types.Compare(a[1], b[1])
			if a[1].IsNull() {
				c = 0
			}
			if c < 0 || (c == 0 && (types.Compare(a[2], b[2]) > 0 || (types.Compare(a[2], b[2]) == 0 && a[0].I > b[0].I))) {
				t.Fatalf("rows %d and %d out of order: %v, %v", i-1, i, a, b)
			}
		}
		for _, n := range []int64{0, 1, 5, 23, 40, math.MaxInt64} {
			top := mustRun(t, &plan.Sort{Input: scan(schema, rows, size), Keys: keys, Limit: n})
			checkRows(t, top, full[:min(int(n), len(full))], true)
		}
	})
}

func TestFilterLimitDistinctBoundaries(t *testing.T) {
	schema, rows := numbered(17)
	even := op(plan.OpEq, types.Bool, op(plan.OpMod, types.Int, col(0, types.Int), lit(i64(2))), lit(i64(0)))
	ref := func(limit, offset int) []string {
		var out []string
		for _, r := range rows {
			if r[0].I%2 == 0 {
				out = append(out, render([][]types.Value{r})[0])
			}
		}
		out = out[min(offset, len(out)):]
		if limit >= 0 {
			out = out[:min(limit, len(out))]
		}
		return out
	}
	forEachBatchSize(t, func(t *testing.T, size int) {
		filtered := func() plan.Node { return &plan.Filter{Input: scan(schema, rows, size), Cond: even} }
		checkRows(t, mustRun(t, filtered()), ref(-1, 0), true)
		for _, lo := range [][2]int{{0, 0}, {1, 0}, {3, 2}, {4, 5}, {100, 1}, {2, 100}, {-1, 3}, {math.MaxInt64, 1}, {math.MaxInt64, math.MaxInt64}} {
			n := &plan.Limit{Input: filtered(), Count: int64(lo[0]), Offset: int64(lo[1])}
			got := mustRun(t, n)
			checkRows(t, got, ref(lo[0], lo[1]), true)
		}
		// Filter that keeps nothing, then everything.
		checkRows(t, mustRun(t, &plan.Filter{Input: scan(schema, rows, size), Cond: lit(boolean(false))}), nil, true)
		checkRows(t, mustRun(t, &plan.Filter{Input: scan(schema, rows, size), Cond: lit(null)}), nil, true)
		// DISTINCT over (m, s): first-seen order, NULLs equal.
		proj := &plan.Project{Input: scan(schema, rows, size), Exprs: []plan.Expr{col(1, types.Int), col(2, types.String)}, Names: []string{"m", "s"}}
		got := mustRun(t, &plan.Distinct{Input: proj})
		seen := map[string]bool{}
		var want []string
		for _, r := range render(mustRun(t, proj)) {
			if !seen[r] {
				seen[r] = true
				want = append(want, r)
			}
		}
		checkRows(t, got, want, true)
		// A stack of streaming operators over tiny batches.
		stack := &plan.Limit{Input: &plan.Distinct{Input: &plan.Project{Input: filtered(), Exprs: []plan.Expr{col(2, types.String)}, Names: []string{"s"}}}, Count: 3, Offset: 1}
		checkRows(t, mustRun(t, stack), []string{"'s02'", "'s04'", "'s01'"}, true)
	})
}

// TestUnionAllStreams checks UNION ALL, which passes batches through, over
// inputs of different batch sizes.
func TestUnionAllStreams(t *testing.T) {
	schema, rows := numbered(9)
	forEachBatchSize(t, func(t *testing.T, size int) {
		n := &plan.SetOp{Op: "UNION", All: true, Left: scan(schema, rows, size), Right: scan(schema, rows[:4], 2), Names: []string{"i", "m", "s"}, Kinds: []types.Kind{types.Int, types.Int, types.String}}
		want := append(render(rows), render(rows[:4])...)
		checkRows(t, mustRun(t, n), want, true)
	})
}

// TestSortMatchesStableReference checks the columnar sort against a stable
// sort of materialised rows over random data: every key kind, NULLs,
// NaN, both directions and both NULL placements, ties in input order.
func TestSortMatchesStableReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	schema := types.Schema{{Name: "i", Kind: types.Int}, {Name: "f", Kind: types.Float}, {Name: "s", Kind: types.String}, {Name: "seq", Kind: types.Int}}
	rows := make([][]types.Value, 3000)
	for r := range rows {
		iv, fv, sv := i64(int64(rng.IntN(7))), f64(float64(rng.IntN(5))/2), str(fmt.Sprintf("k%d", rng.IntN(9)))
		switch rng.IntN(10) {
		case 0:
			iv = null
		case 1:
			fv = null
		case 2:
			sv = null
		case 3:
			fv = f64(math.NaN())
		}
		rows[r] = []types.Value{iv, fv, sv, i64(int64(r))}
	}
	for _, keys := range [][]plan.SortKey{
		{{Expr: col(0, types.Int)}},
		{{Expr: col(1, types.Float), Desc: true}, {Expr: col(2, types.String), NullsFirst: true}},
		{{Expr: col(2, types.String), Desc: true, NullsFirst: false}, {Expr: col(0, types.Int), Desc: true, NullsFirst: true}, {Expr: col(1, types.Float)}},
	} {
		want := slices.Clone(rows)
		slices.SortStableFunc(want, func(a, b []types.Value) int {
			ka, kb := make([]types.Value, len(keys)), make([]types.Value, len(keys))
			for i, k := range keys {
				ka[i], kb[i] = a[k.Expr.(*plan.ColRef).Idx], b[k.Expr.(*plan.ColRef).Idx]
			}
			return compareKeysForTest(ka, kb, keys)
		})
		for _, size := range []int{1, 7, 1024} {
			got := mustRun(t, &plan.Sort{Input: scan(schema, rows, size), Keys: keys, Limit: -1})
			checkRows(t, got, render(want), true)
		}
	}
}

// compareKeysForTest is the reference order: NULLs last unless NullsFirst
// whatever the direction, NaN above every number (types.Compare).
func compareKeysForTest(a, b []types.Value, keys []plan.SortKey) int {
	for i, k := range keys {
		x, y := a[i], b[i]
		var c int
		switch {
		case x.IsNull() && y.IsNull():
		case x.IsNull() != y.IsNull():
			c = 1
			if x.IsNull() == k.NullsFirst {
				c = -1
			}
		default:
			c = types.Compare(x, y)
			if k.Desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}
