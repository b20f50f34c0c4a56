package functions

import "github.com/nectar-dev/nectar/types"

// The counting aggregates: count, count_if and approx_count_distinct.

func init() {
	registerAggregate(&Aggregate{
		Name:        "count",
		Doc:         "count(*), count(x), count(DISTINCT x), count([DISTINCT] a, b, …) → BIGINT: rows, non-NULL values, distinct non-NULL values; with several arguments the rows (or distinct tuples) in which none is NULL",
		Shape:       CountArgs,
		Check:       anyKind(func(types.Kind) types.Kind { return types.Int }),
		New:         func(AggSpec) Accumulator { return &countAcc{} },
		Fold:        foldCount,
		Incremental: true,
		Spark:       sparkAs("count"),
		SparkWindow: true,
	})
	registerAggregate(&Aggregate{
		Name:        "count_if",
		Doc:         "count_if(cond) → BIGINT: rows where cond is true",
		Check:       boolean(types.Int),
		New:         func(AggSpec) Accumulator { return &countIfAcc{} },
		Fold:        foldCountIf,
		Incremental: true,
		Spark:       sparkAs("count_if"),
	})
	registerAggregate(&Aggregate{
		Name:  "approx_count_distinct",
		Doc:   "approx_count_distinct(x) → BIGINT: distinct non-NULL values, counted exactly (within any error bound Spark promises)",
		Check: anyKind(func(types.Kind) types.Kind { return types.Int }),
		// Exact counting: a DISTINCT count whatever the call says.
		New: func(s AggSpec) Accumulator { return NewDistinct(&countAcc{}, s.Hold, false) },
		// The state is the set of values: bounded only by the input, but
		// resumable, and streams have always kept it.
		Incremental: true,
		// Spark's count(DISTINCT) is exact too, so both engines agree.
		Spark: func(c SparkCall) string { return "count(DISTINCT " + c.Arg + ")" },
	})
}

// countAcc counts non-NULL values; count(*) passes it 1 for every row.
type countAcc struct{ n int64 }

func (a *countAcc) Add(v, _ types.Value) error {
	if !v.IsNull() {
		a.n++
	}
	return nil
}

func (a *countAcc) Merge(other Accumulator) error {
	o, ok := other.(*countAcc)
	if !ok {
		return mismatch(a, other)
	}
	a.n += o.n
	return nil
}

func (a *countAcc) Result() types.Value    { return types.IntValue(a.n) }
func (a *countAcc) Export() (State, error) { return State{N: a.n}, nil }
func (a *countAcc) Import(s State) error   { a.n = s.N; return nil }

// foldCount is count's batch fold: no Value is built, and count(*) (no
// argument) counts every row.
func foldCount(in *Rows) error {
	groups, states, filt := in.Group, in.States, in.Filter
	var nulls []bool // nil for count(*), which counts every row
	if in.Arg != nil {
		nulls = in.Arg.Nulls
	}
	for r, gi := range groups {
		if filtered(filt, r) || (nulls != nil && nulls[r]) {
			continue
		}
		if c, ok := states[gi].(*countAcc); ok {
			c.n++
		} else if err := states[gi].Add(types.IntValue(1), types.NullValue); err != nil {
			return err
		}
	}
	return nil
}

// countIfAcc counts true values.
type countIfAcc struct{ n int64 }

func (a *countIfAcc) Add(v, _ types.Value) error {
	if !v.IsNull() && v.Bool() {
		a.n++
	}
	return nil
}

func (a *countIfAcc) Merge(other Accumulator) error {
	o, ok := other.(*countIfAcc)
	if !ok {
		return mismatch(a, other)
	}
	a.n += o.n
	return nil
}

func (a *countIfAcc) Result() types.Value    { return types.IntValue(a.n) }
func (a *countIfAcc) Export() (State, error) { return State{N: a.n}, nil }
func (a *countIfAcc) Import(s State) error   { a.n = s.N; return nil }

func foldCountIf(in *Rows) error {
	arg := in.Arg
	if arg == nil || arg.Kind != types.Bool {
		return FoldEach(in)
	}
	groups, states, filt, nulls, is := in.Group, in.States, in.Filter, arg.Nulls, arg.I
	for r, gi := range groups {
		if filtered(filt, r) || nulls[r] || is[r] == 0 {
			continue
		}
		if c, ok := states[gi].(*countIfAcc); ok {
			c.n++
		} else if err := states[gi].Add(types.BoolValue(true), types.NullValue); err != nil {
			return err
		}
	}
	return nil
}
