package functions

import (
	"math"
	"slices"
	"unsafe"

	"github.com/nectar-dev/nectar/types"
)

// percentile_approx, computed exactly.

func init() {
	registerAggregate(&Aggregate{
		Name:  "percentile_approx",
		Doc:   "percentile_approx(x, p[, accuracy]) → x's type: the smallest value whose rank is at least p·n (exact; accuracy is ignored)",
		Shape: FractionArgs,
		Check: numeric(sameKind),
		New:   func(s AggSpec) Accumulator { return &percentileAcc{p: s.Param, hold: s.Hold} },
		// Not Incremental: the state is every value seen, which a stream
		// would keep for ever.
		Spark: func(c SparkCall) string {
			return "percentile_approx(" + distinctPrefix(c) + c.Arg + ", " + c.Param + ")"
		},
	}, "approx_percentile")
}

func distinctPrefix(c SparkCall) string {
	if c.Distinct {
		return "DISTINCT "
	}
	return ""
}

// valueSize is the memory of one held Value, besides its string's bytes.
const valueSize = int64(unsafe.Sizeof(types.Value{}))

// percentileAcc keeps the values and answers as Spark's percentile_approx
// does when the input fits its accuracy: the smallest value whose rank is
// at least p·n.
type percentileAcc struct {
	p    float64
	vals []types.Value
	hold func(int64) error
}

func (a *percentileAcc) Add(v, _ types.Value) error {
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

func (a *percentileAcc) Merge(other Accumulator) error {
	o, ok := other.(*percentileAcc)
	if !ok || o.p != a.p {
		return mismatch(a, other)
	}
	for _, v := range o.vals {
		if err := a.Add(v, types.NullValue); err != nil {
			return err
		}
	}
	return nil
}

func (a *percentileAcc) Result() types.Value {
	if len(a.vals) == 0 {
		return types.NullValue
	}
	slices.SortFunc(a.vals, types.Compare)
	rank := int(math.Ceil(a.p * float64(len(a.vals))))
	rank = max(1, min(rank, len(a.vals)))
	return a.vals[rank-1]
}
