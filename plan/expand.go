package plan

import (
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Expand repeats each input row once per grouping set of GROUP BY
// GROUPING SETS, ROLLUP or CUBE: the input's columns, then the grouping
// keys (NULL where the set leaves a key out), then the set's grouping id.
// An Aggregate above groups by the keys and the id, so each set makes its
// own groups while the aggregates read the input's columns unchanged, as
// Spark's Expand under Aggregate does.
type Expand struct {
	Input Node
	Keys  []Expr   // grouping expressions over the input
	Names []string // the keys' names
	// Sets are the grouping ids: bit len(Keys)-1-i is set when the set
	// leaves key i out (Spark's grouping_id, the first key the highest bit).
	Sets []int64
	// Positions adds a last column, the set's position, when sets repeat
	// (CUBE(a), ROLLUP(a)): each copy then makes its own groups, and its
	// own rows, as in Spark (_gen_grouping_pos).
	Positions bool
}

var _ Node = (*Expand)(nil)

// GroupingIDName names Expand's last column, the grouping id, as Spark does.
const GroupingIDName = "spark_grouping_id"

func (e *Expand) Schema() types.Schema {
	out := append(types.Schema{}, e.Input.Schema()...)
	for i, k := range e.Keys {
		out = append(out, types.Column{Name: e.Names[i], Kind: k.Kind()})
	}
	out = append(out, types.Column{Name: GroupingIDName, Kind: types.Int})
	if e.Positions {
		out = append(out, types.Column{Name: "_gen_grouping_pos", Kind: types.Int})
	}
	return out
}
func (*Expand) Streaming() Streaming {
	return Streaming{Not: "GROUPING SETS, ROLLUP or CUBE over a stream"}
}
func (e *Expand) Children() []Node { return []Node{e.Input} }
func (e *Expand) Describe() string {
	sets := make([]string, len(e.Sets))
	for i, id := range e.Sets {
		var in []string
		for j, k := range e.Keys {
			if id&(1<<(len(e.Keys)-1-j)) == 0 {
				in = append(in, k.String())
			}
		}
		sets[i] = "(" + strings.Join(in, ", ") + ")"
	}
	return fmt.Sprintf("Expand GROUPING SETS (%s)", strings.Join(sets, ", "))
}

// Has reports whether grouping set id keeps key i.
func (e *Expand) Has(id int64, i int) bool { return id&(1<<(len(e.Keys)-1-i)) == 0 }
