package exec

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// aggregate is hash aggregation: one entry per distinct group key, holding
// one accumulator per aggregate call.
type aggregate struct {
	in   Operator
	node *plan.Aggregate
	out  *rowSource
}

type group struct {
	keys []types.Value
	accs []accumulator
}

func (a *aggregate) Next(ctx context.Context) (*types.Batch, error) {
	if a.out == nil {
		rows, err := a.run(ctx)
		if err != nil {
			return nil, err
		}
		a.out = newRowSource(a.node.Schema(), rows)
	}
	return a.out.Next(ctx)
}

func (a *aggregate) run(ctx context.Context) ([][]types.Value, error) {
	n := a.node
	groups := map[string]*group{}
	var order []*group
	var key []byte
	hold := func(b int64) error { return reserve(ctx, b, "an aggregate's DISTINCT values or percentiles") }
	keyVecs := make([]*types.Vector, len(n.Groups))
	argVecs := make([]*types.Vector, len(n.Aggs))
	ordVecs := make([]*types.Vector, len(n.Aggs))
	filtVecs := make([]*types.Vector, len(n.Aggs))
	var rowGroups []*group
	for {
		b, err := a.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			break
		}
		for i, g := range n.Groups {
			if keyVecs[i], err = Eval(g, b); err != nil {
				return nil, err
			}
		}
		for i, c := range n.Aggs {
			argVecs[i], ordVecs[i], filtVecs[i] = nil, nil, nil
			if c.Arg != nil {
				if argVecs[i], err = Eval(c.Arg, b); err != nil {
					return nil, err
				}
			}
			if c.Ord != nil {
				if ordVecs[i], err = Eval(c.Ord, b); err != nil {
					return nil, err
				}
			}
			if c.Filter != nil {
				if filtVecs[i], err = Eval(c.Filter, b); err != nil {
					return nil, err
				}
			}
		}
		// First each row's group, then one aggregate at a time over the
		// batch: the loops stay tight and the common accumulators are
		// updated without boxing values.
		rowGroups = rowGroups[:0]
		for r := 0; r < b.Len; r++ {
			key = key[:0]
			for _, v := range keyVecs {
				key = types.AppendKey(key, v.Get(r))
			}
			g := groups[string(key)]
			if g == nil {
				if err := reserve(ctx, int64(2*len(key))+valueSize*int64(len(keyVecs))+64*int64(len(n.Aggs))+64, "GROUP BY"); err != nil {
					return nil, err
				}
				g = &group{keys: make([]types.Value, len(keyVecs)), accs: newAccumulators(n.Aggs, hold)}
				for i, v := range keyVecs {
					g.keys[i] = v.Get(r)
				}
				groups[string(key)] = g
				order = append(order, g)
			}
			rowGroups = append(rowGroups, g)
		}
		for i := range n.Aggs {
			if err := foldColumn(rowGroups, i, argVecs[i], ordVecs[i], filtVecs[i]); err != nil {
				return nil, err
			}
		}
	}
	// A global aggregate (no GROUP BY) yields one row even over no input.
	if len(n.Groups) == 0 && len(order) == 0 {
		order = append(order, &group{accs: newAccumulators(n.Aggs, hold)})
	}
	rows := make([][]types.Value, len(order))
	for i, g := range order {
		row := append(make([]types.Value, 0, len(g.keys)+len(g.accs)), g.keys...)
		for j, acc := range g.accs {
			row = append(row, coerce(acc.result(), n.Aggs[j].K))
		}
		rows[i] = row
	}
	return rows, nil
}

func (a *aggregate) Close() error { return a.in.Close() }

// accumulator folds one aggregate's input values; NULLs are skipped by all
// but count(*).
type accumulator interface {
	add(v types.Value) error
	result() types.Value
}

// foldColumn folds aggregate i's input over a batch into the accumulator
// of each row's group (rowGroups[r]), skipping rows its FILTER rejects.
func foldColumn(rowGroups []*group, i int, arg, ord, filt *types.Vector) error {
	for r, g := range rowGroups {
		if filt != nil && (filt.Nulls[r] || filt.I[r] == 0) {
			continue
		}
		switch acc := g.accs[i].(type) {
		case *countAcc:
			// count(*) has no argument and counts every row.
			if arg == nil || !arg.Nulls[r] {
				acc.n++
			}
			continue
		case *sumFloatAcc:
			if arg.Kind == types.Float {
				if !arg.Nulls[r] {
					acc.addFloat(arg.F[r])
				}
				continue
			}
		}
		if err := addRow(g.accs[i], arg, ord, r); err != nil {
			return err
		}
	}
	return nil
}

// addRow folds row r into acc: the argument's value (1 for count(*)), and
// for min_by/max_by its ordering too.
func addRow(acc accumulator, arg, ord *types.Vector, r int) error {
	v := types.Value{K: types.Int, I: 1} // count(*) counts rows
	if arg != nil {
		v = arg.Get(r)
	}
	if ord != nil {
		return acc.(*byAcc).addBy(v, ord.Get(r))
	}
	return acc.add(v)
}

func newAccumulators(calls []plan.AggCall, hold func(int64) error) []accumulator {
	out := make([]accumulator, len(calls))
	for i, c := range calls {
		out[i] = newAccumulator(c, hold)
	}
	return out
}

// newAccumulator makes c's accumulator. hold, when not nil, accounts the
// memory of accumulators whose state grows with their input (DISTINCT,
// percentiles).
func newAccumulator(c plan.AggCall, hold func(int64) error) accumulator {
	var acc accumulator
	switch c.Name {
	case "count", "approx_count_distinct":
		acc = &countAcc{}
	case "count_if":
		acc = &countIfAcc{}
	case "sum":
		if c.K == types.Int {
			acc = &sumIntAcc{}
		} else {
			acc = &sumFloatAcc{}
		}
	case "avg":
		acc = &avgAcc{}
	case "min":
		acc = &extremeAcc{sign: -1}
	case "max":
		acc = &extremeAcc{sign: 1}
	case "first", "any_value":
		acc = &firstAcc{}
	case "min_by":
		acc = &byAcc{sign: -1}
	case "max_by":
		acc = &byAcc{sign: 1}
	case "last":
		acc = &lastAcc{}
	case "percentile_approx":
		acc = &percentileAcc{p: c.Param, hold: hold}
	default: // variance family
		acc = &momentAcc{name: c.Name}
	}
	if c.Distinct || c.Name == "approx_count_distinct" {
		acc = &distinctAcc{inner: acc, seen: map[string]bool{}, hold: hold}
	}
	return acc
}

type countAcc struct{ n int64 }

func (a *countAcc) add(v types.Value) error {
	if !v.IsNull() {
		a.n++
	}
	return nil
}
func (a *countAcc) result() types.Value { return types.IntValue(a.n) }

type countIfAcc struct{ n int64 }

func (a *countIfAcc) add(v types.Value) error {
	if !v.IsNull() && v.Bool() {
		a.n++
	}
	return nil
}
func (a *countIfAcc) result() types.Value { return types.IntValue(a.n) }

type sumIntAcc struct {
	s   int64
	any bool
}

func (a *sumIntAcc) add(v types.Value) error {
	if v.IsNull() {
		return nil
	}
	s := a.s + v.I
	if (v.I > 0 && s < a.s) || (v.I < 0 && s > a.s) {
		return ErrOverflow
	}
	a.s, a.any = s, true
	return nil
}
func (a *sumIntAcc) result() types.Value {
	if !a.any {
		return types.NullValue
	}
	return types.IntValue(a.s)
}

// sumFloatAcc adds with Kahan–Babuška (Neumaier) compensation so that a
// long column of cents sums to the last digit.
type sumFloatAcc struct {
	s, c float64
	any  bool
}

func (a *sumFloatAcc) add(v types.Value) error {
	if v.IsNull() {
		return nil
	}
	a.addFloat(v.AsFloat())
	return nil
}

func (a *sumFloatAcc) addFloat(x float64) {
	t := a.s + x
	if math.Abs(a.s) >= math.Abs(x) {
		a.c += (a.s - t) + x
	} else {
		a.c += (x - t) + a.s
	}
	a.s, a.any = t, true
}
func (a *sumFloatAcc) value() float64 { return a.s + a.c }
func (a *sumFloatAcc) result() types.Value {
	if !a.any {
		return types.NullValue
	}
	return types.FloatValue(a.value())
}

type avgAcc struct {
	sum sumFloatAcc
	n   int64
}

func (a *avgAcc) add(v types.Value) error {
	if v.IsNull() {
		return nil
	}
	a.n++
	return a.sum.add(v)
}
func (a *avgAcc) result() types.Value {
	if a.n == 0 {
		return types.NullValue
	}
	return types.FloatValue(a.sum.value() / float64(a.n))
}

type extremeAcc struct {
	sign int
	best types.Value
}

func (a *extremeAcc) add(v types.Value) error {
	if v.IsNull() {
		return nil
	}
	if a.best.IsNull() || types.Compare(v, a.best)*a.sign > 0 {
		a.best = v
	}
	return nil
}
func (a *extremeAcc) result() types.Value { return a.best }

// byAcc is min_by (sign -1) and max_by (sign 1): the value on the row
// whose ordering is least (greatest). Rows with a NULL ordering are
// skipped, as in Spark; the value itself may be NULL. Among rows tied on
// the ordering it keeps the least (greatest) value, NULL counting as the
// least, so the answer does not depend on the order files are read in
// (Spark and DuckDB return any of them).
type byAcc struct {
	sign     int
	val, ord types.Value
	any      bool
}

func (a *byAcc) add(types.Value) error {
	return fmt.Errorf("%s called without its ordering argument", a.name())
}

func (a *byAcc) name() string {
	if a.sign < 0 {
		return "min_by"
	}
	return "max_by"
}

func (a *byAcc) addBy(v, ord types.Value) error {
	if ord.IsNull() {
		return nil
	}
	if !a.any {
		a.val, a.ord, a.any = v, ord, true
		return nil
	}
	c := types.Compare(ord, a.ord) * a.sign
	if c > 0 || (c == 0 && compareNullsFirst(v, a.val)*a.sign > 0) {
		a.val, a.ord = v, ord
	}
	return nil
}

func (a *byAcc) result() types.Value { return a.val }

// compareNullsFirst is types.Compare with NULL below every value, Spark's
// ascending order.
func compareNullsFirst(x, y types.Value) int {
	switch {
	case x.IsNull() && y.IsNull():
		return 0
	case x.IsNull():
		return -1
	case y.IsNull():
		return 1
	}
	return types.Compare(x, y)
}

type firstAcc struct {
	v    types.Value
	seen bool
}

func (a *firstAcc) add(v types.Value) error {
	if !a.seen {
		a.v, a.seen = v, true
	}
	return nil
}
func (a *firstAcc) result() types.Value { return a.v }

type lastAcc struct{ v types.Value }

func (a *lastAcc) add(v types.Value) error { a.v = v; return nil }
func (a *lastAcc) result() types.Value     { return a.v }

// percentileAcc keeps the values and answers as Spark's percentile_approx
// does when the input fits its accuracy: the smallest value whose rank is
// at least p·n.
type percentileAcc struct {
	p    float64
	vals []types.Value
	hold func(int64) error
}

func (a *percentileAcc) add(v types.Value) error {
	if v.IsNull() {
		return nil
	}
	if a.hold != nil {
		if err := a.hold(valueSize + int64(len(v.S))); err != nil {
			return err
		}
	}
	a.vals = append(a.vals, v)
	return nil
}
func (a *percentileAcc) result() types.Value {
	if len(a.vals) == 0 {
		return types.NullValue
	}
	slices.SortFunc(a.vals, types.Compare)
	rank := int(math.Ceil(a.p * float64(len(a.vals))))
	rank = max(1, min(rank, len(a.vals)))
	return a.vals[rank-1]
}

// momentAcc computes variance and standard deviation with Welford's
// online algorithm (Knuth, TAOCP vol. 2, 4.2.2), stable for large means.
type momentAcc struct {
	name    string
	n       float64
	mean, m float64
}

func (a *momentAcc) add(v types.Value) error {
	if v.IsNull() {
		return nil
	}
	x := v.AsFloat()
	a.n++
	d := x - a.mean
	a.mean += d / a.n
	a.m += d * (x - a.mean)
	return nil
}
func (a *momentAcc) result() types.Value {
	pop := a.name == "stddev_pop" || a.name == "var_pop"
	switch {
	case a.n == 0:
		return types.NullValue
	case a.n == 1 && !pop:
		return types.NullValue // Spark returns NULL for a sample of one
	}
	d := a.n - 1
	if pop {
		d = a.n
	}
	v := a.m / d
	if a.name == "variance" || a.name == "var_samp" || a.name == "var_pop" {
		return types.FloatValue(v)
	}
	return types.FloatValue(math.Sqrt(v))
}

// distinctAcc passes each distinct non-NULL value to inner once.
// approx_count_distinct uses it too: exact counting is within any error
// bound Spark promises.
type distinctAcc struct {
	inner accumulator
	seen  map[string]bool
	buf   []byte
	hold  func(int64) error
}

func (a *distinctAcc) add(v types.Value) error {
	if v.IsNull() {
		return nil
	}
	a.buf = types.AppendKey(a.buf[:0], v)
	if a.seen[string(a.buf)] {
		return nil
	}
	if a.hold != nil {
		if err := a.hold(int64(len(a.buf)) + 48); err != nil {
			return err
		}
	}
	a.seen[string(a.buf)] = true
	return a.inner.add(v)
}
func (a *distinctAcc) result() types.Value { return a.inner.result() }
