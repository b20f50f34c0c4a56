package plan

import (
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// TestConstString checks that constants print as literals that read back:
// a BINARY as X'…', never its raw bytes (EXPLAIN showed hex() for
// hex(X'0102')).
func TestConstString(t *testing.T) {
	for _, c := range []struct {
		v    types.Value
		want string
	}{
		{types.BinaryValue([]byte{0x01, 0xff}), "X'01FF'"},
		{types.BinaryValue(nil), "X''"},
		{types.StringValue("a'b"), `'a\'b'`},
	} {
		if got := (&Const{V: c.v}).String(); got != c.want {
			t.Errorf("%#v prints %s, want %s", c.v, got, c.want)
		}
	}
}
