package exec

import "github.com/nectar-dev/nectar/types"

// rowSet is a set of whole rows, as DISTINCT and UNION compare them: each
// row is keyed by the types.AppendKey encodings of its values, so NULLs
// equal NULLs and 1 equals 1.0. A lookup keeps the row's key in a reused
// buffer, so that adding the row after it (once the caller has counted
// its memory) costs no second encoding.
type rowSet struct {
	seen map[string]bool
	key  []byte // key of the row looked up last
}

func newRowSet() *rowSet { return &rowSet{seen: map[string]bool{}} }

// hasRow reports whether row r of b is in the set.
func (s *rowSet) hasRow(b *types.Batch, r int) bool {
	s.key = rowKey(s.key[:0], b, r)
	return s.seen[string(s.key)]
}

// hasValues reports whether row is in the set.
func (s *rowSet) hasValues(row []types.Value) bool {
	s.key = valuesKey(s.key[:0], row)
	return s.seen[string(s.key)]
}

// add puts the row looked up last into the set.
func (s *rowSet) add() { s.seen[string(s.key)] = true }

// rowKey appends the key of row r of b to buf.
func rowKey(buf []byte, b *types.Batch, r int) []byte {
	for _, c := range b.Cols {
		buf = types.AppendKey(buf, c.Get(r))
	}
	return buf
}

// valuesKey appends the key of row to buf; it equals rowKey's for the
// same values.
func valuesKey(buf []byte, row []types.Value) []byte {
	for _, v := range row {
		buf = types.AppendKey(buf, v)
	}
	return buf
}
