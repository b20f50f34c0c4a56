package syntax

import "strings"

// PIVOT and UNPIVOT, in Spark's spelling. Each follows a FROM clause
// (after its joins and LATERAL VIEWs: FROM t PIVOT (…)) or is a pipe
// operator (|> PIVOT (…)); as a pipe operator its Input is nil and the
// rows are the pipe's. The plan package rewrites both into the grouping
// and the generator they stand for.

// Pivot is `Input PIVOT (agg [AS a], … FOR col IN (v [AS x], …)) [[AS] alias]`, or
// with several columns `FOR (c1, c2) IN ((v1, v2) [AS x], …)`: one row
// per value of the input's other columns, and for each listed value one
// column per aggregate, computed over the rows whose pivot columns hold
// that value.
type Pivot struct {
	At
	Input  TableExpr // nil for |> PIVOT
	Aggs   []SelectItem
	For    []string // the pivot columns; several are written in parentheses
	Values []PivotValue
	// GroupBy, nectar's extension, names the grouping keys, as a
	// DataFrame's groupBy(keys).pivot(col) does (Spark Connect translates
	// it so): `PIVOT (… FOR … IN (…) GROUP BY keys)`, or GROUP BY () for
	// none (one row). Nil, as in Spark SQL, the input's columns that
	// nothing else reads group.
	GroupBy []SelectItem
	Alias   string
}

// PivotValue is one entry of a PIVOT's IN list: one expression per pivot
// column and the name its columns take (Alias, else the value as text).
type PivotValue struct {
	Exprs []Expr
	Alias string
}

// Unpivot is `Input UNPIVOT [INCLUDE NULLS | EXCLUDE NULLS] (v FOR name IN
// (c1 [AS a1], …)) [[AS] alias]`, or with several value columns `((v1, v2)
// FOR name IN ((c1, c2) [AS a], …))`: each input row becomes one row per
// entry of the IN list, holding the input's other columns, the entry's
// name and its columns' values. Rows whose values are all NULL are left
// out unless IncludeNulls.
type Unpivot struct {
	At
	Input        TableExpr // nil for |> UNPIVOT
	IncludeNulls bool
	ValueColumns []string
	NameColumn   string
	Columns      []UnpivotColumns
	Alias        string
}

// UnpivotColumns is one entry of an UNPIVOT's IN list: one column per
// value column, and the name the entry's rows carry (Alias, else the
// column names joined by "_").
type UnpivotColumns struct {
	Names [][]string // each a column reference, possibly qualified (t.c)
	Alias string
}

func (*Pivot) tableExpr()   {}
func (*Pivot) pipeOp()      {}
func (*Unpivot) tableExpr() {}
func (*Unpivot) pipeOp()    {}

func (t *Pivot) String() string {
	var b strings.Builder
	if t.Input != nil {
		b.WriteString(t.Input.String())
		b.WriteByte(' ')
	}
	b.WriteString("PIVOT (")
	writeSelectItems(&b, t.Aggs)
	b.WriteString(" FOR ")
	b.WriteString(nameList(t.For))
	b.WriteString(" IN (")
	for i, v := range t.Values {
		if i > 0 {
			b.WriteString(", ")
		}
		if len(t.For) > 1 {
			b.WriteByte('(')
			writeExprs(&b, v.Exprs)
			b.WriteByte(')')
		} else {
			b.WriteString(v.Exprs[0].String())
		}
		if v.Alias != "" {
			b.WriteString(" AS ")
			b.WriteString(QuoteIdent(v.Alias))
		}
	}
	b.WriteByte(')')
	switch {
	case t.GroupBy == nil:
	case len(t.GroupBy) == 0:
		b.WriteString(" GROUP BY ()")
	default:
		b.WriteString(" GROUP BY ")
		writeSelectItems(&b, t.GroupBy)
	}
	b.WriteByte(')')
	if t.Alias != "" {
		b.WriteString(" AS ")
		b.WriteString(QuoteIdent(t.Alias))
	}
	return b.String()
}

func (t *Unpivot) String() string {
	var b strings.Builder
	if t.Input != nil {
		b.WriteString(t.Input.String())
		b.WriteByte(' ')
	}
	b.WriteString("UNPIVOT ")
	if t.IncludeNulls {
		b.WriteString("INCLUDE NULLS ")
	}
	b.WriteByte('(')
	b.WriteString(nameList(t.ValueColumns))
	b.WriteString(" FOR ")
	b.WriteString(QuoteIdent(t.NameColumn))
	b.WriteString(" IN (")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		if len(t.ValueColumns) > 1 {
			b.WriteByte('(')
		}
		for j, n := range c.Names {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString((&Ident{Parts: n}).String())
		}
		if len(t.ValueColumns) > 1 {
			b.WriteByte(')')
		}
		if c.Alias != "" {
			b.WriteString(" AS ")
			b.WriteString(QuoteIdent(c.Alias))
		}
	}
	b.WriteString("))")
	if t.Alias != "" {
		b.WriteString(" AS ")
		b.WriteString(QuoteIdent(t.Alias))
	}
	return b.String()
}

// nameList prints one name, or several in parentheses (parseNameList).
func nameList(names []string) string {
	if len(names) == 1 {
		return QuoteIdent(names[0])
	}
	return parenNames(names)
}

// startsPivot reports whether a PIVOT or UNPIVOT clause starts at the
// current token: the word followed by '(' (or by INCLUDE/EXCLUDE NULLS).
func (p *parser) startsPivot() bool {
	next := p.peek(1)
	switch {
	case p.isKw("PIVOT"):
		return next.kind == tOp && next.text == "("
	case p.isKw("UNPIVOT"):
		return next.kind == tOp && next.text == "(" || isKw(next, "INCLUDE") || isKw(next, "EXCLUDE")
	}
	return false
}

// parsePivots reads the PIVOT and UNPIVOT clauses after a FROM clause:
// at most one of each, PIVOT first, as Spark's grammar has them.
func (p *parser) parsePivots(from TableExpr) TableExpr {
	if p.isKw("PIVOT") && p.startsPivot() {
		pv := p.parsePivot()
		pv.Input = from
		from = pv
	}
	if p.isKw("UNPIVOT") && p.startsPivot() {
		u := p.parseUnpivot()
		u.Input = from
		from = u
	}
	return from
}

// parseFromClause reads what follows FROM: tables and joins, LATERAL
// VIEWs, then PIVOT and UNPIVOT.
func (p *parser) parseFromClause() TableExpr {
	return p.parsePivots(p.parseLateralViews(p.parseFrom()))
}

// parsePivot reads PIVOT (aggs FOR cols IN (values)); the caller sets Input.
func (p *parser) parsePivot() *Pivot {
	t := p.expectKw("PIVOT")
	pv := &Pivot{At: At{t.pos}}
	open := p.expectOp("(")
	pv.Aggs = p.parseSelectItems()
	p.expectKw("FOR")
	pv.For = p.parseNameList("a pivot column")
	p.expectKw("IN")
	in := p.expectOp("(")
	for {
		var v PivotValue
		if len(pv.For) > 1 {
			vo := p.expectOp("(")
			v.Exprs = p.parseExprList()
			p.expectClose(vo)
		} else {
			v.Exprs = []Expr{p.parseExpr()}
		}
		v.Alias = p.parseAlias()
		pv.Values = append(pv.Values, v)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectClose(in)
	if p.acceptKw("GROUP") {
		p.expectKw("BY")
		if p.isOp("(") && p.peek(1).kind == tOp && p.peek(1).text == ")" {
			// GROUP BY (): no keys, one row.
			p.next()
			p.next()
			pv.GroupBy = []SelectItem{}
		} else {
			pv.GroupBy = p.parseSelectItems()
		}
	}
	p.expectClose(open)
	pv.Alias = p.parseAlias()
	return pv
}

// parseUnpivot reads UNPIVOT [INCLUDE|EXCLUDE NULLS] (values FOR name IN
// (columns)) [alias]; the caller sets Input.
func (p *parser) parseUnpivot() *Unpivot {
	t := p.expectKw("UNPIVOT")
	u := &Unpivot{At: At{t.pos}}
	if p.acceptKw("INCLUDE") {
		p.expectKw("NULLS")
		u.IncludeNulls = true
	} else if p.acceptKw("EXCLUDE") {
		p.expectKw("NULLS")
	}
	open := p.expectOp("(")
	u.ValueColumns = p.parseNameList("a value column name")
	p.expectKw("FOR")
	u.NameColumn = p.parseName("a name column name")
	p.expectKw("IN")
	in := p.expectOp("(")
	for {
		var c UnpivotColumns
		if len(u.ValueColumns) > 1 {
			co := p.expectOp("(")
			for {
				c.Names = append(c.Names, p.parseDottedName("a column name"))
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectClose(co)
		} else {
			c.Names = [][]string{p.parseDottedName("a column name")}
		}
		c.Alias = p.parseAlias()
		u.Columns = append(u.Columns, c)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectClose(in)
	p.expectClose(open)
	u.Alias = p.parseAlias()
	return u
}

// parseNameList reads one name, or several in parentheses.
func (p *parser) parseNameList(what string) []string {
	if names := p.parseParenNames(what); names != nil {
		return names
	}
	return []string{p.parseName(what)}
}
