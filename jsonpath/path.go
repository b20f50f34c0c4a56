package jsonpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBad is wrapped by every Parse error.
var ErrBad = errors.New("bad JSON path")

// Step is one step of a Path: an object key, or an array index when IsIndex.
type Step struct {
	Key     string
	Index   int
	IsIndex bool
}

// Path is a parsed JSON path such as properties.products[0].price. It always
// starts with a key because every log line is an object.
type Path []Step

// Parse reads a path: dots separate keys, [n] indexes arrays, and a key
// containing dots, brackets or backquotes is written in backquotes with inner
// backquotes doubled, as Spark quotes identifiers, e.g. `a.b`.
func Parse(s string) (Path, error) {
	var p Path
	i := 0
	bad := func(format string, args ...any) (Path, error) {
		return nil, fmt.Errorf("%w %q at offset %d: %s", ErrBad, s, i, fmt.Sprintf(format, args...))
	}
	if s == "" {
		return bad("empty path")
	}
	for {
		// Expect a key here.
		if i < len(s) && s[i] == '`' {
			var b strings.Builder
			i++
			for {
				j := strings.IndexByte(s[i:], '`')
				if j < 0 {
					return bad("unterminated backquote")
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '`' {
					b.WriteByte('`')
					i++
					continue
				}
				break
			}
			p = append(p, Step{Key: b.String()})
		} else {
			j := i
			for j < len(s) && !isPathSpecial(s[j]) {
				j++
			}
			if j == i {
				if len(p) == 0 && j < len(s) && s[j] == '[' {
					return bad("a path starts with a key: lines are objects")
				}
				return bad("empty key")
			}
			p = append(p, Step{Key: s[i:j]})
			i = j
		}
		// Any number of indexes.
		for i < len(s) && s[i] == '[' {
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return bad("unterminated [")
			}
			digits := s[i+1 : i+j]
			n, err := strconv.Atoi(digits)
			if err != nil || n < 0 || digits == "" || digits[0] == '+' || digits[0] == '-' {
				return bad("array index %q is not a non-negative integer", digits)
			}
			p = append(p, Step{Index: n, IsIndex: true})
			i += j + 1
		}
		if i == len(s) {
			return p, nil
		}
		if s[i] != '.' {
			return bad("unexpected %q", s[i])
		}
		i++
		if i == len(s) {
			return bad("trailing dot")
		}
	}
}

func isPathSpecial(c byte) bool {
	return c == '.' || c == '[' || c == ']' || c == '`'
}

// String returns the canonical text of p; Parse(p.String()) gives p back.
func (p Path) String() string {
	var b strings.Builder
	for i, st := range p {
		if st.IsIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(st.Index))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		if st.Key != "" && !strings.ContainsAny(st.Key, ".[]`") {
			b.WriteString(st.Key)
			continue
		}
		b.WriteByte('`')
		b.WriteString(strings.ReplaceAll(st.Key, "`", "``"))
		b.WriteByte('`')
	}
	return b.String()
}

// Equal reports whether p and q are the same path.
func (p Path) Equal(q Path) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// Child returns p extended by key, copying so p's backing array is never shared.
func (p Path) Child(key string) Path {
	q := make(Path, len(p), len(p)+1)
	copy(q, p)
	return append(q, Step{Key: key})
}
