package plan

import (
	"sort"

	"github.com/nectar-dev/nectar/functions"
)

// FunctionNames lists every function a query may call, lower case and
// sorted: the scalar catalogue (aliases included), the aggregates and the
// window-only functions. The shell completes with it.
func FunctionNames() []string {
	seen := map[string]bool{}
	for _, f := range functions.All() {
		seen[f.Name] = true
	}
	for n := range aggregates {
		seen[n] = true
	}
	for n := range windowOnly {
		seen[n] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
