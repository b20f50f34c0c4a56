package functions

import (
	"math"

	"github.com/nectar-dev/nectar/types"
)

// The additive aggregates: sum and avg.

func init() {
	registerAggregate(&Aggregate{
		Name:  "sum",
		Doc:   "sum(x) → BIGINT for integers (overflow is an error), an interval of x's type for intervals, else DOUBLE (compensated summation)",
		Check: orIntervalAgg(numeric(sumKind), func(k types.Kind) types.Kind { return k }),
		New: func(s AggSpec) Accumulator {
			switch {
			case s.K.IsInterval():
				return &sumIntAcc{k: s.K}
			case s.K == types.Int:
				return &sumIntAcc{}
			}
			return &sumFloatAcc{}
		},
		Fold:        foldSum,
		Incremental: true,
		Spark:       sparkAs("sum"),
		SparkWindow: true,
	})
	registerAggregate(&Aggregate{
		Name:  "avg",
		Doc:   "avg(x) → DOUBLE: the mean of the non-NULL values; of intervals, an INTERVAL YEAR TO MONTH or DAY TO SECOND rounded half up",
		Check: orIntervalAgg(numeric(floatKind), fullInterval),
		New: func(s AggSpec) Accumulator {
			if s.K.IsInterval() {
				return &avgIntervalAcc{sum: sumIntAcc{k: s.K}}
			}
			return &avgAcc{}
		},
		Fold:        foldAvg,
		Incremental: true,
		Spark:       sparkAs("avg"),
		SparkWindow: true,
	}, "mean")
}

func sumKind(k types.Kind) types.Kind {
	if k == types.Int || k == types.Bool {
		return types.Int
	}
	return types.Float
}

// sumIntAcc sums BIGINTs, or intervals of kind k (months or
// microseconds), exactly.
type sumIntAcc struct {
	s   int64
	any bool
	k   types.Kind // an interval kind, or Null for BIGINT
}

func (a *sumIntAcc) Add(v, _ types.Value) error {
	if v.IsNull() {
		return nil
	}
	return a.add(v.I)
}

func (a *sumIntAcc) add(x int64) error {
	s := a.s + x
	if (x > 0 && s < a.s) || (x < 0 && s > a.s) {
		return ErrOverflow
	}
	if a.k.IsYearMonth() && (s > math.MaxInt32 || s < math.MinInt32) {
		return ErrOverflow // Spark holds months in an Int
	}
	a.s, a.any = s, true
	return nil
}

func (a *sumIntAcc) Merge(other Accumulator) error {
	o, ok := other.(*sumIntAcc)
	if !ok {
		return mismatch(a, other)
	}
	if !o.any {
		return nil
	}
	return a.add(o.s)
}

func (a *sumIntAcc) Result() types.Value {
	if !a.any {
		return types.NullValue
	}
	if a.k.IsInterval() {
		return types.Value{K: a.k, I: a.s}
	}
	return types.IntValue(a.s)
}

func (a *sumIntAcc) Export() (State, error) { return State{I: a.s, Any: a.any}, nil }
func (a *sumIntAcc) Import(s State) error   { a.s, a.any = s.I, s.Any; return nil }

// sumFloatAcc adds with Kahan–Babuška (Neumaier) compensation so that a
// long column of cents sums to the last digit.
type sumFloatAcc struct {
	s, c float64
	any  bool
}

func (a *sumFloatAcc) Add(v, _ types.Value) error {
	if !v.IsNull() {
		a.addFloat(v.AsFloat())
	}
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

// Merge adds the other sum and carries its compensation along.
func (a *sumFloatAcc) Merge(other Accumulator) error {
	o, ok := other.(*sumFloatAcc)
	if !ok {
		return mismatch(a, other)
	}
	if o.any {
		a.addFloat(o.s)
		a.c += o.c
	}
	return nil
}

func (a *sumFloatAcc) value() float64 { return a.s + a.c }

func (a *sumFloatAcc) Result() types.Value {
	if !a.any {
		return types.NullValue
	}
	return types.FloatValue(a.value())
}

func (a *sumFloatAcc) Export() (State, error) { return State{F: a.s, C: a.c, Any: a.any}, nil }
func (a *sumFloatAcc) Import(s State) error   { a.s, a.c, a.any = s.F, s.C, s.Any; return nil }

// foldSum adds DOUBLE and BIGINT columns without building Values.
func foldSum(in *Rows) error {
	arg := in.Arg
	if arg == nil || (arg.Kind != types.Float && arg.Kind != types.Int) {
		return FoldEach(in)
	}
	groups, states, filt := in.Group, in.States, in.Filter
	nulls, fs, is, isFloat := arg.Nulls, arg.F, arg.I, arg.Kind == types.Float
	for r, gi := range groups {
		if filtered(filt, r) || nulls[r] {
			continue
		}
		switch s := states[gi].(type) {
		case *sumFloatAcc:
			if isFloat {
				s.addFloat(fs[r])
			} else {
				s.addFloat(float64(is[r]))
			}
			continue
		case *sumIntAcc:
			if !isFloat {
				if err := s.add(is[r]); err != nil {
					return err
				}
				continue
			}
		}
		if err := states[gi].Add(arg.Get(r), types.NullValue); err != nil {
			return err
		}
	}
	return nil
}

type avgAcc struct {
	sum sumFloatAcc
	n   int64
}

func (a *avgAcc) Add(v, _ types.Value) error {
	if !v.IsNull() {
		a.n++
		a.sum.addFloat(v.AsFloat())
	}
	return nil
}

func (a *avgAcc) Merge(other Accumulator) error {
	o, ok := other.(*avgAcc)
	if !ok {
		return mismatch(a, other)
	}
	a.n += o.n
	return a.sum.Merge(&o.sum)
}

func (a *avgAcc) Result() types.Value {
	if a.n == 0 {
		return types.NullValue
	}
	return types.FloatValue(a.sum.value() / float64(a.n))
}

func (a *avgAcc) Export() (State, error) {
	return State{F: a.sum.s, C: a.sum.c, Any: a.sum.any, N: a.n}, nil
}

func (a *avgAcc) Import(s State) error {
	a.sum.s, a.sum.c, a.sum.any, a.n = s.F, s.C, s.Any, s.N
	return nil
}

func foldAvg(in *Rows) error {
	arg := in.Arg
	if arg == nil || (arg.Kind != types.Float && arg.Kind != types.Int) {
		return FoldEach(in)
	}
	groups, states, filt := in.Group, in.States, in.Filter
	nulls, fs, is, isFloat := arg.Nulls, arg.F, arg.I, arg.Kind == types.Float
	for r, gi := range groups {
		if filtered(filt, r) || nulls[r] {
			continue
		}
		a, ok := states[gi].(*avgAcc)
		if !ok {
			if err := states[gi].Add(arg.Get(r), types.NullValue); err != nil {
				return err
			}
			continue
		}
		a.n++
		if isFloat {
			a.sum.addFloat(fs[r])
		} else {
			a.sum.addFloat(float64(is[r]))
		}
	}
	return nil
}

// orIntervalAgg extends an aggregate's numeric check to an interval
// argument, whose result kind is result(interval kind).
func orIntervalAgg(check func(types.Kind) (types.Kind, types.Kind, error), result func(types.Kind) types.Kind) func(types.Kind) (types.Kind, types.Kind, error) {
	return func(arg types.Kind) (types.Kind, types.Kind, error) {
		if arg.IsInterval() {
			return arg, result(arg), nil
		}
		return check(arg)
	}
}

// fullInterval is the family's widest type, which Spark's Average of
// intervals gives.
func fullInterval(k types.Kind) types.Kind {
	if k.IsYearMonth() {
		return types.YearMonth
	}
	return types.DayTime
}

// avgIntervalAcc is avg of intervals: the exact sum divided by the count,
// rounded half up (Spark: DivideYMInterval and DivideDTInterval of the
// sum).
type avgIntervalAcc struct {
	sum sumIntAcc
	n   int64
}

func (a *avgIntervalAcc) Add(v, _ types.Value) error {
	if v.IsNull() {
		return nil
	}
	a.n++
	return a.sum.Add(v, types.NullValue)
}

func (a *avgIntervalAcc) Merge(other Accumulator) error {
	o, ok := other.(*avgIntervalAcc)
	if !ok {
		return mismatch(a, other)
	}
	a.n += o.n
	return a.sum.Merge(&o.sum)
}

func (a *avgIntervalAcc) Result() types.Value {
	if a.n == 0 {
		return types.NullValue
	}
	v, err := DivInterval(types.Value{K: a.sum.k, I: a.sum.s}, types.IntValue(a.n), fullInterval(a.sum.k))
	if err != nil {
		return types.NullValue
	}
	return v
}

func (a *avgIntervalAcc) Export() (State, error) {
	return State{I: a.sum.s, Any: a.sum.any, N: a.n}, nil
}

func (a *avgIntervalAcc) Import(s State) error {
	a.sum.s, a.sum.any, a.n = s.I, s.Any, s.N
	return nil
}
