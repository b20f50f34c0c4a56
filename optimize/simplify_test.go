package optimize_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/optimize"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

type stubSource struct{}

func (stubSource) Columns() []plan.SourceColumn {
	return []plan.SourceColumn{{Name: "a", Kind: types.Int}, {Name: "b", Kind: types.Int}}
}
func (stubSource) Resolve(string) (types.Kind, bool) { return 0, false }
func (stubSource) String() string                    { return "stub" }
func (stubSource) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return nil, nil
}

func ref(i int, name string) *plan.ColRef { return &plan.ColRef{Idx: i, Name: name, K: types.Int} }

func TestSimplify(t *testing.T) {
	scan := &plan.Scan{Source: stubSource{}, Columns: stubSource{}.Columns()}
	sum := &plan.Op{Op: plan.OpAdd, Args: []plan.Expr{ref(0, "a"), ref(1, "b")}, K: types.Int}
	gt := func(e plan.Expr) plan.Expr {
		return &plan.Op{Op: plan.OpGt, Args: []plan.Expr{e, &plan.Const{V: types.IntValue(1)}}, K: types.Bool}
	}
	computed := &plan.Project{Input: scan, Exprs: []plan.Expr{sum}, Names: []string{"s"}}
	for _, tc := range []struct {
		name string
		in   plan.Node
		want string
	}{
		{"identity-dropped", &plan.Project{Input: scan, Exprs: []plan.Expr{ref(0, "a"), ref(1, "b")}, Names: []string{"a", "b"}},
			"Scan stub [a, b]\n"},
		{"rename-kept", &plan.Project{Input: scan, Exprs: []plan.Expr{ref(0, "a"), ref(1, "b")}, Names: []string{"x", "b"}},
			"Project a#0 AS x, b#1 AS b\n  Scan stub [a, b]\n"},
		{"projections-merged", &plan.Project{Input: computed, Exprs: []plan.Expr{ref(0, "s")}, Names: []string{"t"}},
			"Project (a#0 + b#1) AS t\n  Scan stub [a, b]\n"},
		// Merging would compute a+b twice.
		{"merge-declined", &plan.Project{Input: computed, Exprs: []plan.Expr{ref(0, "s"), ref(0, "s")}, Names: []string{"x", "y"}},
			"Project s#0 AS x, s#0 AS y\n  Project (a#0 + b#1) AS s\n    Scan stub [a, b]\n"},
		{"filters-merged", &plan.Filter{Input: &plan.Filter{Input: scan, Cond: gt(ref(0, "a"))}, Cond: gt(ref(1, "b"))},
			"Filter ((a#0 > 1) AND (b#1 > 1))\n  Scan stub [a, b]\n"},
		{"filter-below-rename", &plan.Filter{Input: &plan.Project{Input: scan, Exprs: []plan.Expr{ref(1, "b")}, Names: []string{"x"}}, Cond: gt(ref(0, "x"))},
			"Project b#1 AS x\n  Filter (b#1 > 1)\n    Scan stub [a, b]\n"},
		// Pushing would compute a+b in the filter and again in the projection.
		{"filter-stays-above-computation", &plan.Filter{Input: computed, Cond: gt(ref(0, "s"))},
			"Filter (s#0 > 1)\n  Project (a#0 + b#1) AS s\n    Scan stub [a, b]\n"},
		{"limit-below-projection", &plan.Limit{Input: computed, Count: 2},
			"Project (a#0 + b#1) AS s\n  Limit 2\n    Scan stub [a, b]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := plan.Explain(optimize.Simplify(tc.in))
			if got != tc.want {
				t.Errorf("got:\n%swant:\n%s", got, tc.want)
			}
			if !strings.HasSuffix(got, "Scan stub [a, b]\n") {
				t.Errorf("scan lost:\n%s", got)
			}
		})
	}
}
