package plan

import (
	"strings"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// The names a statement mentions, found with syntax.Inspect before binding:
// sources resolve nested JSON paths up front, WITH queries named more than
// once are shared, and errors about a column point at its first mention.

// ownExprs calls f on the expression nodes q binds in its own scopes: those
// of its clauses, FROM subqueries, WITH queries and set operations, but
// not of subqueries inside expressions (bound on their own, when reached)
// nor of WATERMARK clauses (which a batch query does not read). f returns
// false to skip an expression's subexpressions.
func ownExprs(q syntax.Node, f func(syntax.Expr) bool) {
	syntax.Inspect(q, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.WatermarkTable:
			ownExprs(n.Input, f)
			return false
		case syntax.Expr:
			syntax.Inspect(n, func(x syntax.Node) bool {
				if _, ok := x.(syntax.Query); ok {
					return false
				}
				// Below an expression there are only expressions and the
				// queries of subqueries.
				return f(x.(syntax.Expr))
			})
			return false
		}
		return true
	})
}

// collectPaths records every column name q mentions, with and without a
// leading qualifier, so sources can resolve nested JSON paths up front.
func collectPaths(q syntax.Node, into map[string]bool) {
	ownExprs(q, func(x syntax.Expr) bool {
		switch x.(type) {
		case *syntax.Ident, *syntax.Field, *syntax.Subscript:
			if parts, ok := pathParts(x); ok {
				for i := 0; i < len(parts) && i < 2; i++ {
					into[strings.Join(parts[i:], ".")] = true
				}
			}
		}
		return true
	})
}

// NamePos returns where q first names path (as written, or after a
// qualifier: t.path), or syntax.NoPos if only a view it reads does.
func NamePos(q syntax.Query, path string) syntax.Pos {
	pos := syntax.NoPos
	ownExprs(q, func(x syntax.Expr) bool {
		if pos != syntax.NoPos {
			return false
		}
		parts, ok := pathParts(x)
		if !ok {
			return true
		}
		for i := range min(len(parts), 2) {
			if strings.EqualFold(strings.Join(parts[i:], "."), path) {
				pos = x.Position()
				return false
			}
		}
		return true
	})
	return pos
}

// countTableRefs counts the table references to name in n, including
// those in subqueries.
func countTableRefs(n syntax.Node, name string) int {
	count := 0
	syntax.Inspect(n, func(x syntax.Node) bool {
		if t, ok := x.(*syntax.TableName); ok && strings.EqualFold(t.Name, name) {
			count++
		}
		return true
	})
	return count
}

// TableCalls lists the table-function calls q makes, directly or through
// the views cat names, each once, in the order written, without binding:
// a stream must know the files it reads before there are any to infer a
// schema from. Calls whose arguments are not constants are left out (the
// binder refuses them).
func TableCalls(q syntax.Query, cat Catalog) []TableCall {
	var out []TableCall
	seen := map[string]bool{}
	var visit func(n syntax.Node, depth int)
	visit = func(n syntax.Node, depth int) {
		syntax.Inspect(n, func(x syntax.Node) bool {
			switch t := x.(type) {
			case *syntax.TableFunc:
				call, err := constantCall(t)
				if err == nil && !seen[call.String()] {
					seen[call.String()] = true
					out = append(out, call)
				}
			case *syntax.TableName:
				if depth < maxViewDepth {
					if v, _, ok := cat.Table(t.Name); ok && v != nil {
						visit(v, depth+1)
					}
				}
			}
			return true
		})
	}
	visit(q, 0)
	return out
}

// maxViewDepth bounds how deep TableCalls follows views into views.
const maxViewDepth = 32

// constantCall is t as a TableCall. It fails at the first argument that
// is not a literal, or a named one given twice.
func constantCall(t *syntax.TableFunc) (TableCall, error) {
	call := TableCall{Name: strings.ToLower(t.Name)}
	constant := func(a syntax.Expr) (types.Value, error) {
		lit, ok := a.(*syntax.Literal)
		if !ok {
			return types.Value{}, syntax.Errorf(a.Position(), "%s takes constant arguments", t.Name)
		}
		return lit.Value, nil
	}
	for _, a := range t.Args {
		v, err := constant(a)
		if err != nil {
			return call, err
		}
		call.Args = append(call.Args, v)
	}
	for _, a := range t.Named {
		v, err := constant(a.Value)
		if err != nil {
			return call, err
		}
		if call.Named == nil {
			call.Named = map[string]types.Value{}
		}
		if _, dup := call.Named[a.Name]; dup {
			return call, syntax.Errorf(a.Value.Position(), "%s is given twice", a.Name)
		}
		call.Named[a.Name] = v
	}
	return call, nil
}
