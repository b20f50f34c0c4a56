package plan

import (
	"strings"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// scopeCol is what name resolution knows of one column of the node being
// bound: the relation it came from (for qualified names) and whether SELECT
// * shows it.
type scopeCol struct {
	Table  string
	Name   string
	Kind   types.Kind
	Hidden bool
	// Shadow marks a side's own key column of JOIN … USING: only a
	// qualified name (b.id) or star (b.*) reaches it; a bare id and * mean
	// the key the join merged, as in Spark.
	Shadow bool
	// Path marks a column that is a source's own JSON path, read by a
	// scan and passed on as it is (by SELECT *, a view, a subquery): a
	// longer path below it (properties.products[2].name) is better
	// admitted to the source as a path of its own than read out of the
	// whole value.
	Path bool
}

type scope []scopeCol

func (s scope) qualify(table string) scope {
	out := make(scope, len(s))
	for i, c := range s {
		c.Table = table
		out[i] = c
	}
	return out
}

// lookup resolves a possibly qualified, possibly dotted name. It returns the
// column index, or -1 and an error describing why not.
func (s scope) lookup(parts []string, pos syntax.Pos) (int, error) {
	if len(parts) >= 2 {
		q, rest := parts[0], strings.Join(parts[1:], ".")
		found := -1
		for i, c := range s {
			if strings.EqualFold(c.Table, q) && strings.EqualFold(c.Name, rest) {
				if found >= 0 {
					// Two relations of one alias (FROM (…) AS s, s):
					// Spark's AMBIGUOUS_REFERENCE.
					e := syntax.Errorf(pos, "column %s.%s is ambiguous: two tables in FROM are named %s", syntax.QuoteIdent(q), syntax.QuoteIdent(rest), syntax.QuoteIdent(q))
					e.Hint = "give one of them another alias"
					return -1, e
				}
				found = i
			}
		}
		if found >= 0 {
			return found, nil
		}
	}
	name := strings.Join(parts, ".")
	found, table := -1, ""
	for i, c := range s {
		if c.Shadow || !strings.EqualFold(c.Name, name) {
			continue
		}
		if found >= 0 {
			// Two columns of one name are ambiguous even when they come
			// from the same relation (SELECT *, x AS s over a table with
			// an s): silently taking the first would read the wrong one.
			e := syntax.Errorf(pos, "column %s is ambiguous", syntax.QuoteIdent(name))
			if !strings.EqualFold(c.Table, table) {
				e.Hint = "qualify it with a table name or alias, e.g. " + nonEmpty(table, "t") + "." + name
			} else {
				e.Hint = "two columns are named " + syntax.QuoteIdent(name) + "; rename one with AS"
			}
			return -1, e
		}
		if found < 0 {
			found, table = i, c.Table
		}
	}
	if found >= 0 {
		return found, nil
	}
	e := syntax.Errorf(pos, "unknown column %s", syntax.QuoteIdent(name))
	if i := strings.LastIndexByte(name, '.'); i > 0 && s.hasObject(name[:i]) {
		// Spark's words for a field its struct lacks.
		e = syntax.Errorf(pos, "[FIELD_NOT_FOUND] no such field %s", syntax.QuoteIdent(name))
	}
	e.Err = &UnknownName{Parts: parts}
	if best := s.closest(name); best != "" {
		e.Hint = "did you mean " + syntax.QuoteIdent(best) + "?"
	}
	return -1, e
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// hasObject reports whether a column of s lies below the object path, as
// properties.price lies below properties.
func (s scope) hasObject(path string) bool {
	for _, c := range s {
		if len(c.Name) > len(path) && c.Name[len(path)] == '.' && strings.EqualFold(c.Name[:len(path)], path) {
			return true
		}
	}
	return false
}

// closest suggests the known column nearest to name by edit distance.
func (s scope) closest(name string) string {
	if best := syntax.Nearest(name, s.names(), 1, len(name)/2+1); len(best) > 0 {
		return best[0]
	}
	return ""
}

// refs returns a column reference for every column of s, for nodes that
// pass their input through.
func (s scope) refs() []Expr {
	out := make([]Expr, len(s))
	for i, c := range s {
		out[i] = &ColRef{Idx: i, Name: c.Name, K: c.Kind}
	}
	return out
}

func (s scope) names() []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.Name
	}
	return out
}
