package functions

import (
	"fmt"

	"github.com/nectar-dev/nectar/types"
)

// min_by and max_by: the value on the row whose ordering is least or
// greatest.

func init() {
	for _, sign := range []int{-1, 1} {
		name, word := "min_by", "least"
		if sign > 0 {
			name, word = "max_by", "greatest"
		}
		registerAggregate(&Aggregate{
			Name: name,
			Doc: name + "(x, ord) → x's type: x on the row with the " + word + " ord; rows whose ord is NULL are skipped, x may be NULL. " +
				"Among rows tied on ord, the " + word + " x, NULL lowest, so the answer does not depend on file order " +
				"(Spark and DuckDB return any of them; on Spark nectar orders by `struct(ord, x)` to match). Not a window function",
			Shape:       OrderedArgs,
			Check:       anyKind(sameKind),
			New:         func(AggSpec) Accumulator { return &byAcc{sign: sign} },
			Fold:        foldBy,
			Incremental: true,
			// The window operator folds frames one value at a time, without
			// the ordering.
			NotWindow: "first_value(x) OVER (PARTITION BY … ORDER BY ord NULLS LAST, x) takes the same value",
			Spark: func(c SparkCall) string {
				// Spark picks any row among those tied on the ordering;
				// nectar the least (min_by) or greatest (max_by) value.
				// Ordering by the pair (ord, value) gives nectar's answer,
				// and the CASE keeps rows with a NULL ordering skipped,
				// since a struct is never NULL.
				return fmt.Sprintf("%s(%s, CASE WHEN (%s) IS NOT NULL THEN struct(%s, %s) END)", name, c.Arg, c.Ord, c.Ord, c.Arg)
			},
		})
	}
}

// byAcc is min_by (sign -1) and max_by (sign 1). Rows with a NULL
// ordering are skipped, as in Spark; the value itself may be NULL. Among
// rows tied on the ordering it keeps the least (greatest) value, NULL
// counting as the least, so the answer does not depend on the order files
// are read in (Spark and DuckDB return any of them).
type byAcc struct {
	sign     int
	val, ord types.Value
	any      bool
}

func (a *byAcc) Add(v, ord types.Value) error {
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

// Merge is an Add of the other state's pick: ties are broken on the value,
// not on arrival, so the order of the two parts does not matter.
func (a *byAcc) Merge(other Accumulator) error {
	o, ok := other.(*byAcc)
	if !ok || o.sign != a.sign {
		return mismatch(a, other)
	}
	if !o.any {
		return nil
	}
	return a.Add(o.val, o.ord)
}

func (a *byAcc) Result() types.Value { return a.val }

func (a *byAcc) Export() (State, error) { return State{V: a.val, Ord: a.ord, Any: a.any}, nil }
func (a *byAcc) Import(s State) error {
	a.val, a.ord, a.any = s.V, s.Ord, s.Any
	return nil
}

func foldBy(in *Rows) error {
	arg, ord := in.Arg, in.Ord
	if arg == nil || ord == nil {
		return FoldEach(in)
	}
	groups, states, filt, ordNulls := in.Group, in.States, in.Filter, ord.Nulls
	for r, gi := range groups {
		if filtered(filt, r) || ordNulls[r] {
			continue
		}
		if b, ok := states[gi].(*byAcc); ok {
			// A direct call: Add on the concrete type.
			_ = b.Add(arg.Get(r), ord.Get(r))
		} else if err := states[gi].Add(arg.Get(r), ord.Get(r)); err != nil {
			return err
		}
	}
	return nil
}

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
