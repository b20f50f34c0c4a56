package optimize

import (
	"github.com/nectar-dev/nectar/plan"
)

// Rule is one named rewrite. It returns the node unchanged when it does not
// apply.
type Rule struct {
	Name  string
	Apply func(plan.Node) plan.Node
}

// Rules run in order, once each.
var Rules = []Rule{
	{Name: "prune-columns", Apply: PruneColumns},
}

// Optimize applies every rule.
func Optimize(n plan.Node) plan.Node {
	for _, r := range Rules {
		n = r.Apply(n)
	}
	return n
}
