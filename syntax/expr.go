package syntax

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// Expression parsing: one function per precedence level, lowest first:
// OR < AND < NOT < comparison < || < + - < * / % DIV < unary < postfix.

func (p *parser) parseExpr() Expr {
	p.enter()
	defer p.leave()
	return p.parseOr()
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.isKw("OR") {
		t := p.next()
		x = &Binary{At: At{t.pos}, Op: "OR", L: x, R: p.parseAnd()}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for p.isKw("AND") {
		t := p.next()
		x = &Binary{At: At{t.pos}, Op: "AND", L: x, R: p.parseNot()}
	}
	return x
}

func (p *parser) parseNot() Expr {
	if t := p.tok(); isKw(t, "NOT") {
		p.enter()
		defer p.leave()
		p.next()
		return &Unary{At: At{t.pos}, Op: "NOT", X: p.parseNot()}
	}
	return p.parseComparison()
}

// comparisonOps maps each comparison operator to its canonical spelling.
var comparisonOps = map[string]string{
	"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "<=>": "<=>",
}

// parseComparison handles the comparison level, left-associative as in
// Spark: a = b = c is (a = b) = c.
func (p *parser) parseComparison() Expr {
	x := p.parseConcat()
	for {
		t := p.tok()
		if t.kind == tOp {
			op, ok := comparisonOps[t.text]
			if !ok {
				return x
			}
			p.next()
			x = &Binary{At: At{t.pos}, Op: op, L: x, R: p.parseConcat()}
			continue
		}
		if t.kind != tWord {
			return x
		}
		if isKw(t, "IS") {
			p.next()
			not := p.acceptKw("NOT")
			switch {
			case p.acceptKw("NULL"):
				x = &IsNull{At: At{t.pos}, X: x, Not: not}
			case p.isKw("DISTINCT"):
				p.next()
				p.expectKw("FROM")
				// IS NOT DISTINCT FROM is null-safe equality; IS DISTINCT
				// FROM is its negation.
				b := &Binary{At: At{t.pos}, Op: "<=>", L: x, R: p.parseConcat()}
				if not {
					x = b
				} else {
					x = &Unary{At: At{t.pos}, Op: "NOT", X: b}
				}
			default:
				p.failExpected("NULL, NOT NULL or DISTINCT FROM after IS")
			}
			continue
		}
		not := false
		if isKw(t, "NOT") {
			n := p.peek(1)
			if !(isKw(n, "IN") || isKw(n, "BETWEEN") || isKw(n, "LIKE") || isKw(n, "ILIKE") || isKw(n, "RLIKE") || isKw(n, "REGEXP")) {
				return x
			}
			p.next()
			not = true
			t = p.tok()
		}
		switch {
		case isKw(t, "IN"):
			p.next()
			x = p.parseIn(t, x, not)
		case isKw(t, "BETWEEN"):
			p.next()
			lo := p.parseConcat()
			p.expectKw("AND")
			x = &Between{At: At{t.pos}, X: x, Lo: lo, Hi: p.parseConcat(), Not: not}
		case isKw(t, "LIKE") || isKw(t, "ILIKE") || isKw(t, "RLIKE") || isKw(t, "REGEXP"):
			p.next()
			op := strings.ToUpper(t.text)
			if op == "REGEXP" {
				op = "RLIKE"
			}
			x = p.parseLikeRest(&Like{At: At{t.pos}, Op: op, X: x, Not: not})
		default:
			return x
		}
	}
}

// parseLikeRest reads what follows LIKE: a pattern, or ANY|SOME|ALL and a
// parenthesized list of patterns (Spark's LIKE ANY/ALL; not for RLIKE).
func (p *parser) parseLikeRest(l *Like) Expr {
	q := p.tok()
	if (isKw(q, "ANY") || isKw(q, "SOME") || isKw(q, "ALL")) && p.peek(1).kind == tOp && p.peek(1).text == "(" {
		if l.Op == "RLIKE" {
			p.fail(Errorf(q.pos, "%s takes one pattern; ANY and ALL go with LIKE and ILIKE", l.Op))
		}
		p.next()
		l.Quantifier = strings.ToUpper(q.text)
		if l.Quantifier == "SOME" {
			l.Quantifier = "ANY"
		}
		open := p.next()
		if p.isOp(")") {
			p.fail(Errorf(p.tok().pos, "%s %s needs at least one pattern", l.Op, l.Quantifier))
		}
		l.Patterns = p.parseExprList()
		p.expectClose(open)
		return l
	}
	l.Pattern = p.parseConcat()
	if l.Op != "RLIKE" && p.isKw("ESCAPE") {
		p.next()
		esc := p.tok()
		if esc.kind != tString || utf8.RuneCountInString(esc.text) != 1 {
			p.failExpected("one character in quotes after ESCAPE")
		}
		p.next()
		lit, ok := l.Pattern.(*Literal)
		if !ok || lit.Value.K != types.String {
			p.fail(Errorf(esc.pos, "ESCAPE needs a constant pattern"))
		}
		pat, err := withEscape(lit.Value.S, []rune(esc.text)[0])
		if err != "" {
			p.fail(Errorf(lit.Position(), "%s", err))
		}
		l.Pattern = &Literal{At: lit.At, Value: types.StringValue(pat)}
	}
	return l
}

// withEscape rewrites a LIKE pattern whose escape character is esc into
// one escaped with a backslash, nectar's: esc may precede only %, _ or
// itself, as in Spark.
func withEscape(p string, esc rune) (string, string) {
	if esc == '\\' {
		return p, ""
	}
	var b strings.Builder
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == esc:
			if i+1 == len(rs) || (rs[i+1] != '%' && rs[i+1] != '_' && rs[i+1] != esc) {
				return "", fmt.Sprintf("the escape character %q must be followed by %%, _ or itself in the pattern %s", string(esc), QuoteString(p))
			}
			i++
			b.WriteRune('\\')
			b.WriteRune(rs[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), ""
}

func (p *parser) parseIn(t *token, x Expr, not bool) Expr {
	in := &In{At: At{t.pos}, X: x, Not: not}
	open := p.tok()
	if !p.isOp("(") {
		p.failExpected("'(' after IN")
	}
	if p.startsQuery(p.i + 1) {
		parse := func() {
			p.next()
			in.Query = p.parseQuery()
			p.expectClose(open)
		}
		if p.peek(1).kind != tOp {
			parse()
			return in
		}
		if p.attempt(parse) {
			return in
		}
		in.Query = nil
	}
	p.next()
	in.List = p.parseExprList()
	p.expectClose(open)
	return in
}

func (p *parser) parseConcat() Expr {
	x := p.parseAdditive()
	for p.isOp("||") {
		t := p.next()
		x = &Binary{At: At{t.pos}, Op: "||", L: x, R: p.parseAdditive()}
	}
	return x
}

func (p *parser) parseAdditive() Expr {
	x := p.parseMul()
	for p.isOp("+") || p.isOp("-") {
		t := p.next()
		x = &Binary{At: At{t.pos}, Op: t.text, L: x, R: p.parseMul()}
	}
	return x
}

func (p *parser) parseMul() Expr {
	x := p.parseUnary()
	for p.isOp("*") || p.isOp("/") || p.isOp("%") || p.isKw("DIV") {
		t := p.next()
		x = &Binary{At: At{t.pos}, Op: strings.ToUpper(t.text), L: x, R: p.parseUnary()}
	}
	return x
}

func (p *parser) parseUnary() Expr {
	t := p.tok()
	if t.kind == tOp && (t.text == "-" || t.text == "+") {
		p.enter()
		defer p.leave()
		p.next()
		// A sign directly before a number is part of the literal, so -1 is
		// one constant and -9223372036854775808 fits in a BIGINT.
		if n := p.tok(); n.kind == tInt || n.kind == tFloat {
			p.next()
			return p.parsePostfix(p.numberLiteral(t.pos, n, t.text == "-"))
		}
		return &Unary{At: At{t.pos}, Op: t.text, X: p.parseUnary()}
	}
	return p.parsePostfix(p.parsePrimary())
}

func (p *parser) parsePostfix(x Expr) Expr {
	for {
		t := p.tok()
		switch {
		case t.kind == tOp && t.text == "[":
			p.next()
			idx := p.parseExpr()
			p.expectClose(t)
			x = &Subscript{At: At{t.pos}, X: x, Index: idx}
		case t.kind == tOp && t.text == "." && (p.peek(1).kind == tWord || p.peek(1).kind == tQIdent):
			p.next()
			name := p.next().text
			if id, ok := x.(*Ident); ok {
				id.Parts = append(id.Parts, name)
			} else {
				x = &Field{At: At{t.pos}, X: x, Name: name}
			}
		case t.kind == tOp && t.text == "::":
			p.next()
			x = &Cast{At: At{t.pos}, X: x, Type: p.parseType()}
		default:
			return x
		}
	}
}

func (p *parser) numberLiteral(pos Pos, t *token, neg bool) *Literal {
	text := t.text
	if neg {
		text = "-" + text
	}
	if t.kind == tInt {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return &Literal{At: At{pos}, Value: types.IntValue(i)}
		}
		// Spark makes an integer too large for BIGINT a DECIMAL; nectar's
		// nearest type is DOUBLE.
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		p.fail(&Error{Pos: t.pos, Msg: "number out of range: " + text})
	}
	return &Literal{At: At{pos}, Value: types.FloatValue(f)}
}

func (p *parser) parsePrimary() Expr {
	t := p.tok()
	at := At{t.pos}
	switch t.kind {
	case tInt, tFloat:
		p.next()
		return p.numberLiteral(t.pos, t, false)
	case tString:
		p.next()
		return &Literal{At: at, Value: types.StringValue(t.text)}
	case tQIdent:
		return p.parseIdentOrCall()
	case tOp:
		if t.text == "(" {
			return p.parseParen()
		}
		if t.text == "?" {
			return p.placeholder(t)
		}
	case tWord:
		up := strings.ToUpper(t.text)
		n := p.peek(1)
		switch up {
		case "NULL":
			p.next()
			return &Literal{At: at, Value: types.NullValue}
		case "TRUE", "FALSE":
			p.next()
			return &Literal{At: at, Value: types.BoolValue(up == "TRUE")}
		case "CASE":
			return p.parseCase()
		case "CAST", "TRY_CAST":
			if n.kind == tOp && n.text == "(" {
				return p.parseCast(up == "TRY_CAST")
			}
		case "EXISTS":
			if n.kind == tOp && n.text == "(" && !p.startsQuery(p.i+2) {
				// exists(array, x -> …), the higher-order function.
				return p.parseIdentOrCall()
			}
			p.next()
			open := p.tok()
			if !p.isOp("(") {
				p.failExpected("'(' and a query after EXISTS")
			}
			p.next()
			if !p.startsQuery(p.i) {
				p.failExpected("a query (SELECT, FROM or WITH) after EXISTS (")
			}
			q := p.parseQuery()
			p.expectClose(open)
			return &SubqueryExpr{At: at, Query: q, Exists: true}
		case "INTERVAL":
			if n.kind == tString || n.kind == tInt || n.kind == tFloat ||
				(n.kind == tOp && (n.text == "-" || n.text == "+") && p.startsIntervalValue(1)) {
				return p.parseInterval()
			}
		case "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "DATE":
			if n.kind == tString {
				return p.parseTypedLiteral(up)
			}
		case "LIKE", "ILIKE", "RLIKE", "REGEXP":
			// like(s, p) and ilike(s, p) are s LIKE p and s ILIKE p;
			// rlike and regexp are functions too, as in Spark.
			if n.kind == tOp && n.text == "(" {
				c, ok := p.parseIdentOrCall().(*Call)
				if ok && (up == "LIKE" || up == "ILIKE") {
					if len(c.Args) != 2 {
						p.fail(Errorf(c.Position(), "%s takes 2 arguments, got %d", strings.ToLower(up), len(c.Args)))
					}
					return p.parsePostfix(&Like{At: c.At, Op: up, X: c.Args[0], Pattern: c.Args[1]})
				}
				return p.parsePostfix(c)
			}
		case "X":
			if n.kind == tString && n.pos == t.end {
				return p.parseBinaryLiteral()
			}
		case "LEFT", "RIGHT":
			// left(s, n) and right(s, n) are string functions in Spark.
			if n.kind == tOp && n.text == "(" {
				return p.parseIdentOrCall()
			}
		case "DIV":
			// div(a, b) is Spark's function form of a DIV b.
			if n.kind == tOp && n.text == "(" {
				c, ok := p.parseIdentOrCall().(*Call)
				if !ok || len(c.Args) != 2 || c.Distinct {
					p.fail(Errorf(t.pos, "div takes two arguments: div(a, b) is a DIV b"))
				}
				return &Binary{At: c.At, Op: "DIV", L: c.Args[0], R: c.Args[1]}
			}
		}
		if !reserved[up] {
			return p.parseIdentOrCall()
		}
	}
	e := p.expectedErr("an expression")
	prev := p.peek(-1)
	if p.i > 0 && (isKw(prev, "SELECT") || isKw(prev, "DISTINCT")) && isKw(t, "FROM") {
		e.Hint = "the select list is empty; write SELECT * to keep every column"
	} else if p.i > 0 && p.toks[p.i-1].kind == tOp && p.toks[p.i-1].text == "," && t.kind == tWord && reserved[strings.ToUpper(t.text)] {
		e.Hint = "remove the trailing comma before " + strings.ToUpper(t.text)
	} else if t.kind == tWord && reserved[strings.ToUpper(t.text)] {
		e.Hint = strings.ToUpper(t.text) + " is a reserved word; quote a column of that name with backquotes: " + QuoteIdent(t.text)
	}
	p.fail(e)
	return nil
}

// parseParen parses '(' expr ')' or a scalar subquery '(' query ')'.
func (p *parser) parseParen() Expr {
	open := p.tok()
	if p.startsQuery(p.i) {
		var q Query
		parse := func() {
			p.next()
			q = p.parseQuery()
			p.expectClose(open)
		}
		// "(SELECT" is certainly a subquery; "((SELECT 1) + 1)" is not, so
		// with a second '(' the query is only tried.
		if p.peek(1).kind != tOp {
			parse()
			return &SubqueryExpr{At: At{open.pos}, Query: q}
		}
		if p.attempt(parse) {
			return &SubqueryExpr{At: At{open.pos}, Query: q}
		}
	}
	p.next()
	x := p.parseExpr()
	if p.isOp(",") || (p.isKw("AS") && isNameToken(p.peek(1)) && isOpTok(p.peek(2), ",")) {
		// (a, b, …) is a row: struct(a, b, …), as Spark's parser reads
		// it; (0 AS sum, 0 AS n) names its fields.
		args := []Expr{x}
		names := []string{""}
		named := false
		if p.acceptKw("AS") {
			names[0], named = p.parseName("a field name"), true
		}
		for p.acceptOp(",") {
			args = append(args, p.parseExpr())
			names = append(names, "")
			if p.acceptKw("AS") {
				names[len(names)-1], named = p.parseName("a field name"), true
			}
		}
		p.expectClose(open)
		if named {
			var nargs []Expr
			for i, a := range args {
				n := names[i]
				if n == "" {
					n = fmt.Sprintf("col%d", i+1)
				}
				nargs = append(nargs, &Literal{At: At{a.Position()}, Value: types.StringValue(n)}, a)
			}
			return &Call{At: At{open.pos}, Name: "named_struct", Args: nargs}
		}
		if p.isOp("->") {
			// (x, 1) -> …: a lambda's parameters are names.
			for _, a := range args {
				if id, ok := a.(*Ident); !ok || len(id.Parts) != 1 {
					p.fail(&Error{Pos: a.Position(), Msg: "expected ')' or a parameter name in the lambda's (x, y) list"})
				}
			}
		}
		return &Call{At: At{open.pos}, Name: "struct", Args: args}
	}
	p.expectClose(open)
	return x
}

func (p *parser) parseIdentOrCall() Expr {
	t := p.tok()
	parts := []string{p.next().text}
	for p.isOp(".") && (p.peek(1).kind == tWord || p.peek(1).kind == tQIdent) {
		p.next()
		parts = append(parts, p.next().text)
	}
	if !p.isOp("(") {
		return &Ident{At: At{t.pos}, Parts: parts}
	}
	return p.parseCall(t, strings.ToLower(strings.Join(parts, ".")))
}

// timeUnitCalls are the functions that take a unit word first, and what
// they are with one.
var timeUnitCalls = map[string]string{
	"timestampadd": "timestampadd", "dateadd": "timestampadd", "date_add": "timestampadd",
	"timestampdiff": "timestampdiff", "datediff": "timestampdiff", "date_diff": "timestampdiff", "timediff": "timestampdiff",
}

// timeUnitCall makes date_add(DAY, n, d) and the like, three arguments the
// first of which is a unit word, the call with a unit it is in Spark's
// grammar; the unit stays a word (an Ident) so that it prints back as one.
// With two arguments date_add and datediff are the functions of days.
func timeUnitCall(c *Call) {
	to := timeUnitCalls[c.Name]
	if to == "" || len(c.Args) != 3 {
		return
	}
	if u, ok := c.Args[0].(*Ident); ok && len(u.Parts) == 1 && isTimeUnit(u.Parts[0]) {
		c.Name = to
		c.Args[0] = &Ident{At: u.At, Parts: []string{strings.ToUpper(u.Parts[0])}}
	}
}

// isTimeUnit reports Spark's datetime units (the grammar's datetimeUnit).
func isTimeUnit(s string) bool {
	switch strings.ToUpper(s) {
	case "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DAYOFYEAR", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND":
		return true
	}
	return false
}

func (p *parser) parseCall(t *token, name string) Expr {
	open := p.next()
	c := &Call{At: At{t.pos}, Name: name}
	switch {
	case p.isOp("*"):
		st := p.next()
		c.Args = []Expr{&Star{At: At{st.pos}}}
	case p.isOp(")"):
	case name == "extract" && (p.tok().kind == tWord || p.tok().kind == tString) && isKw(p.peek(1), "FROM"):
		// extract(field FROM source) is Spark's date_part('field', source).
		f := p.next()
		p.next()
		c.Name = "date_part"
		c.Args = []Expr{&Literal{At: At{f.pos}, Value: types.StringValue(strings.ToLower(f.text))}, p.parseExpr()}
	case name == "trim" && p.parseTrimForm(c):
	case (name == "substring" || name == "substr") && p.parseSubstringForm(c):
	case name == "position" && p.parsePositionForm(c):
	default:
		if p.acceptKw("DISTINCT") {
			c.Distinct = true
		} else {
			p.acceptKw("ALL")
		}
		c.Args = p.parseCallArgs()
		timeUnitCall(c)
	}
	p.expectClose(open)
	if p.isKw("WITHIN") && isKw(p.peek(1), "GROUP") {
		p.next()
		p.next()
		wopen := p.tok()
		p.expectOp("(")
		p.expectKw("ORDER")
		p.expectKw("BY")
		c.WithinGroup = p.parseOrderItems()
		p.expectClose(wopen)
	}
	p.parseNullsTreatment(c)
	if p.isKw("FILTER") && p.peek(1).kind == tOp && p.peek(1).text == "(" {
		p.next()
		fopen := p.next()
		p.expectKw("WHERE")
		c.Filter = p.parseExpr()
		p.expectClose(fopen)
	}
	p.parseNullsTreatment(c)
	if p.isKw("OVER") {
		n := p.peek(1)
		switch {
		case isNameToken(n):
			// OVER w: the WINDOW clause after the select list defines w.
			p.next()
			p.next()
			p.winRefs = append(p.winRefs, winRef{name: n.text, pos: n.pos, call: c})
		case n.kind == tOp && n.text == "(" && isNameToken(p.peek(2)) && p.peek(3).kind == tOp && p.peek(3).text == ")" && !isKw(p.peek(2), "PARTITION") && !isKw(p.peek(2), "ORDER"):
			// OVER (w)
			p.next()
			p.next()
			w := p.next()
			p.next()
			p.winRefs = append(p.winRefs, winRef{name: w.text, pos: w.pos, call: c})
		case n.kind == tOp && n.text == "(":
			p.next()
			c.Over = p.parseWindow()
		}
	}
	return c
}

func (p *parser) parseWindow() *WindowSpec {
	open := p.next()
	w := &WindowSpec{}
	if p.isKw("PARTITION") || p.isKw("DISTRIBUTE") {
		p.next()
		p.expectKw("BY")
		w.PartitionBy = p.parseExprList()
	}
	if p.isKw("ORDER") || p.isKw("SORT") {
		p.next()
		p.expectKw("BY")
		w.OrderBy = p.parseOrderItems()
	}
	if p.isKw("ROWS") || p.isKw("RANGE") {
		f := &Frame{Unit: strings.ToUpper(p.next().text)}
		if p.acceptKw("BETWEEN") {
			f.Start = p.parseFrameBound()
			p.expectKw("AND")
			f.End = p.parseFrameBound()
		} else {
			f.Start = p.parseFrameBound()
			f.End = FrameBound{Kind: CurrentRow}
		}
		w.Frame = f
	}
	if !p.isOp(")") {
		what := "')'"
		switch {
		case w.Frame != nil:
		case w.OrderBy != nil:
			what = "ROWS, RANGE or ')'"
		case w.PartitionBy != nil:
			what = "ORDER BY, ROWS, RANGE or ')'"
		default:
			what = "PARTITION BY, ORDER BY, ROWS, RANGE or ')'"
		}
		e := p.expectedErr(what)
		line, col := LineCol(p.src, open.pos)
		if p.tok().kind != tBad {
			e.Hint = "the window opened at " + strconv.Itoa(line) + ":" + strconv.Itoa(col) + " ends with ')'"
		}
		p.fail(e)
	}
	p.next()
	return w
}

func (p *parser) parseFrameBound() FrameBound {
	t := p.tok()
	switch {
	case p.acceptKw("UNBOUNDED"):
		if p.acceptKw("PRECEDING") {
			return FrameBound{Kind: UnboundedPreceding}
		}
		if p.acceptKw("FOLLOWING") {
			return FrameBound{Kind: UnboundedFollowing}
		}
		p.failExpected("PRECEDING or FOLLOWING")
	case p.acceptKw("CURRENT"):
		p.expectKw("ROW")
		return FrameBound{Kind: CurrentRow}
	case t.kind == tInt || t.kind == tFloat || isKw(t, "INTERVAL"):
		var b FrameBound
		switch {
		case t.kind == tInt:
			p.next()
			n, err := strconv.ParseInt(t.text, 10, 64)
			if err != nil {
				p.fail(Errorf(t.pos, "frame offset out of range: %s", t.text))
			}
			b.Offset = n
		case t.kind == tFloat:
			p.next()
			f, err := strconv.ParseFloat(t.text, 64)
			if err != nil {
				p.fail(Errorf(t.pos, "invalid frame offset %s", t.text))
			}
			b.Value = types.FloatValue(f)
		default:
			b.Value = p.parseInterval().(*Interval).Value
		}
		if p.acceptKw("PRECEDING") {
			b.Kind = OffsetPreceding
			return b
		}
		if p.acceptKw("FOLLOWING") {
			b.Kind = OffsetFollowing
			return b
		}
		p.failExpected("PRECEDING or FOLLOWING")
	}
	p.failExpected("a frame bound (UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING or UNBOUNDED FOLLOWING)")
	return FrameBound{}
}

func (p *parser) parseCase() Expr {
	t := p.next()
	c := &Case{At: At{t.pos}}
	if !p.isKw("WHEN") {
		c.Operand = p.parseExpr()
	}
	if !p.isKw("WHEN") {
		p.failExpected("WHEN")
	}
	for p.acceptKw("WHEN") {
		cond := p.parseExpr()
		p.expectKw("THEN")
		c.Whens = append(c.Whens, When{Cond: cond, Result: p.parseExpr()})
	}
	if p.acceptKw("ELSE") {
		c.Else = p.parseExpr()
	}
	if !p.isKw("END") {
		e := p.expectedErr("WHEN, ELSE or END")
		line, col := LineCol(p.src, t.pos)
		e.Hint = "the CASE at " + strconv.Itoa(line) + ":" + strconv.Itoa(col) + " needs an END"
		p.fail(e)
	}
	p.next()
	return c
}

func (p *parser) parseCast(try bool) Expr {
	t := p.next()
	open := p.next()
	x := p.parseExpr()
	p.expectKw("AS")
	k := p.parseType()
	p.expectClose(open)
	return &Cast{At: At{t.pos}, X: x, Type: k, Try: try}
}

var typeNames = []string{"BOOLEAN", "BIGINT", "INT", "INTEGER", "DOUBLE", "FLOAT", "DECIMAL", "STRING", "VARCHAR", "TIMESTAMP", "DATE"}

// parseType reads a Spark type name. Length and precision arguments
// (VARCHAR(20), DECIMAL(10, 2)) are accepted and dropped: nectar's STRING
// has no length and DECIMAL is computed as DOUBLE. An integer type keeps
// its width (INT is 32 bits), which the cast checks.
func (p *parser) parseType() types.Type {
	if p.isNestedTypeStart() {
		return types.Type{Kind: p.parseNestedType()}
	}
	t := p.tok()
	if t.kind != tWord && t.kind != tQIdent {
		p.failExpected("a type name")
	}
	if isKw(t, "INTERVAL") && p.peek(1).kind == tWord {
		return p.parseIntervalType()
	}
	k, ok := types.ParseType(t.text)
	if !ok {
		e := Errorf(t.pos, "unknown type %s", p.describe(t))
		switch strings.ToUpper(t.text) {
		case "ARRAY", "MAP", "STRUCT":
			e.Msg = "type " + strings.ToUpper(t.text) + " needs the types inside it"
			e.Hint = "write ARRAY<BIGINT>, MAP<STRING, BIGINT> or STRUCT<a: BIGINT>"
		case "INTERVAL":
			e.Msg = "type " + strings.ToUpper(t.text) + " is not supported"
			e.Hint = "supported types: BOOLEAN, BIGINT, DOUBLE, DECIMAL(p, s), STRING, BINARY, TIMESTAMP, DATE, INTERVAL unit [TO unit]"
		default:
			if kw := closest(t.text, typeNames); kw != "" {
				e.Hint = "did you mean " + kw + "?"
			} else {
				e.Hint = "supported types: BOOLEAN, BIGINT, DOUBLE, DECIMAL(p, s), STRING, BINARY, TIMESTAMP, DATE"
			}
		}
		p.fail(e)
	}
	p.next()
	if p.isOp("(") {
		open := p.next()
		var nums []int64
		for {
			n := p.tok()
			if n.kind != tInt {
				p.failExpected("a length or precision")
			}
			p.next()
			v, _ := strconv.ParseInt(n.text, 10, 64)
			nums = append(nums, v)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectClose(open)
		if k.Precision > 0 {
			// DECIMAL(p[, s]), as Spark bounds it: 1 ≤ p ≤ 38, 0 ≤ s ≤ p.
			s := int64(0)
			if len(nums) > 1 {
				s = nums[1]
			}
			if len(nums) > 2 || nums[0] < 1 || nums[0] > 38 || s < 0 || s > nums[0] {
				p.fail(Errorf(open.pos, "DECIMAL takes a precision from 1 to 38 and a scale from 0 to the precision"))
			}
			k.Precision, k.Scale = uint8(nums[0]), uint8(s)
		}
	}
	return k
}

// parseIntervalType reads INTERVAL field [TO field], the type of an ANSI
// interval.
func (p *parser) parseIntervalType() types.Type {
	t := p.next()
	name := "INTERVAL " + p.next().text
	if p.isKw("TO") {
		p.next()
		name += " TO " + p.next().text
	}
	k, ok := types.ParseKind(name)
	if !ok {
		p.fail(&Error{Pos: t.pos, Msg: "unknown type " + strings.ToUpper(name), Hint: "write INTERVAL YEAR TO MONTH, INTERVAL DAY TO SECOND or a part of one such as INTERVAL HOUR"})
	}
	return types.Type{Kind: k}
}

func (p *parser) parseTypedLiteral(kind string) Expr {
	t := p.next()
	s := p.next()
	tm, ok := types.ParseTimestamp(s.text)
	if !ok {
		layout := "'YYYY-MM-DD HH:MM:SS'"
		if kind == "DATE" {
			layout = "'YYYY-MM-DD'"
		}
		p.fail(&Error{Pos: s.pos, Msg: "invalid " + kind + " literal " + QuoteString(s.text), Hint: "write " + kind + " " + layout})
	}
	if kind == "DATE" {
		days := tm.Unix() / 86400
		if tm.Unix()%86400 < 0 {
			days--
		}
		return &Literal{At: At{t.pos}, Value: types.DateValue(days)}
	}
	return &Literal{At: At{t.pos}, Value: types.TimestampValue(tm)}
}

// parseBinaryLiteral reads X'0A1B', a BINARY of the bytes the hex digits
// spell, as Spark's lexer reads BINARY_HEX; an odd count of digits starts
// with a zero nibble, as Spark's Hex.unhex pads it.
func (p *parser) parseBinaryLiteral() Expr {
	t := p.next()
	s := p.next()
	h := s.text
	if len(h)%2 == 1 {
		h = "0" + h
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		p.fail(&Error{Pos: s.pos, Msg: "invalid binary literal X" + QuoteString(s.text), Hint: "write X'' with hexadecimal digits, two a byte"})
	}
	return &Literal{At: At{t.pos}, Value: types.BinaryValue(b)}
}

// parseTrimForm reads SQL's trim([BOTH | LEADING | TRAILING] [chars] FROM
// s) into trim(chars, s), ltrim(chars, s) or rtrim(chars, s): Spark's
// two-argument trims take the characters first. It reads nothing and reports false for a plain call trim(s[, …]).
func (p *parser) parseTrimForm(c *Call) bool {
	fn := "trim"
	dir := p.tok()
	if dir.kind == tWord && p.peek(1).kind != tOp {
		switch strings.ToUpper(dir.text) {
		case "BOTH":
		case "LEADING":
			fn = "ltrim"
		case "TRAILING":
			fn = "rtrim"
		default:
			dir = nil
		}
	} else {
		dir = nil
	}
	if dir == nil {
		// trim(chars FROM s) without a direction: look for FROM after
		// the first argument.
		var chars Expr
		if !p.attempt(func() {
			chars = p.parseExpr()
			if !p.isKw("FROM") {
				p.failExpected("FROM")
			}
		}) {
			return false
		}
		p.expectKw("FROM")
		c.Args = []Expr{chars, p.parseExpr()}
		return true
	}
	p.next()
	c.Name = fn
	if p.acceptKw("FROM") {
		c.Args = []Expr{p.parseExpr()}
		return true
	}
	chars := p.parseExpr()
	p.expectKw("FROM")
	c.Args = []Expr{chars, p.parseExpr()}
	return true
}

// parseSubstringForm reads SQL's substring(s FROM pos [FOR len]) into
// substring(s, pos[, len]); false, having read nothing, for a plain call.
func (p *parser) parseSubstringForm(c *Call) bool {
	var x Expr
	if !p.attempt(func() {
		x = p.parseExpr()
		if !p.isKw("FROM") {
			p.failExpected("FROM")
		}
	}) {
		return false
	}
	p.expectKw("FROM")
	c.Args = []Expr{x, p.parseExpr()}
	if p.acceptKw("FOR") {
		c.Args = append(c.Args, p.parseExpr())
	}
	return true
}

// parsePositionForm reads SQL's position(sub IN s) into position(sub, s);
// false, having read nothing, for a plain call.
func (p *parser) parsePositionForm(c *Call) bool {
	var sub Expr
	if !p.attempt(func() {
		sub = p.parseConcat()
		if !p.isKw("IN") {
			p.failExpected("IN")
		}
	}) {
		return false
	}
	p.expectKw("IN")
	c.Args = []Expr{sub, p.parseExpr()}
	return true
}

// isOpTok reports whether t is the operator op.
func isOpTok(t *token, op string) bool { return t.kind == tOp && t.text == op }

// parseNullsTreatment reads IGNORE NULLS or RESPECT NULLS after a call,
// which Spark accepts before FILTER or after it.
func (p *parser) parseNullsTreatment(c *Call) {
	if (p.isKw("IGNORE") || p.isKw("RESPECT")) && isKw(p.peek(1), "NULLS") {
		c.IgnoreNulls = p.isKw("IGNORE")
		p.next()
		p.next()
	}
}
