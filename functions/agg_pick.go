package functions

import "github.com/nectar-dev/nectar/types"

// The aggregates that pick one of their input values: min, max, first,
// last and any_value.

func init() {
	registerAggregate(&Aggregate{
		Name:        "min",
		Doc:         "min(x) → x's type: the least non-NULL value",
		Check:       anyKind(sameKind),
		New:         func(AggSpec) Accumulator { return &extremeAcc{sign: -1} },
		Fold:        foldExtreme,
		Incremental: true,
		Spark:       sparkAs("min"),
		SparkWindow: true,
	})
	registerAggregate(&Aggregate{
		Name:        "max",
		Doc:         "max(x) → x's type: the greatest non-NULL value",
		Check:       anyKind(sameKind),
		New:         func(AggSpec) Accumulator { return &extremeAcc{sign: 1} },
		Fold:        foldExtreme,
		Incremental: true,
		Spark:       sparkAs("max"),
		SparkWindow: true,
	})
	registerAggregate(&Aggregate{
		Name:         "first",
		Doc:          "first(x) → x's type: the value of the first row read, NULL or not",
		Check:        anyKind(sameKind),
		New:          func(AggSpec) Accumulator { return &firstAcc{} },
		Incremental:  true,
		Spark:        sparkAs("first"),
		ArrivalOrder: true,
	})
	registerAggregate(&Aggregate{
		Name:         "any_value",
		Doc:          "any_value(x) → x's type: the value of the first row read, NULL or not",
		Check:        anyKind(sameKind),
		New:          func(AggSpec) Accumulator { return &firstAcc{} },
		Incremental:  true,
		Spark:        sparkAs("any_value"),
		ArrivalOrder: true,
	})
	registerAggregate(&Aggregate{
		Name:         "last",
		Doc:          "last(x) → x's type: the value of the last row read, NULL or not",
		Check:        anyKind(sameKind),
		New:          func(AggSpec) Accumulator { return &lastAcc{} },
		Incremental:  true,
		Spark:        sparkAs("last"),
		ArrivalOrder: true,
	})
}

// extremeAcc is min (sign -1) and max (sign 1).
type extremeAcc struct {
	sign int
	best types.Value
}

func (a *extremeAcc) Add(v, _ types.Value) error {
	a.add(v)
	return nil
}

func (a *extremeAcc) add(v types.Value) {
	if v.IsNull() {
		return
	}
	if a.best.IsNull() || types.Compare(v, a.best)*a.sign > 0 {
		a.best = v
	}
}

func (a *extremeAcc) Merge(other Accumulator) error {
	o, ok := other.(*extremeAcc)
	if !ok || o.sign != a.sign {
		return mismatch(a, other)
	}
	a.add(o.best)
	return nil
}

func (a *extremeAcc) Result() types.Value    { return a.best }
func (a *extremeAcc) Export() (State, error) { return State{V: a.best}, nil }
func (a *extremeAcc) Import(s State) error   { a.best = s.V; return nil }

// foldExtreme calls the concrete add, without an interface call per row.
func foldExtreme(in *Rows) error {
	arg := in.Arg
	if arg == nil {
		return FoldEach(in)
	}
	groups, states, filt, nulls := in.Group, in.States, in.Filter, arg.Nulls
	for r, gi := range groups {
		if filtered(filt, r) || nulls[r] {
			continue
		}
		if e, ok := states[gi].(*extremeAcc); ok {
			e.add(arg.Get(r))
		} else if err := states[gi].Add(arg.Get(r), types.NullValue); err != nil {
			return err
		}
	}
	return nil
}

// firstAcc keeps the first value it is given, NULL included: Spark's
// first(x) without ignoreNulls.
type firstAcc struct {
	v    types.Value
	seen bool
}

func (a *firstAcc) Add(v, _ types.Value) error {
	if !a.seen {
		a.v, a.seen = v, true
	}
	return nil
}

func (a *firstAcc) Merge(other Accumulator) error {
	o, ok := other.(*firstAcc)
	if !ok {
		return mismatch(a, other)
	}
	if !a.seen && o.seen {
		a.v, a.seen = o.v, true
	}
	return nil
}

func (a *firstAcc) Result() types.Value    { return a.v }
func (a *firstAcc) Export() (State, error) { return State{V: a.v, Any: a.seen}, nil }
func (a *firstAcc) Import(s State) error   { a.v, a.seen = s.V, s.Any; return nil }

// lastAcc keeps the last value it is given, NULL included.
type lastAcc struct {
	v    types.Value
	seen bool
}

func (a *lastAcc) Add(v, _ types.Value) error {
	a.v, a.seen = v, true
	return nil
}

func (a *lastAcc) Merge(other Accumulator) error {
	o, ok := other.(*lastAcc)
	if !ok {
		return mismatch(a, other)
	}
	if o.seen {
		a.v, a.seen = o.v, true
	}
	return nil
}

func (a *lastAcc) Result() types.Value    { return a.v }
func (a *lastAcc) Export() (State, error) { return State{V: a.v, Any: a.seen}, nil }

// Import reads Any as "a row was seen"; state saved before lastAcc kept
// that flag holds only V, and a non-NULL V implies a row.
func (a *lastAcc) Import(s State) error {
	a.v, a.seen = s.V, s.Any || !s.V.IsNull()
	return nil
}
