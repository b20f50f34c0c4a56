package plan

import (
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Values is an inline table: rows of expressions over no input, each
// already cast to its column's kind (the widest of the column's values,
// as UNION widens). Spark: ResolveInlineTables.
type Values struct {
	Rows  [][]Expr
	Names []string
	Kinds []types.Kind
}

var _ Node = (*Values)(nil)

func (v *Values) Schema() types.Schema {
	out := make(types.Schema, len(v.Names))
	for i := range v.Names {
		out[i] = types.Column{Name: v.Names[i], Kind: v.Kinds[i]}
	}
	return out
}
func (*Values) Streaming() Streaming { return perBatch }
func (*Values) Children() []Node     { return nil }
func (v *Values) Describe() string {
	rows := make([]string, len(v.Rows))
	for i, r := range v.Rows {
		rows[i] = "(" + joinExprs(r) + ")"
	}
	names := make([]string, len(v.Names))
	for i, n := range v.Names {
		names[i] = syntax.QuoteIdent(n)
	}
	return fmt.Sprintf("Values [%s] %s", strings.Join(names, ", "), strings.Join(rows, ", "))
}

// values binds an inline table. Its expressions see no columns (Spark
// requires them to be foldable; nectar evaluates them once, when the table
// is read), and a column's kind is the widest of its values'.
func (b *binder) values(v *syntax.Values) (Node, scope, error) {
	n := len(v.Rows[0])
	names := v.Columns
	if names == nil {
		names = make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("col%d", i+1)
		}
	} else if len(names) != n {
		return nil, nil, syntax.Errorf(v.Position(), "VALUES has %d columns but %d names are given", n, len(names))
	}
	c := &exprCtx{b: b, clause: "VALUES"}
	rows := make([][]Expr, len(v.Rows))
	kinds := make([]types.Kind, n)
	for i, r := range v.Rows {
		row, err := c.bindAll(r)
		if err != nil {
			return nil, nil, err
		}
		for j, e := range row {
			if refersToInput(e) {
				return nil, nil, syntax.Errorf(r[j].Position(), "VALUES takes constant expressions")
			}
			w := types.Widen(kinds[j], e.Kind())
			if w == types.String && (kinds[j].IsNested() || e.Kind().IsNested()) {
				// Spark: INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE
				// for an ARRAY beside a STRUCT, say; no STRING stands for both.
				return nil, nil, syntax.Errorf(r[j].Position(), "[INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE] VALUES column %d holds %s and %s, which have no common type", j+1, kinds[j], e.Kind())
			}
			kinds[j] = w
		}
		rows[i] = row
	}
	for _, row := range rows {
		for j := range row {
			row[j] = castExpr(row[j], kinds[j])
		}
	}
	sc := make(scope, n)
	for j := range sc {
		sc[j] = scopeCol{Table: v.Alias, Name: names[j], Kind: kinds[j]}
	}
	return &Values{Rows: rows, Names: names, Kinds: kinds}, sc, nil
}

// refersToInput reports whether e reads a column or runs a subquery.
func refersToInput(e Expr) bool {
	found := false
	Walk(e, func(x Expr) {
		switch x.(type) {
		case *ColRef, *Subquery:
			found = true
		}
	})
	return found
}

// renameColumns gives the visible columns of a bound relation the names
// of an alias's column list, t(a, b): a Project that keeps the hidden
// columns out, as Spark's SubqueryAlias with output names does.
func renameColumns(n Node, sc scope, names []string, pos syntax.Pos) (Node, scope, error) {
	vis := visible(sc)
	if len(vis) != len(names) {
		return nil, nil, syntax.Errorf(pos, "%d column names are given for %d columns", len(names), len(vis))
	}
	exprs := make([]Expr, len(vis))
	out := make(scope, len(vis))
	for i, j := range vis {
		exprs[i] = &ColRef{Idx: j, Name: sc[j].Name, K: sc[j].Kind}
		out[i] = scopeCol{Table: sc[j].Table, Name: names[i], Kind: sc[j].Kind}
	}
	return &Project{Input: n, Exprs: exprs, Names: append([]string(nil), names...)}, out, nil
}
