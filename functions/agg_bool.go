package functions

import "github.com/nectar-dev/nectar/types"

// bool_and and bool_or, with Spark's synonyms every, some and any: the
// logical AND and OR of the non-NULL values, NULL when there are none
// (Spark: sql-tests/inputs/group-by.sql, "every/some/any aggregates").
// Only BOOLEAN is accepted: Spark rejects every(1) and every('true').

func init() {
	for _, op := range []struct {
		name    string
		or      bool
		doc     string
		aliases []string
	}{
		{"bool_and", false, "bool_and(b) → BOOLEAN: true if every non-NULL b is true, NULL if there is none", []string{"every"}},
		{"bool_or", true, "bool_or(b) → BOOLEAN: true if any non-NULL b is true, NULL if there is none", []string{"some", "any"}},
	} {
		registerAggregate(&Aggregate{
			Name:        op.name,
			Doc:         op.doc,
			Check:       boolean(types.Bool),
			New:         func(AggSpec) Accumulator { return &boolAcc{or: op.or} },
			Fold:        foldBool,
			Incremental: true,
			Spark:       sparkAs(op.name),
			SparkWindow: true,
		}, op.aliases...)
	}
}

// boolAcc is bool_and (or false) and bool_or (or true).
type boolAcc struct {
	or     bool
	v, any bool
}

func (a *boolAcc) Add(v, _ types.Value) error {
	if !v.IsNull() {
		a.add(v.Bool())
	}
	return nil
}

func (a *boolAcc) add(b bool) {
	switch {
	case !a.any:
		a.v, a.any = b, true
	case a.or:
		a.v = a.v || b
	default:
		a.v = a.v && b
	}
}

func (a *boolAcc) Merge(other Accumulator) error {
	o, ok := other.(*boolAcc)
	if !ok || o.or != a.or {
		return mismatch(a, other)
	}
	if o.any {
		a.add(o.v)
	}
	return nil
}

func (a *boolAcc) Result() types.Value {
	if !a.any {
		return types.NullValue
	}
	return types.BoolValue(a.v)
}

func (a *boolAcc) Export() (State, error) { return State{Any: a.any, V: a.Result()}, nil }
func (a *boolAcc) Import(s State) error {
	a.any, a.v = s.Any, s.V.Bool()
	return nil
}

func foldBool(in *Rows) error {
	arg := in.Arg
	if arg == nil || arg.Kind != types.Bool {
		return FoldEach(in)
	}
	groups, states, filt, nulls, is := in.Group, in.States, in.Filter, arg.Nulls, arg.I
	for r, gi := range groups {
		if filtered(filt, r) || nulls[r] {
			continue
		}
		if b, ok := states[gi].(*boolAcc); ok {
			b.add(is[r] != 0)
		} else if err := states[gi].Add(arg.Get(r), types.NullValue); err != nil {
			return err
		}
	}
	return nil
}
