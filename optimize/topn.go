package optimize

import (
	"math"

	"github.com/nectar-dev/nectar/plan"
)

// TopN folds LIMIT n OFFSET m over a sort into the sort, so it keeps only
// n+m rows instead of sorting everything it reads. The Limit stays to apply
// the offset.
func TopN(n plan.Node) plan.Node {
	return plan.Transform(n, func(node plan.Node) plan.Node {
		l, ok := node.(*plan.Limit)
		if !ok || l.Count < 0 {
			return node
		}
		s, ok := l.Input.(*plan.Sort)
		if !ok {
			return node
		}
		if l.Offset > math.MaxInt64-l.Count {
			return node // n+m overflows: nothing worth keeping in a heap
		}
		keep := l.Count + l.Offset
		if s.Limit >= 0 && s.Limit <= keep {
			return node
		}
		return &plan.Limit{Input: &plan.Sort{Input: s.Input, Keys: s.Keys, Limit: keep}, Count: l.Count, Offset: l.Offset}
	})
}
