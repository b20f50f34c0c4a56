package syntax

import (
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// The syntax of nested data, in Spark's spelling: LATERAL VIEW [OUTER]
// after a FROM clause, lambda functions as arguments of higher-order
// functions (x -> x + 1, (acc, x) -> acc + x), nested types in casts
// (ARRAY<INT>, MAP<STRING, INT>, STRUCT<a: INT>) and a select item named
// with several aliases (posexplode(a) AS (pos, val)). Element access
// (a[0], m['k'], s.f) is the parser's postfix Subscript and Field.

// LateralView is `Input LATERAL VIEW [OUTER] fn(args) Table [AS] c1, …`:
// each row of Input joined with the rows the generator fn makes of it
// (explode, posexplode, inline, …), the generator's columns named Columns
// under the table alias Table. With Outer, a row whose generator makes
// no rows is kept once, with NULLs.
type LateralView struct {
	At
	Input   TableExpr
	Outer   bool
	Func    *Call
	Table   string
	Columns []string
}

func (*LateralView) tableExpr() {}

func (t *LateralView) String() string {
	var b strings.Builder
	b.WriteString(t.Input.String())
	b.WriteString(" LATERAL VIEW ")
	if t.Outer {
		b.WriteString("OUTER ")
	}
	b.WriteString(t.Func.String())
	b.WriteByte(' ')
	b.WriteString(QuoteIdent(t.Table))
	if len(t.Columns) > 0 {
		b.WriteString(" AS ")
		for i, c := range t.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(QuoteIdent(c))
		}
	}
	return b.String()
}

// Lambda is a lambda function, an argument of a higher-order function:
// `x -> body` or `(x, y) -> body`. Its parameters are names the body
// reads as columns of the element.
type Lambda struct {
	At
	Params []string
	Body   Expr
}

func (*Lambda) expr() {}

func (e *Lambda) String() string {
	params := make([]string, len(e.Params))
	for i, p := range e.Params {
		params[i] = QuoteIdent(p)
	}
	if len(params) == 1 {
		return params[0] + " -> " + e.Body.String()
	}
	return "(" + strings.Join(params, ", ") + ") -> " + e.Body.String()
}

// parseLateralViews reads the LATERAL VIEW clauses after a FROM clause,
// each applying to everything before it.
func (p *parser) parseLateralViews(from TableExpr) TableExpr {
	for p.isKw("LATERAL") && isKw(p.peek(1), "VIEW") {
		t := p.next()
		p.next()
		lv := &LateralView{At: At{t.pos}, Input: from}
		lv.Outer = p.acceptKw("OUTER")
		ft := p.tok()
		if !isNameToken(ft) || p.peek(1).kind != tOp || p.peek(1).text != "(" {
			e := p.expectedErr("a generator function call after LATERAL VIEW")
			e.Hint = "write LATERAL VIEW explode(properties.products) p AS product"
			p.fail(e)
		}
		p.next()
		call, ok := p.parseCall(ft, strings.ToLower(ft.text)).(*Call)
		if !ok || call.Over != nil || call.Filter != nil || call.Distinct {
			p.fail(Errorf(ft.pos, "LATERAL VIEW takes a plain generator call such as explode(x)"))
		}
		lv.Func = call
		if !isNameToken(p.tok()) || isKw(p.tok(), "AS") {
			e := p.expectedErr("a table alias after the generator")
			e.Hint = "Spark requires one: LATERAL VIEW " + call.String() + " t AS col"
			p.fail(e)
		}
		lv.Table = p.next().text
		if p.acceptKw("AS") {
			lv.Columns = []string{p.parseName("a column alias")}
		} else if isNameToken(p.tok()) && !noImplicitAlias[strings.ToUpper(p.tok().text)] && !isClauseWord(p.tok()) {
			lv.Columns = []string{p.next().text}
		}
		for len(lv.Columns) > 0 && p.acceptOp(",") {
			lv.Columns = append(lv.Columns, p.parseName("a column alias"))
		}
		from = lv
	}
	return from
}

// isClauseWord reports whether t starts a clause that may follow a FROM
// clause, though not reserved (so it cannot be an implicit alias there).
func isClauseWord(t *token) bool {
	switch strings.ToUpper(t.text) {
	case "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "WINDOW", "QUALIFY", "UNION", "INTERSECT", "EXCEPT", "MINUS":
		return true
	}
	return false
}

// parseCallArgs reads a call's arguments, where lambda functions may
// stand: `name ->` or `(name, …) ->` starts one.
func (p *parser) parseCallArgs() []Expr {
	var list []Expr
	for {
		if l := p.tryLambda(); l != nil {
			list = append(list, l)
		} else {
			list = append(list, p.parseExpr())
		}
		if !p.acceptOp(",") {
			return list
		}
	}
}

// tryLambda parses a lambda function if one starts here, else returns nil
// having read nothing.
func (p *parser) tryLambda() Expr {
	t := p.tok()
	var params []string
	j := p.i
	switch {
	case isNameToken(t) && p.peek(1).kind == tOp && p.peek(1).text == "->":
		params = []string{t.text}
		j++
	case t.kind == tOp && t.text == "(":
		j++
		for {
			if j >= len(p.toks) || !isNameToken(&p.toks[j]) {
				return nil
			}
			params = append(params, p.toks[j].text)
			j++
			if j < len(p.toks) && p.toks[j].kind == tOp && p.toks[j].text == "," {
				j++
				continue
			}
			break
		}
		if j+1 >= len(p.toks) || p.toks[j].kind != tOp || p.toks[j].text != ")" || p.toks[j+1].kind != tOp || p.toks[j+1].text != "->" {
			return nil
		}
		j++
	default:
		return nil
	}
	for p.i < j {
		p.next()
	}
	p.next() // ->
	p.enter()
	defer p.leave()
	return &Lambda{At: At{t.pos}, Params: params, Body: p.parseExpr()}
}

// finishSelectItem reads the alias of a select item: [AS] name, or AS
// (name, …) for a generator that makes several columns.
func (p *parser) finishSelectItem(e Expr) SelectItem {
	if p.isKw("AS") && p.peek(1).kind == tOp && p.peek(1).text == "(" || p.isNameList() {
		p.acceptKw("AS")
		open := p.next()
		it := SelectItem{Expr: e}
		for {
			it.Aliases = append(it.Aliases, p.parseName("a column alias"))
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectClose(open)
		return it
	}
	return SelectItem{Expr: e, Alias: p.parseAlias()}
}

// isNameList reports whether `(name, …)` starts here, Spark's aliases of
// a generator's columns written without AS.
func (p *parser) isNameList() bool {
	if !p.isOp("(") {
		return false
	}
	j := p.i + 1
	for j+1 < len(p.toks) && isNameToken(&p.toks[j]) {
		switch n := &p.toks[j+1]; {
		case n.kind == tOp && n.text == ")":
			return true
		case n.kind == tOp && n.text == ",":
			j += 2
		default:
			return false
		}
	}
	return false
}

// parseNestedType reads ARRAY<t>, MAP<k, v> or STRUCT<name [:] t, …> at
// the current token, which is one of those words followed by '<'.
func (p *parser) parseNestedType() types.Kind {
	t := p.next()
	up := strings.ToUpper(t.text)
	if p.isOp("<>") { // STRUCT<> lexes as one operator
		if up != "STRUCT" {
			p.failExpected("a type inside " + up + "<…>")
		}
		p.next()
		return types.StructOf()
	}
	open := p.expectOp("<")
	var k types.Kind
	switch up {
	case "ARRAY":
		k = types.ArrayOf(p.parseType().Kind)
	case "MAP":
		key := p.parseType().Kind
		p.expectOp(",")
		k = types.MapOf(key, p.parseType().Kind)
	default:
		var fields []types.Field
		for !p.isOp(">") {
			name := p.tok()
			if !isNameToken(name) && name.kind != tWord {
				p.failExpected("a field name")
			}
			p.next()
			p.acceptOp(":")
			fields = append(fields, types.Field{Name: name.text, Kind: p.parseType().Kind})
			if !p.acceptOp(",") {
				break
			}
		}
		k = types.StructOf(fields...)
	}
	if !p.acceptOp(">") {
		e := p.expectedErr("'>' to close " + up + "<")
		e.Pos = open.pos
		p.fail(e)
	}
	return k
}

// isNestedTypeStart reports whether the current token starts ARRAY<…>,
// MAP<…> or STRUCT<…>.
func (p *parser) isNestedTypeStart() bool {
	t := p.tok()
	if t.kind != tWord {
		return false
	}
	switch strings.ToUpper(t.text) {
	case "ARRAY", "MAP", "STRUCT":
		n := p.peek(1)
		return n.kind == tOp && (n.text == "<" || n.text == "<>")
	}
	return false
}
