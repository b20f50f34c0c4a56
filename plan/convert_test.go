package plan

import (
	"testing"

	"github.com/nectar-dev/nectar/syntax"
)

// TestSyntaxEnumsConvert: every join kind and frame bound the parser makes
// has its plan counterpart, spelled the same in EXPLAIN.
func TestSyntaxEnumsConvert(t *testing.T) {
	for _, k := range []syntax.JoinKind{syntax.InnerJoin, syntax.LeftJoin, syntax.RightJoin, syntax.FullJoin, syntax.SemiJoin, syntax.AntiJoin, syntax.CrossJoin} {
		pk, ok := joinKinds[k]
		if !ok || string(pk) != string(k) {
			t.Errorf("join kind %q converts to %q", k, pk)
		}
	}
	if len(joinKinds) != 7 {
		t.Errorf("%d join kinds convert, want 7", len(joinKinds))
	}
	want := []string{"UNBOUNDED PRECEDING", "3 PRECEDING", "CURRENT ROW", "3 FOLLOWING", "UNBOUNDED FOLLOWING"}
	for k := syntax.UnboundedPreceding; k <= syntax.UnboundedFollowing; k++ {
		if _, ok := frameBounds[k]; !ok {
			t.Errorf("frame bound %d does not convert", k)
			continue
		}
		if got := boundString(frameBound(syntax.FrameBound{Kind: k, Offset: 3})); got != want[k] {
			t.Errorf("frame bound %d prints %q, want %q", k, got, want[k])
		}
	}
}
