package exec

import (
	"testing"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// TestSplitDistinct checks which aggregations run over a DISTINCT:
// only those whose answer cannot change by it.
func TestSplitDistinct(t *testing.T) {
	s := &plan.ColRef{Idx: 0, Name: "s", K: types.String}
	i := &plan.ColRef{Idx: 1, Name: "i", K: types.Int}
	f := &plan.ColRef{Idx: 2, Name: "f", K: types.Float}
	call := func(name string, arg plan.Expr, distinct bool) plan.AggCall {
		return plan.AggCall{Name: name, Arg: arg, Distinct: distinct, K: types.Int}
	}
	filtered := call("count", s, true)
	filtered.Filter = &plan.Const{V: types.BoolValue(true)}
	for _, c := range []struct {
		name  string
		aggs  []plan.AggCall
		split bool
	}{
		{"count(DISTINCT s)", []plan.AggCall{call("count", s, true)}, true},
		{"count, min, max, sum and avg of one int", []plan.AggCall{call("count", i, true), call("min", i, true), call("max", i, true), call("sum", i, true), call("avg", i, true)}, true},
		{"min of a double", []plan.AggCall{call("min", f, true)}, true},
		{"sum of a double: its order of terms", []plan.AggCall{call("sum", f, true)}, false},
		{"two arguments", []plan.AggCall{call("count", s, true), call("count", i, true)}, false},
		{"one call not DISTINCT", []plan.AggCall{call("count", s, true), call("count", s, false)}, false},
		{"FILTER", []plan.AggCall{filtered}, false},
		{"a percentile", []plan.AggCall{call("median", i, true)}, false},
		{"no call", nil, false},
	} {
		n := &plan.Aggregate{Groups: []plan.Expr{i}, Aggs: c.aggs, Names: make([]string, 1+len(c.aggs))}
		proj, outer, ok := splitDistinct(n)
		if ok != c.split {
			t.Errorf("%s: split %v, want %v", c.name, ok, c.split)
			continue
		}
		if ok && (len(proj.Exprs) != 2 || len(outer.Groups) != 1 || outer.Aggs[0].Distinct) {
			t.Errorf("%s: under %v, %v", c.name, proj, outer)
		}
	}
}
