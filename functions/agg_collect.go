package functions

import "github.com/nectar-dev/nectar/types"

// collect_list and collect_set: a group's values as an ARRAY.

func init() {
	for _, set := range []bool{false, true} {
		name, doc := "collect_list", "collect_list(x) → ARRAY: the group's non-NULL values, in the order rows are read"
		if set {
			name, doc = "collect_set", "collect_set(x) → ARRAY: the group's distinct non-NULL values, in the order first read"
		}
		registerAggregate(&Aggregate{
			Name:  name,
			Doc:   doc,
			Check: anyKind(types.ArrayOf),
			New: func(s AggSpec) Accumulator {
				a := &collectAcc{k: s.K, hold: s.Hold}
				if set {
					a.seen = map[string]bool{}
				}
				return a
			},
			ArrivalOrder: true,
			NotWindow:    name + " over a window is not supported: aggregate with GROUP BY in a subquery and join",
			Spark:        sparkAs(name),
		})
	}
}

// collectAcc gathers values; with seen, each distinct value once.
type collectAcc struct {
	k    types.Kind // the ARRAY result
	vals []types.Value
	seen map[string]bool
	hold func(int64) error
}

func (a *collectAcc) Add(v, _ types.Value) error {
	if v.IsNull() {
		return nil
	}
	if a.seen != nil {
		key := string(types.AppendKey(nil, v))
		if a.seen[key] {
			return nil
		}
		a.seen[key] = true
	}
	if a.hold != nil {
		if err := a.hold(int64(32 + len(v.S))); err != nil {
			return err
		}
	}
	a.vals = append(a.vals, v)
	return nil
}

func (a *collectAcc) Merge(other Accumulator) error {
	o, ok := other.(*collectAcc)
	if !ok || (o.seen == nil) != (a.seen == nil) {
		return mismatch(a, other)
	}
	for _, v := range o.vals {
		if err := a.Add(v, types.NullValue); err != nil {
			return err
		}
	}
	return nil
}

func (a *collectAcc) Result() types.Value {
	k := a.k
	if !k.IsArray() {
		k = types.ArrayOf(types.Null)
	}
	return types.ArrayValue(k, a.vals)
}
