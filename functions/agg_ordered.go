package functions

import (
	"math"
	"slices"

	"github.com/nectar-dev/nectar/types"
)

// The exact percentiles and the mode, as Spark computes them:
// percentile_cont and percentile_disc (ordered-set aggregates, written
// WITHIN GROUP (ORDER BY x [DESC])), median, percentile and mode.

func init() {
	toDouble := numeric(func(types.Kind) types.Kind { return types.Float })
	registerAggregate(&Aggregate{
		Name:        "percentile_cont",
		Doc:         "percentile_cont(p) WITHIN GROUP (ORDER BY x [DESC]) → DOUBLE: the p-th percentile of x, interpolated linearly between the two nearest values (position p·(n−1) in the given order); NULLs skipped",
		Shape:       FractionArgs,
		WithinGroup: WithinGroupRequired,
		Check:       toDouble,
		New: func(s AggSpec) Accumulator {
			return &orderedAcc{p: s.Param, desc: s.Desc, kind: contPercentile, hold: s.Hold}
		},
		NotWindow: "aggregate in a subquery and join it back",
		Spark:     sparkWithinGroup("percentile_cont"),
	})
	registerAggregate(&Aggregate{
		Name:        "percentile_disc",
		Doc:         "percentile_disc(p) WITHIN GROUP (ORDER BY x [DESC]) → DOUBLE: the first value of x, in the given order, whose cumulative share of the rows reaches p; NULLs skipped",
		Shape:       FractionArgs,
		WithinGroup: WithinGroupRequired,
		Check:       toDouble,
		New: func(s AggSpec) Accumulator {
			return &orderedAcc{p: s.Param, desc: s.Desc, kind: discPercentile, hold: s.Hold}
		},
		NotWindow: "aggregate in a subquery and join it back",
		Spark:     sparkWithinGroup("percentile_disc"),
	})
	registerAggregate(&Aggregate{
		Name:      "median",
		Doc:       "median(x) → DOUBLE: percentile_cont(0.5) WITHIN GROUP (ORDER BY x), exact",
		Check:     toDouble,
		New:       func(s AggSpec) Accumulator { return &orderedAcc{p: 0.5, kind: contPercentile, hold: s.Hold} },
		NotWindow: "aggregate in a subquery and join it back",
		Spark:     func(c SparkCall) string { return "median(" + distinctPrefix(c) + c.Arg + ")" },
	})
	registerAggregate(&Aggregate{
		Name:      "percentile",
		Doc:       "percentile(x, p) → DOUBLE: the exact p-th percentile of x, interpolated as percentile_cont does (one constant p; Spark's array of percentages and frequency argument are not supported)",
		Shape:     FractionArgs,
		Check:     toDouble,
		New:       func(s AggSpec) Accumulator { return &orderedAcc{p: s.Param, kind: contPercentile, hold: s.Hold} },
		NotWindow: "aggregate in a subquery and join it back",
		Spark: func(c SparkCall) string {
			return "percentile(" + distinctPrefix(c) + c.Arg + ", " + c.Param + ")"
		},
	})
	registerAggregate(&Aggregate{
		Name: "mode",
		Doc: "mode() WITHIN GROUP (ORDER BY x [DESC]) → x's type: the most frequent non-NULL value of x, the smallest of tied ones (the largest with DESC). " +
			"Spark's mode(x) returns any of the tied values, so nectar asks for the order",
		WithinGroup: WithinGroupRequired,
		Check:       anyKind(sameKind),
		New:         func(s AggSpec) Accumulator { return &orderedAcc{desc: s.Desc, kind: modeOf} },
		NotWindow:   "aggregate in a subquery and join it back",
		Spark: func(c SparkCall) string {
			return "mode() WITHIN GROUP (ORDER BY " + c.Arg + map[bool]string{true: " DESC", false: ""}[c.Desc] + ")"
		},
	})
}

// sparkWithinGroup spells name(p) WITHIN GROUP (ORDER BY x [DESC]).
func sparkWithinGroup(name string) func(c SparkCall) string {
	return func(c SparkCall) string {
		s := name + "(" + c.Param + ") WITHIN GROUP (ORDER BY " + c.Arg
		if c.Desc {
			s += " DESC"
		}
		return s + ")"
	}
}

type orderedKind uint8

const (
	contPercentile orderedKind = iota
	discPercentile
	modeOf
)

// orderedAcc keeps every non-NULL value and answers once, sorted.
type orderedAcc struct {
	p    float64
	desc bool
	kind orderedKind
	vals []types.Value
	hold func(int64) error
}

func (a *orderedAcc) Add(v, _ types.Value) error {
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

func (a *orderedAcc) Merge(other Accumulator) error {
	o, ok := other.(*orderedAcc)
	if !ok || o.p != a.p || o.desc != a.desc || o.kind != a.kind {
		return mismatch(a, other)
	}
	for _, v := range o.vals {
		if err := a.Add(v, types.NullValue); err != nil {
			return err
		}
	}
	return nil
}

func (a *orderedAcc) Result() types.Value {
	n := len(a.vals)
	if n == 0 {
		return types.NullValue
	}
	slices.SortFunc(a.vals, types.Compare)
	if a.desc {
		slices.Reverse(a.vals)
	}
	switch a.kind {
	case discPercentile:
		// The first value whose cumulative share p·n reaches.
		i := int(math.Ceil(a.p*float64(n))) - 1
		return types.FloatValue(a.vals[max(0, min(i, n-1))].AsFloat())
	case modeOf:
		// The first run of the longest ones, in the sorted order: the
		// smallest tied value, or the largest when descending.
		best, bestN := 0, 0
		for i := 0; i < n; {
			j := i + 1
			for j < n && types.Compare(a.vals[j], a.vals[i]) == 0 {
				j++
			}
			if j-i > bestN {
				best, bestN = i, j-i
			}
			i = j
		}
		return a.vals[best]
	}
	// Spark's Percentile: position p·(n−1), interpolated between the
	// values either side.
	pos := a.p * float64(n-1)
	lo, hi := math.Floor(pos), math.Ceil(pos)
	l, h := a.vals[int(lo)].AsFloat(), a.vals[int(hi)].AsFloat()
	if lo == hi || l == h {
		return types.FloatValue(l)
	}
	return types.FloatValue((hi-pos)*l + (pos-lo)*h)
}
