package syntax

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// maxErrors is how many errors ParseScript collects before giving up, as
// Prometheus' parser does: enough to show several mistakes at once, few
// enough that a cascade of follow-on errors does not bury the first.
const maxErrors = 10

// maxDepth bounds nesting of parentheses and operators so that hostile or
// generated input fails with an error instead of exhausting the stack.
const maxDepth = 400

// ParseScript parses statements separated by ';' (a trailing ';' is
// optional). After an error it skips to the next ';' and goes on; the error
// returned is an ErrorList of up to 10 *Error.
func ParseScript(src string) ([]Statement, error) {
	return newParser(src).parseScript()
}

// Options say how ParseScriptWith reads a script.
type Options struct {
	// Params are the values of the ? placeholders, as ParseScriptParams
	// takes them, when Bind is set; without it a ? is an error.
	Params []types.Value
	Bind   bool
	// DoubleQuotedIdentifiers reads "x" as a name, as Spark does under
	// spark.sql.ansi.doubleQuotedIdentifiers. A SET or RESET of that
	// setting in the script changes how the statements after it are read.
	DoubleQuotedIdentifiers bool
}

// ParseScriptWith is ParseScript with options: the session's settings
// and a prepared statement's parameters.
func ParseScriptWith(src string, o Options) ([]Statement, error) {
	p := newParser(src)
	p.params, p.bound = o.Params, o.Bind
	if o.DoubleQuotedIdentifiers {
		p.dq = true
		p.toks = lexFrom(src, 0, true)
	}
	stmts, err := p.parseScript()
	if err != nil || !o.Bind {
		return stmts, err
	}
	if n := Placeholders(src); n < len(o.Params) {
		return stmts, &Error{Pos: NoPos, Msg: fmt.Sprintf("%d parameter values given for %d ? placeholders", len(o.Params), n)}
	}
	return stmts, nil
}

func (p *parser) parseScript() ([]Statement, error) {
	var stmts []Statement
	var errs ErrorList
	for {
		for p.isOp(";") {
			p.next()
		}
		if p.tok().kind == tEOF {
			break
		}
		var st Statement
		p.winRefs = p.winRefs[:0]
		err := p.try(func() {
			st = p.parseStatement()
			p.endStatement(st)
		})
		if err != nil {
			errs = append(errs, err)
			if len(errs) == maxErrors {
				break
			}
			p.skipToSemicolon()
			continue
		}
		stmts = append(stmts, st)
		// Spark reads each statement under the settings the ones before
		// it made: lex the rest again when a SET changed the quotes.
		if dq, changed := dialectAfter(st, p.dq); changed {
			p.dq = dq
			p.toks = append(p.toks[:p.i:p.i], lexFrom(p.src, int(p.tok().pos), dq)...)
		}
	}
	if len(errs) > 0 {
		return stmts, errs
	}
	return stmts, nil
}

// ParseQuery parses exactly one query (no statement keywords, at most a
// trailing ';'). The error, if any, is an *Error.
func ParseQuery(src string) (Query, error) {
	p := newParser(src)
	var q Query
	if err := p.try(func() {
		q = p.parseQuery()
		p.endStatement(&QueryStmt{Query: q})
		if p.isOp(";") {
			p.next()
		}
		p.expectEOF("end of query")
	}); err != nil {
		return nil, err
	}
	return q, nil
}

// ParseExpr parses one scalar expression, as experiment specs and config
// files write them. The error, if any, is an *Error.
func ParseExpr(src string) (Expr, error) {
	p := newParser(src)
	var e Expr
	if err := p.try(func() {
		e = p.parseExpr()
		p.resolveWindows(0)
		p.expectEOF("end of expression")
	}); err != nil {
		return nil, err
	}
	return e, nil
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
	// implicitAlias is the index of the last token taken as an alias written
	// without AS. A misspelled keyword (SELECT a FORM t) parses as such an
	// alias, so when the next token makes no sense the error points back at
	// the alias and suggests the keyword.
	implicitAlias int
	// params are the values of the ? placeholders when bound is set
	// (ParseScriptParams); without it a ? is an error.
	params []types.Value
	bound  bool
	// winRefs are the OVER name references not yet resolved: the WINDOW
	// clause that defines them follows the select list (see windows.go).
	winRefs []winRef
	// dq says "x" is lexed as a name (Options.DoubleQuotedIdentifiers).
	dq bool
}

func newParser(src string) *parser {
	return &parser{src: src, toks: lex(src), implicitAlias: -1}
}

// bailout carries a syntax error up to the statement boundary. Recursive
// descent is much simpler when a deep failure can unwind at once; the panic
// never escapes the package (see try).
type bailout struct{ err *Error }

func (p *parser) fail(e *Error) {
	if !strings.HasPrefix(e.Msg, "syntax error") {
		e.Msg = "syntax error: " + e.Msg
	}
	panic(bailout{e})
}

// try runs fn and turns a bailout into an error. The parser position is
// left where the failure happened.
func (p *parser) try(fn func()) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	fn()
	return nil
}

// attempt runs fn speculatively: on failure it restores the position and
// reports false. It is used only where a '(' may open either a query or an
// expression and the tokens after it do not tell which.
func (p *parser) attempt(fn func()) bool {
	i, depth, ia, nw := p.i, p.depth, p.implicitAlias, len(p.winRefs)
	if err := p.try(fn); err != nil {
		p.i, p.depth, p.implicitAlias, p.winRefs = i, depth, ia, p.winRefs[:nw]
		return false
	}
	return true
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(Errorf(p.tok().pos, "query is nested too deeply (more than %d levels)", maxDepth))
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) skipToSemicolon() {
	for p.tok().kind != tEOF && !p.isOp(";") {
		p.i++
	}
}

// ---- token access ----

func (p *parser) tok() *token { return &p.toks[p.i] }

func (p *parser) peek(k int) *token {
	if p.i+k < 0 {
		return &p.toks[0]
	}
	if p.i+k < len(p.toks) {
		return &p.toks[p.i+k]
	}
	return &p.toks[len(p.toks)-1]
}

func (p *parser) next() *token {
	t := &p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func isKw(t *token, kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

func (p *parser) isKw(kw string) bool { return isKw(p.tok(), kw) }

func (p *parser) acceptKw(kw string) bool {
	if p.isKw(kw) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) *token {
	if !p.isKw(kw) {
		p.failExpected(kw)
	}
	return p.next()
}

func (p *parser) isOp(op string) bool {
	t := p.tok()
	return t.kind == tOp && t.text == op
}

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op string) *token {
	if !p.isOp(op) {
		p.failExpected("'" + op + "'")
	}
	return p.next()
}

// expectClose expects the ')' (or ']') matching open, and if it is missing
// says where the bracket was opened.
func (p *parser) expectClose(open *token) {
	closer := ")"
	if open.text == "[" {
		closer = "]"
	}
	if p.isOp(closer) {
		p.next()
		return
	}
	e := p.expectedErr("'" + closer + "'")
	if e.Hint == "" {
		line, col := LineCol(p.src, open.pos)
		e.Hint = fmt.Sprintf("to close the '%s' opened at %d:%d", open.text, line, col)
	}
	p.fail(e)
}

func (p *parser) expectEOF(what string) {
	if p.tok().kind != tEOF {
		p.failExpected(what)
	}
}

// describe renders a token for "found …" in messages.
func (p *parser) describe(t *token) string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tString:
		s := t.text
		if len(s) > 30 {
			s = s[:27] + "..."
		}
		return "string " + QuoteString(s)
	}
	s := p.src[t.pos:t.end]
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return "'" + s + "'"
}

// expectedErr builds "expected <what>, found <token>" at the current token,
// or the lexer's own error if the current token is malformed.
func (p *parser) expectedErr(what string) *Error {
	t := p.tok()
	if t.kind == tBad {
		return &Error{Pos: t.pos, Msg: t.text, Hint: t.hint}
	}
	e := Errorf(t.pos, "expected %s, found %s", what, p.describe(t))
	if t.kind == tString && t.dq && strings.Contains(what, "name") {
		e.Hint = "double quotes make a string in Spark SQL; quote names with backquotes: " + QuoteIdent(t.text)
		if isPlainIdent(t.text) && !IsReserved(t.text) {
			e.Hint = "double quotes make a string in Spark SQL; write the name bare (" + t.text + ") or in backquotes (`" + t.text + "`)"
		}
	}
	return e
}

func (p *parser) failExpected(what string) {
	p.fail(p.expectedErr(what))
}

// ---- names ----

// isNameToken reports whether t can start a name: a backquoted identifier
// or a word that is not reserved.
func isNameToken(t *token) bool {
	return t.kind == tQIdent || (t.kind == tWord && !reserved[strings.ToUpper(t.text)])
}

// parseName reads one identifier (bare, not reserved, or backquoted).
func (p *parser) parseName(what string) string {
	t := p.tok()
	if !isNameToken(t) {
		p.failExpected(what)
	}
	p.next()
	return t.text
}

// parseDottedName reads name(.name)*; parts after a dot may be reserved
// words, since nothing else can follow a dot.
func (p *parser) parseDottedName(what string) []string {
	parts := []string{p.parseName(what)}
	for p.isOp(".") && (p.peek(1).kind == tWord || p.peek(1).kind == tQIdent) {
		p.next()
		parts = append(parts, p.next().text)
	}
	return parts
}

// parseAlias reads an optional [AS] alias. Without AS only a non-reserved
// word that cannot start a following construct is taken.
func (p *parser) parseAlias() string {
	if p.acceptKw("AS") {
		return p.parseName("an alias name")
	}
	t := p.tok()
	if u := strings.ToUpper(t.text); t.kind == tWord && (u == "SORT" || u == "CLUSTER" || u == "DISTRIBUTE") && isKw(p.peek(1), "BY") {
		return "" // SORT BY, CLUSTER BY, DISTRIBUTE BY
	}
	if t.kind == tQIdent || (isNameToken(t) && !noImplicitAlias[strings.ToUpper(t.text)]) {
		p.implicitAlias = p.i
		p.next()
		return t.text
	}
	return ""
}

// ---- statements ----

var statementKeywords = []string{"SELECT", "FROM", "WITH", "CREATE", "DESCRIBE", "EXPLAIN", "SHOW", "DROP", "VALUES", "TABLE", "SET", "RESET"}

func (p *parser) parseStatement() Statement {
	t := p.tok()
	switch {
	case isKw(t, "CREATE"):
		return p.parseCreateView()
	case isKw(t, "DESCRIBE") || isKw(t, "DESC"):
		p.next()
		d := &Describe{At: At{t.pos}}
		if p.isKw("TABLE") && p.peek(1).kind != tEOF && !(p.peek(1).kind == tOp && p.peek(1).text == ";") {
			p.next()
		} else if p.isKw("QUERY") && p.startsQuery(p.i+1) {
			p.next()
		}
		if p.startsQuery(p.i) {
			d.Query = p.parseQuery()
			return d
		}
		nt := p.tok()
		parts := p.parseDottedName("a query or view name")
		d.Query = &FromQuery{At: At{nt.pos}, From: &TableName{At: At{nt.pos}, Name: strings.Join(parts, ".")}}
		return d
	case isKw(t, "EXPLAIN"):
		p.next()
		return &Explain{At: At{t.pos}, Query: p.parseQuery()}
	case isKw(t, "DROP") && (isKw(p.peek(1), "VIEW") || isKw(p.peek(1), "TABLE")):
		p.next()
		p.next()
		d := &DropView{At: At{t.pos}}
		if p.isKw("IF") && isKw(p.peek(1), "EXISTS") {
			p.next()
			p.next()
			d.IfExists = true
		}
		d.Name = strings.Join(p.parseDottedName("a view name"), ".")
		return d
	case isKw(t, "SHOW"):
		return p.parseShow()
	case isKw(t, "SET") || isKw(t, "RESET"):
		return p.parseSet()
	}
	if !p.startsQuery(p.i) {
		e := p.expectedErr("a statement (SELECT, FROM, WITH, CREATE VIEW, DESCRIBE, EXPLAIN or SHOW TABLES)")
		if t.kind == tWord {
			if kw := closest(t.text, statementKeywords); kw != "" {
				e.Hint = "did you mean " + kw + "?"
			}
		}
		p.fail(e)
	}
	q := p.parseQuery()
	return &QueryStmt{At: At{q.Position()}, Query: q}
}

// parseShow reads Spark's SHOW TABLES [{FROM|IN} db] [[LIKE] 'pattern'];
// nectar has one namespace, so naming a database is refused.
func (p *parser) parseShow() Statement {
	t := p.next()
	st := &ShowTables{At: At{t.pos}}
	if !p.isKw("TABLES") {
		e := p.expectedErr("TABLES")
		if p.isKw("VIEWS") || p.isKw("DATABASES") || p.isKw("SCHEMAS") || p.isKw("FUNCTIONS") || p.isKw("COLUMNS") {
			e.Hint = "nectar has SHOW TABLES (sources and views) only; DESCRIBE name shows a table's columns"
		}
		p.fail(e)
	}
	p.next()
	if p.isKw("FROM") || p.isKw("IN") {
		e := Errorf(p.tok().pos, "nectar has no databases: SHOW TABLES lists every source and view")
		e.Hint = "drop " + strings.ToUpper(p.tok().text) + " and the database name"
		p.fail(e)
	}
	like := p.acceptKw("LIKE")
	if pt := p.tok(); pt.kind == tString {
		p.next()
		st.Pattern = pt.text
	} else if like {
		p.failExpected("a pattern in quotes, such as 'event*'")
	}
	return st
}

func (p *parser) parseCreateView() Statement {
	t := p.next()
	cv := &CreateView{At: At{t.pos}}
	if p.acceptKw("OR") {
		p.expectKw("REPLACE")
		cv.OrReplace = true
	}
	p.acceptKw("GLOBAL")
	if !p.acceptKw("TEMP") {
		p.acceptKw("TEMPORARY")
	}
	if !p.isKw("VIEW") {
		e := p.expectedErr("VIEW")
		if p.isKw("TABLE") {
			e.Hint = "nectar has views only: CREATE TEMPORARY VIEW name AS query"
		}
		p.fail(e)
	}
	p.next()
	cv.Name = strings.Join(p.parseDottedName("a view name"), ".")
	cv.Columns = p.parseColumnAliases()
	p.expectKw("AS")
	cv.Query = p.parseQuery()
	return cv
}

// clauseKeywords are words that may continue a query; a word near one of
// them where the query should end is probably a typo of it.
var clauseKeywords = []string{"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "JOIN", "ON", "USING"}

var clauseNames = map[string]string{"GROUP": "GROUP BY", "ORDER": "ORDER BY"}

// endStatement checks that the statement ends here (';' or end of input)
// and otherwise explains the most likely mistake.
func (p *parser) endStatement(st Statement) {
	// An OVER name no WINDOW clause defined (|> WHERE … OVER w, where
	// no SELECT list's WINDOW reaches).
	p.resolveWindows(0)
	t := p.tok()
	if t.kind == tEOF || (t.kind == tOp && t.text == ";") {
		return
	}
	if t.kind == tBad {
		p.failExpected("end of query")
	}
	// A misspelled keyword was taken as an alias: point at it.
	if p.implicitAlias >= 0 && p.implicitAlias == p.i-1 {
		at := &p.toks[p.implicitAlias]
		if kw := closest(at.text, clauseKeywords); kw != "" {
			name := kw
			if n, ok := clauseNames[kw]; ok {
				name = n
			}
			p.fail(&Error{Pos: at.pos, Msg: fmt.Sprintf("expected %s or end of query, found %s", name, p.describe(at)), Hint: "did you mean " + name + "?"})
		}
	}
	pipeQuery := false
	if qs, ok := st.(*QueryStmt); ok {
		switch qs.Query.(type) {
		case *FromQuery, *Pipe:
			pipeQuery = true
		}
	}
	what := "end of query"
	if pipeQuery {
		what = "|> or end of query"
	}
	e := p.expectedErr(what)
	if t.kind == tWord {
		up := strings.ToUpper(t.text)
		switch {
		case pipeQuery && (up == "WHERE" || up == "SELECT" || up == "ORDER" || up == "LIMIT" || up == "GROUP"):
			e.Hint = "in pipe syntax each step starts with |>, e.g. |> " + up
		case up == "UNION" || up == "INTERSECT" || up == "EXCEPT":
			e.Hint = "put a query with ORDER BY or LIMIT in parentheses before " + up
		case contains(clauseKeywords, up):
			e.Hint = "clauses go in the order SELECT, FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET"
		default:
			if kw := closest(t.text, clauseKeywords); kw != "" {
				name := kw
				if n, ok := clauseNames[kw]; ok {
					name = n
				}
				e.Msg = fmt.Sprintf("expected %s or %s, found %s", name, what, p.describe(t))
				e.Hint = "did you mean " + name + "?"
			} else if p.implicitAlias == p.i-1 {
				e.Hint = "a select item or table takes one alias; is a comma missing?"
			}
		}
	}
	if e.Hint == "" && t.kind == tOp && t.text == "|" {
		e.Hint = "pipe operators are written |>"
	}
	p.fail(e)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- queries ----

// startsQuery reports whether the token at i begins a query: SELECT, WITH,
// FROM, or a '(' whose first non-'(' token does.
func (p *parser) startsQuery(i int) bool {
	for i < len(p.toks) && p.toks[i].kind == tOp && p.toks[i].text == "(" {
		i++
	}
	if i >= len(p.toks) {
		return false
	}
	t := &p.toks[i]
	return isKw(t, "SELECT") || isKw(t, "WITH") || isKw(t, "FROM") || p.startsValues(i) || p.startsTable(i)
}

// startsValues reports an inline table at i: VALUES followed by a row.
func (p *parser) startsValues(i int) bool {
	if i+1 >= len(p.toks) || !isKw(&p.toks[i], "VALUES") {
		return false
	}
	switch n := &p.toks[i+1]; n.kind {
	case tOp:
		return n.text == "(" || n.text == "-"
	case tInt, tFloat, tString:
		return true
	case tWord:
		if i+2 < len(p.toks) {
			// VALUES now(), VALUES DATE '2020-01-01', VALUES X'01': a
			// call or a typed literal.
			if m := &p.toks[i+2]; (m.kind == tOp && m.text == "(") || m.kind == tString {
				return true
			}
		}
		return isKw(n, "NULL") || isKw(n, "TRUE") || isKw(n, "FALSE")
	}
	return false
}

// startsTable reports TABLE name at i, Spark's query for all of a table.
func (p *parser) startsTable(i int) bool {
	return i+1 < len(p.toks) && isKw(&p.toks[i], "TABLE") && isNameToken(&p.toks[i+1])
}

// parseValues reads VALUES row, row, …: a row is a parenthesised list of
// expressions, or one expression for a one-column row.
func (p *parser) parseValues() *Values {
	t := p.next()
	v := &Values{At: At{t.pos}}
	for {
		if open := p.tok(); open.kind == tOp && open.text == "(" {
			// (1, 2) is a row of two; (1) + 1 is one expression.
			i := p.i
			var row []Expr
			if p.attempt(func() {
				p.next()
				row = p.parseValuesRow()
				p.expectClose(open)
				if !p.isOp(",") && !p.atValuesEnd() {
					p.failExpected("',' or the end of VALUES")
				}
			}) {
				v.Rows = append(v.Rows, row)
			} else {
				p.i = i
				v.Rows = append(v.Rows, []Expr{p.parseExpr()})
			}
		} else {
			v.Rows = append(v.Rows, []Expr{p.parseExpr()})
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if n := len(v.Rows[0]); true {
		for _, r := range v.Rows[1:] {
			if len(r) != n {
				p.fail(Errorf(t.pos, "VALUES rows must have the same number of values: %d and %d", n, len(r)))
			}
		}
	}
	return v
}

// parseValuesRow reads a parenthesised row's values; each may have an
// alias (VALUES (1 AS id, 'a' AS name)), which Spark accepts and ignores.
func (p *parser) parseValuesRow() []Expr {
	var row []Expr
	for {
		row = append(row, p.parseExpr())
		if p.acceptKw("AS") {
			p.parseName("an alias name")
		}
		if !p.acceptOp(",") {
			return row
		}
	}
}

// atValuesEnd reports a token that may follow the last VALUES row.
func (p *parser) atValuesEnd() bool {
	t := p.tok()
	if t.kind == tEOF || t.kind == tQIdent || (t.kind == tOp && (t.text == ")" || t.text == ";" || t.text == "|>")) {
		return true
	}
	return t.kind == tWord
}

// clauseWord reports a non-reserved word that continues a query after
// VALUES rather than naming it.
func clauseWord(t *token) bool {
	return isKw(t, "MINUS") || isKw(t, "WINDOW") || isKw(t, "QUALIFY")
}

// parseColumnAliases reads an optional (name, …) after a FROM alias.
func (p *parser) parseColumnAliases() []string { return p.parseParenNames("a column name") }

// parseParenNames reads an optional (name, …), each name being what; nil
// when no parenthesis opens.
func (p *parser) parseParenNames(what string) []string {
	open := p.tok()
	if !p.acceptOp("(") {
		return nil
	}
	var names []string
	for {
		names = append(names, p.parseName(what))
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectClose(open)
	return names
}

// parseQuery parses [WITH …] set-expression followed by any |> operators.
func (p *parser) parseQuery() Query {
	p.enter()
	defer p.leave()
	if t := p.tok(); isKw(t, "WITH") {
		p.next()
		w := &With{At: At{t.pos}}
		for {
			nt := p.tok()
			name := p.parseName("a name for the WITH query")
			for _, c := range w.CTEs {
				if strings.EqualFold(c.Name, name) {
					// Spark's DUPLICATED_CTE_NAMES.
					p.fail(Errorf(nt.pos, "WITH names %s twice", QuoteIdent(name)))
				}
			}
			var cols []string
			if n := p.peek(2); p.isOp("(") && isNameToken(p.peek(1)) && n.kind == tOp && (n.text == "," || n.text == ")") {
				cols = p.parseColumnAliases()
			}
			p.acceptKw("AS")
			open := p.tok()
			if !p.isOp("(") {
				p.failExpected("'(' and a query")
			}
			p.next()
			q := p.parseQuery()
			p.expectClose(open)
			w.CTEs = append(w.CTEs, CTE{Name: name, Columns: cols, Query: q})
			if !p.acceptOp(",") {
				break
			}
		}
		w.Body = p.parseQuery()
		return w
	}
	q := p.parseSetExpr()
	for p.isOp("|>") {
		t := p.next()
		q = &Pipe{At: At{t.pos}, Input: q, Op: p.parsePipeOp()}
	}
	return q
}

func (p *parser) setOpKeyword() string {
	switch {
	case p.isKw("UNION"):
		return "UNION"
	case p.isKw("EXCEPT") || p.isKw("MINUS"):
		return "EXCEPT"
	case p.isKw("INTERSECT"):
		return "INTERSECT"
	}
	return ""
}

// parseSetQuantifier reads an optional ALL or DISTINCT (the default).
func (p *parser) parseSetQuantifier() bool {
	if p.acceptKw("ALL") {
		return true
	}
	p.acceptKw("DISTINCT")
	return false
}

// parseSetExpr parses UNION and EXCEPT over INTERSECT terms (INTERSECT binds
// tighter, as in Spark), then the ORDER BY, LIMIT and OFFSET that apply to
// the whole.
func (p *parser) parseSetExpr() Query {
	q := p.parseIntersect()
	for {
		op := p.setOpKeyword()
		if op == "" || op == "INTERSECT" {
			break
		}
		t := p.next()
		all := p.parseSetQuantifier()
		r := p.parseIntersect()
		q = &SetOp{At: At{t.pos}, Op: op, All: all, Left: q, Right: r}
	}
	return p.parseQueryTail(q)
}

func (p *parser) parseIntersect() Query {
	q := p.parseQueryPrimary()
	for p.isKw("INTERSECT") {
		t := p.next()
		all := p.parseSetQuantifier()
		r := p.parseQueryPrimary()
		q = &SetOp{At: At{t.pos}, Op: "INTERSECT", All: all, Left: q, Right: r}
	}
	return q
}

func (p *parser) parseQueryPrimary() Query {
	t := p.tok()
	switch {
	case isKw(t, "SELECT"):
		return p.parseSelect()
	case isKw(t, "FROM"):
		p.next()
		return &FromQuery{At: At{t.pos}, From: p.parseFromClause()}
	case p.startsValues(p.i):
		// Spark lets a VALUES query name itself and its columns too:
		// VALUES (1, 'a') AS t(n, s).
		v := p.parseValues()
		if p.isKw("AS") || p.tok().kind == tQIdent || isNameToken(p.tok()) && !clauseWord(p.tok()) {
			if v.Alias = p.parseAlias(); v.Alias != "" {
				v.Columns = p.parseColumnAliases()
			}
		}
		return v
	case p.startsTable(p.i):
		// TABLE t is FROM t, as Spark defines it.
		p.next()
		nt := p.tok()
		parts := p.parseDottedName("a table name")
		return &FromQuery{At: At{t.pos}, From: &TableName{At: At{nt.pos}, Name: strings.Join(parts, ".")}}
	case t.kind == tOp && t.text == "(":
		p.next()
		q := p.parseQuery()
		p.expectClose(t)
		return q
	}
	e := p.expectedErr("SELECT, FROM or '('")
	if t.kind == tWord {
		if kw := closest(t.text, []string{"SELECT", "FROM", "WITH"}); kw != "" {
			e.Hint = "did you mean " + kw + "?"
		}
	}
	p.fail(e)
	return nil
}

// parseQueryTail attaches ORDER BY, LIMIT and OFFSET to q. They go into the
// Select or SetOp itself when that keeps the meaning; otherwise (after a
// parenthesised query that already orders or limits, or after FROM t) they
// become pipe operators, which apply in sequence just as nested SQL does.
// parseHiveOrder reads Hive's SORT BY, CLUSTER BY and DISTRIBUTE BY, which
// order (or only place) rows within each of Spark's partitions: nectar has
// one, so SORT BY items, CLUSTER BY keys and DISTRIBUTE BY keys (when no
// SORT BY follows) are an ORDER BY, a total order being one they allow.
func (p *parser) parseHiveOrder() ([]OrderItem, Pos, bool) {
	var items []OrderItem
	var pos Pos
	found := false
	for {
		t := p.tok()
		if !isKw(p.peek(1), "BY") {
			return items, pos, found
		}
		switch {
		case p.isKw("SORT"):
			p.next()
			p.next()
			items, pos = p.parseOrderItems(), t.pos
		case p.isKw("CLUSTER"):
			p.next()
			p.next()
			items, pos = nil, t.pos
			for _, e := range p.parseExprList() {
				items = append(items, OrderItem{Expr: e})
			}
		case p.isKw("DISTRIBUTE"):
			// Rows placed by the keys: ordering by them is one such
			// placement, and it checks the keys resolve.
			p.next()
			p.next()
			keys := p.parseExprList()
			if items == nil {
				for _, e := range keys {
					items = append(items, OrderItem{Expr: e})
				}
				pos = t.pos
			}
		default:
			return items, pos, found
		}
		found = true
	}
}

func (p *parser) parseQueryTail(q Query) Query {
	var order []OrderItem
	var orderPos Pos
	if p.isKw("ORDER") {
		orderPos = p.next().pos
		p.expectKw("BY")
		order = p.parseOrderItems()
	} else if items, pos, ok := p.parseHiveOrder(); ok {
		order, orderPos = items, pos
	}
	var limit, offset Expr
	var limitPos Pos
	if p.isKw("LIMIT") {
		limitPos = p.next().pos
		if !p.acceptKw("ALL") { // LIMIT ALL: no limit, as in Spark
			limit = p.parseExpr()
		}
	}
	if p.isKw("OFFSET") {
		t := p.next()
		if limit == nil {
			limitPos = t.pos
		}
		offset = p.parseExpr()
	}
	if order == nil && limit == nil && offset == nil {
		return q
	}
	var sOrder *[]OrderItem
	var sLimit, sOffset *Expr
	switch s := q.(type) {
	case *Select:
		sOrder, sLimit, sOffset = &s.OrderBy, &s.Limit, &s.Offset
	case *SetOp:
		sOrder, sLimit, sOffset = &s.OrderBy, &s.Limit, &s.Offset
	}
	if order != nil {
		if sOrder != nil && *sOrder == nil && *sLimit == nil && *sOffset == nil {
			*sOrder = order
		} else {
			q = &Pipe{At: At{orderPos}, Input: q, Op: &PipeOrderBy{At: At{orderPos}, Items: order}}
			sLimit, sOffset = nil, nil
		}
	}
	if limit == nil && offset == nil {
		return q
	}
	// OFFSET applies before LIMIT, so an outer OFFSET can merge only if
	// there is no inner LIMIT either.
	if sLimit != nil && *sLimit == nil && *sOffset == nil {
		*sLimit, *sOffset = limit, offset
		return q
	}
	if limit == nil {
		p.fail(Errorf(limitPos, "OFFSET after a parenthesised query with LIMIT needs its own LIMIT"))
	}
	return &Pipe{At: At{limitPos}, Input: q, Op: &PipeLimit{At: At{limitPos}, Limit: limit, Offset: offset}}
}

func (p *parser) parseSelect() *Select {
	t := p.next()
	s := &Select{At: At{t.pos}}
	mark := len(p.winRefs)
	defer p.resolveWindows(mark)
	if p.acceptKw("DISTINCT") {
		s.Distinct = true
	} else {
		p.acceptKw("ALL")
	}
	s.Items = p.parseSelectItems()
	if p.acceptKw("FROM") {
		s.From = p.parseFromClause()
	}
	if p.acceptKw("WHERE") {
		s.Where = p.parseExpr()
	}
	if p.isKw("GROUP") {
		p.next()
		p.expectKw("BY")
		p.parseGroupBy(s)
	}
	if p.acceptKw("HAVING") {
		s.Having = p.parseExpr()
	}
	p.parseWindowClause(mark)
	if p.acceptKw("QUALIFY") {
		s.Qualify = p.parseExpr()
		p.parseWindowClause(mark)
	}
	return s
}

// parseGroupBy reads what follows GROUP BY: ALL; plain keys; or keys mixed
// with ROLLUP (…), CUBE (…) and GROUPING SETS (…), optionally followed by
// WITH ROLLUP or WITH CUBE, which become the grouping sets they stand for:
// the cross product of each element's sets, as Spark computes them.
func (p *parser) parseGroupBy(s *Select) {
	if p.acceptKw("ALL") {
		s.GroupAll = true
		return
	}
	var elems [][][]Expr // each element's grouping sets
	sets := false
	for {
		switch {
		case (p.isKw("ROLLUP") || p.isKw("CUBE")) && p.peek(1).kind == tOp && p.peek(1).text == "(":
			cube := p.isKw("CUBE")
			p.next()
			open := p.next()
			var units [][]Expr
			for !p.isOp(")") {
				units = append(units, p.parseGroupingUnit())
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectClose(open)
			elems = append(elems, rollupOrCubeUnits(units, cube))
			sets = true
		case p.isKw("GROUPING") && isKw(p.peek(1), "SETS"):
			elems = append(elems, p.parseGroupingSets())
			sets = true
		default:
			elems = append(elems, [][]Expr{{p.parseExpr()}})
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if !sets && p.isKw("GROUPING") && isKw(p.peek(1), "SETS") {
		// Hive's GROUP BY a, b GROUPING SETS ((a), (b)): the keys a, b
		// and the sets that group by them, as in Spark.
		for _, el := range elems {
			s.GroupBy = append(s.GroupBy, el[0][0])
		}
		s.GroupingSets = p.parseGroupingSets()
		return
	}
	if p.isKw("WITH") && (isKw(p.peek(1), "ROLLUP") || isKw(p.peek(1), "CUBE")) {
		p.next()
		cube := p.isKw("CUBE")
		p.next()
		var keys []Expr
		for _, el := range elems {
			if len(el) != 1 {
				p.fail(Errorf(p.tok().pos, "WITH ROLLUP and WITH CUBE take plain grouping keys"))
			}
			keys = append(keys, el[0]...)
		}
		s.GroupingSets = rollupOrCube(keys, cube)
		return
	}
	if !sets {
		for _, el := range elems {
			s.GroupBy = append(s.GroupBy, el[0][0])
		}
		return
	}
	product := [][]Expr{{}}
	for _, el := range elems {
		var next [][]Expr
		for _, a := range product {
			for _, b := range el {
				next = append(next, append(append([]Expr{}, a...), b...))
			}
		}
		product = next
	}
	s.GroupingSets = product
}

// parseTableSample reads TABLESAMPLE (…) [REPEATABLE (seed)] as the LIMIT
// it amounts to where the sample does not depend on chance: (n ROWS) is
// Spark's LIMIT n, and (100 PERCENT), (0 PERCENT) and (BUCKET x OUT OF x)
// keep all or no rows. A random sample (50 PERCENT, BUCKET 1 OUT OF 4)
// is refused: nectar cannot draw Spark's.
func (p *parser) parseTableSample() *PipeLimit {
	t := p.next()
	at := At{t.pos}
	open := p.tok()
	p.expectOp("(")
	var op *PipeLimit
	n := p.tok()
	switch {
	case p.isKw("BUCKET"):
		p.next()
		x := p.expectNumber()
		p.expectKw("OUT")
		p.expectKw("OF")
		y := p.expectNumber()
		if x != y {
			p.fail(Errorf(n.pos, "TABLESAMPLE (BUCKET %v OUT OF %v) samples at random, which nectar does not; only a bucket of all the rows is taken", x, y))
		}
		op = &PipeLimit{At: at}
	case n.kind == tInt || n.kind == tFloat:
		v := p.expectNumber()
		switch {
		case p.acceptKw("ROWS"):
			if v != float64(int64(v)) || v < 0 {
				p.fail(Errorf(n.pos, "TABLESAMPLE (n ROWS) takes a whole number of rows"))
			}
			op = &PipeLimit{At: at, Limit: &Literal{At: At{n.pos}, Value: types.IntValue(int64(v))}}
		case p.acceptKw("PERCENT"):
			switch v {
			case 100:
				op = &PipeLimit{At: at}
			case 0:
				op = &PipeLimit{At: at, Limit: &Literal{At: At{n.pos}, Value: types.IntValue(0)}}
			default:
				p.fail(Errorf(n.pos, "TABLESAMPLE (%v PERCENT) samples at random, which nectar does not; only 0 and 100 PERCENT are taken", v))
			}
		default:
			p.failExpected("ROWS or PERCENT")
		}
	default:
		p.failExpected("n ROWS, n PERCENT or BUCKET x OUT OF y")
	}
	p.expectClose(open)
	if p.acceptKw("REPEATABLE") {
		ropen := p.tok()
		p.expectOp("(")
		p.parseExpr()
		p.expectClose(ropen)
	}
	return op
}

// expectNumber reads a numeric literal's value.
func (p *parser) expectNumber() float64 {
	t := p.tok()
	if t.kind != tInt && t.kind != tFloat {
		p.failExpected("a number")
	}
	p.next()
	f, err := strconv.ParseFloat(t.text, 64)
	if err != nil {
		p.fail(Errorf(t.pos, "invalid number %s", t.text))
	}
	return f
}

// parseGroupingSets reads GROUPING SETS (…): each element a set — (a, b),
// (), or one key — or a ROLLUP (…), CUBE (…) or GROUPING SETS (…) inside,
// which stands for its sets, as Spark reads them.
func (p *parser) parseGroupingSets() [][]Expr {
	p.next()
	p.next()
	open := p.tok()
	p.expectOp("(")
	var list [][]Expr
	for {
		t := p.tok()
		switch {
		case (p.isKw("ROLLUP") || p.isKw("CUBE")) && p.peek(1).kind == tOp && p.peek(1).text == "(":
			cube := p.isKw("CUBE")
			p.next()
			ropen := p.next()
			var units [][]Expr
			for !p.isOp(")") {
				units = append(units, p.parseGroupingUnit())
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectClose(ropen)
			list = append(list, rollupOrCubeUnits(units, cube)...)
		case p.isKw("GROUPING") && isKw(p.peek(1), "SETS"):
			list = append(list, p.parseGroupingSets()...)
		case t.kind == tOp && t.text == "(":
			// (a, b) is a set; (a) + 1 is a one-key set.
			var set []Expr
			if p.attempt(func() {
				p.next()
				if !p.isOp(")") {
					set = p.parseExprList()
				}
				p.expectClose(t)
				if !p.isOp(",") && !p.isOp(")") {
					p.failExpected("',' or ')'")
				}
			}) {
				list = append(list, set)
			} else {
				list = append(list, []Expr{p.parseExpr()})
			}
		default:
			list = append(list, []Expr{p.parseExpr()})
		}
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectClose(open)
	return list
}

// parseGroupingUnit reads one element of ROLLUP (…) or CUBE (…): a key,
// or a parenthesised list of keys that come and go together, as Spark
// reads CUBE(a, b, (a, b)); (a) + 1 is a key.
func (p *parser) parseGroupingUnit() []Expr {
	t := p.tok()
	if t.kind == tOp && t.text == "(" {
		var unit []Expr
		if p.attempt(func() {
			p.next()
			if !p.isOp(")") {
				unit = p.parseExprList()
			}
			p.expectClose(t)
			if !p.isOp(",") && !p.isOp(")") {
				p.failExpected("',' or ')'")
			}
		}) {
			if len(unit) == 0 {
				p.fail(Errorf(t.pos, "ROLLUP and CUBE take keys, not the empty grouping set (), as in Spark"))
			}
			return unit
		}
	}
	return []Expr{p.parseExpr()}
}

// rollupOrCubeUnits is rollupOrCube over units of keys, each unit kept or
// dropped whole.
func rollupOrCubeUnits(units [][]Expr, cube bool) [][]Expr {
	idx := make([]Expr, len(units))
	for i := range units {
		idx[i] = &Literal{Value: types.IntValue(int64(i))}
	}
	var out [][]Expr
	for _, set := range rollupOrCube(idx, cube) {
		var keys []Expr
		for _, u := range set {
			keys = append(keys, units[u.(*Literal).Value.I]...)
		}
		out = append(out, keys)
	}
	return out
}

// rollupOrCube lists the grouping sets of ROLLUP (keys) (each prefix, the
// longest first) or CUBE (keys) (every subset, in Spark's order).
func rollupOrCube(keys []Expr, cube bool) [][]Expr {
	var out [][]Expr
	if !cube {
		for n := len(keys); n >= 0; n-- {
			out = append(out, append([]Expr{}, keys[:n]...))
		}
		return out
	}
	// Spark's CUBE: subsets from the full one down, each key kept before
	// it is dropped (CUBE(a, b): (a, b), (a), (b), ()).
	var rec func(i int, cur []Expr)
	rec = func(i int, cur []Expr) {
		if i == len(keys) {
			out = append(out, append([]Expr{}, cur...))
			return
		}
		rec(i+1, append(cur, keys[i]))
		rec(i+1, cur)
	}
	rec(0, nil)
	return out
}

func (p *parser) parseSelectItems() []SelectItem {
	var items []SelectItem
	for {
		items = append(items, p.parseSelectItem())
		if !p.acceptOp(",") {
			return items
		}
	}
}

func (p *parser) parseSelectItem() SelectItem {
	t := p.tok()
	if p.isOp("*") {
		p.next()
		return SelectItem{Expr: &Star{At: At{t.pos}}}
	}
	// t.* : a dotted name ending in .*
	if isNameToken(t) {
		j := p.i + 1
		for j+1 < len(p.toks) && p.toks[j].kind == tOp && p.toks[j].text == "." && (p.toks[j+1].kind == tWord || p.toks[j+1].kind == tQIdent) {
			j += 2
		}
		if j+1 < len(p.toks) && p.toks[j].kind == tOp && p.toks[j].text == "." && p.toks[j+1].kind == tOp && p.toks[j+1].text == "*" {
			var parts []string
			for p.i < j {
				if p.tok().kind != tOp {
					parts = append(parts, p.tok().text)
				}
				p.next()
			}
			p.next()
			p.next()
			return SelectItem{Expr: &Star{At: At{t.pos}, Table: strings.Join(parts, ".")}}
		}
	}
	return p.finishSelectItem(p.parseExpr())
}

func (p *parser) parseExprList() []Expr {
	var list []Expr
	for {
		list = append(list, p.parseExpr())
		if !p.acceptOp(",") {
			return list
		}
	}
}

func (p *parser) parseOrderItems() []OrderItem {
	var items []OrderItem
	for {
		it := OrderItem{Expr: p.parseExpr()}
		if p.acceptKw("DESC") {
			it.Desc = true
		} else {
			p.acceptKw("ASC")
		}
		if p.isKw("NULLS") {
			p.next()
			var first bool
			switch {
			case p.acceptKw("FIRST"):
				first = true
			case p.acceptKw("LAST"):
			default:
				p.failExpected("FIRST or LAST")
			}
			it.NullsFirst = &first
		}
		items = append(items, it)
		if !p.acceptOp(",") {
			return items
		}
	}
}

// ---- FROM ----

func (p *parser) parseFrom() TableExpr {
	left := p.parseTableRef()
	for {
		t := p.tok()
		if p.acceptOp(",") {
			left = &Join{At: At{t.pos}, Kind: CrossJoin, Left: left, Right: p.parseTableRef()}
			continue
		}
		natural := p.acceptKw("NATURAL")
		kind, ok := p.parseJoinKind()
		if !ok {
			if natural {
				p.failExpected("JOIN")
			}
			return left
		}
		if natural && (kind == CrossJoin || kind == SemiJoin || kind == AntiJoin) {
			p.fail(Errorf(t.pos, "NATURAL %s JOIN is not a join Spark has", kind))
		}
		j := &Join{At: At{t.pos}, Kind: kind, Natural: natural, Left: left, Right: p.parseTableRef()}
		if !natural {
			j.On, j.Using = p.parseJoinCond()
		}
		left = j
	}
}

// parseJoinKind reads [INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]|CROSS|
// [LEFT] SEMI|[LEFT] ANTI] JOIN, or reports false if no join starts here.
func (p *parser) parseJoinKind() (JoinKind, bool) {
	var kind JoinKind
	switch {
	case p.isKw("JOIN"):
		kind = InnerJoin
	case p.acceptKw("INNER"):
		kind = InnerJoin
	case p.acceptKw("CROSS"):
		kind = CrossJoin
	case p.acceptKw("LEFT"):
		switch {
		case p.acceptKw("SEMI"):
			kind = SemiJoin
		case p.acceptKw("ANTI"):
			kind = AntiJoin
		default:
			p.acceptKw("OUTER")
			kind = LeftJoin
		}
	case p.acceptKw("RIGHT"):
		p.acceptKw("OUTER")
		kind = RightJoin
	case p.acceptKw("FULL"):
		p.acceptKw("OUTER")
		kind = FullJoin
	case p.acceptKw("SEMI"):
		kind = SemiJoin
	case p.acceptKw("ANTI"):
		kind = AntiJoin
	default:
		return "", false
	}
	p.expectKw("JOIN")
	return kind, true
}

func (p *parser) parseJoinCond() (Expr, []string) {
	if p.acceptKw("ON") {
		return p.parseExpr(), nil
	}
	if p.acceptKw("USING") {
		open := p.tok()
		p.expectOp("(")
		var names []string
		for {
			names = append(names, p.parseName("a column name"))
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectClose(open)
		return nil, names
	}
	return nil, nil
}

func (p *parser) parseTableRef() TableExpr {
	p.enter()
	defer p.leave()
	t := p.tok()
	if t.kind == tOp && t.text == "(" {
		if p.startsQuery(p.i) {
			var q Query
			parse := func() {
				p.next()
				q = p.parseQuery()
				p.expectClose(t)
			}
			// "(SELECT" is certainly a subquery, so its errors are final;
			// "((" may also open a parenthesised join.
			if p.startsQuery(p.i+1) && !(p.peek(1).kind == tOp) {
				parse()
			} else if !p.attempt(parse) {
				return p.parseParenJoin(t)
			}
			sq := &SubqueryTable{At: At{t.pos}, Query: q}
			if w, ok := p.parseWatermark(sq); ok {
				return w
			}
			if sq.Alias = p.parseAlias(); sq.Alias != "" {
				sq.Columns = p.parseColumnAliases()
			}
			return sq
		}
		return p.parseParenJoin(t)
	}
	if p.startsValues(p.i) {
		v := p.parseValues()
		if v.Alias = p.parseAlias(); v.Alias != "" {
			v.Columns = p.parseColumnAliases()
		}
		return v
	}
	if !isNameToken(t) {
		p.failExpected("a table name, table function or '('")
	}
	parts := p.parseDottedName("a table name")
	name := strings.Join(parts, ".")
	if p.isOp("(") {
		open := p.next()
		f := &TableFunc{At: At{t.pos}, Name: strings.ToLower(name)}
		if !p.isOp(")") {
			p.parseTableArgs(f)
		}
		p.expectClose(open)
		if w, ok := p.parseWatermark(f); ok {
			return w
		}
		f.Alias = p.parseAlias()
		return f
	}
	tn := &TableName{At: At{t.pos}, Name: name}
	if w, ok := p.parseWatermark(tn); ok {
		return w
	}
	if p.isKw("TABLESAMPLE") {
		// t TABLESAMPLE (…) [alias]: (FROM t |> LIMIT …) [AS alias].
		st := p.tok()
		lim := p.parseTableSample()
		q := &Pipe{At: At{st.pos}, Input: &FromQuery{At: At{t.pos}, From: tn}, Op: lim}
		sq := &SubqueryTable{At: At{t.pos}, Query: q, Alias: p.parseAlias()}
		if sq.Alias == "" {
			sq.Alias = parts[len(parts)-1]
		}
		return sq
	}
	tn.Alias = p.parseAlias()
	if tn.Alias != "" && p.isOp("(") {
		// t AS x(a, b) names t's columns: read as (FROM t) AS x(a, b),
		// which the binder knows.
		alias := tn.Alias
		tn.Alias = ""
		return &SubqueryTable{At: At{t.pos}, Query: &FromQuery{At: At{t.pos}, From: tn}, Alias: alias, Columns: p.parseColumnAliases()}
	}
	return tn
}

// parseTableArgs reads a table function's arguments: expressions, then
// name => expression pairs, as Spark 4 allows.
func (p *parser) parseTableArgs(f *TableFunc) {
	for {
		if t := p.peek(1); isNameToken(p.tok()) && t.kind == tOp && t.text == "=>" {
			name := p.parseName("an argument name")
			p.next()
			f.Named = append(f.Named, NamedArg{Name: strings.ToLower(name), Value: p.parseExpr()})
		} else {
			if len(f.Named) > 0 {
				p.fail(Errorf(p.tok().pos, "a positional argument cannot follow named ones"))
			}
			f.Args = append(f.Args, p.parseExpr())
		}
		if !p.acceptOp(",") {
			return
		}
	}
}

func (p *parser) parseParenJoin(open *token) TableExpr {
	p.next()
	te := p.parseFrom()
	p.expectClose(open)
	return te
}

// ---- pipe operators ----

var pipeOps = []string{"WHERE", "SELECT", "EXTEND", "SET", "DROP", "AS", "AGGREGATE", "ORDER", "LIMIT", "OFFSET", "JOIN", "UNION", "INTERSECT", "EXCEPT", "MINUS", "PIVOT", "UNPIVOT"}

// atPipeEnd reports whether the current token ends a pipe operator.
func (p *parser) atPipeEnd() bool {
	t := p.tok()
	return t.kind == tEOF || (t.kind == tOp && (t.text == "|>" || t.text == ";" || t.text == ")"))
}

func (p *parser) parsePipeOp() PipeOp {
	t := p.tok()
	at := At{t.pos}
	switch {
	case isKw(t, "WHERE"):
		p.next()
		return &PipeWhere{At: at, Cond: p.parseExpr()}
	case isKw(t, "SELECT"):
		p.next()
		op := &PipeSelect{At: at}
		if p.acceptKw("DISTINCT") {
			op.Distinct = true
		} else {
			p.acceptKw("ALL")
		}
		mark := len(p.winRefs)
		op.Items = p.parseSelectItems()
		if p.isKw("GROUP") && isKw(p.peek(1), "BY") {
			p.next()
			p.next()
			op.GroupBy = p.parseExprList()
		}
		p.parseWindowClause(mark)
		p.resolveWindows(mark)
		return op
	case isKw(t, "EXTEND"):
		p.next()
		mark := len(p.winRefs)
		op := &PipeExtend{At: at, Items: p.parseSelectItems()}
		p.parseWindowClause(mark)
		p.resolveWindows(mark)
		return op
	case isKw(t, "SET"):
		p.next()
		op := &PipeSet{At: at}
		for {
			op.Names = append(op.Names, strings.Join(p.parseDottedName("a column name"), "."))
			p.expectOp("=")
			op.Exprs = append(op.Exprs, p.parseExpr())
			if !p.acceptOp(",") {
				return op
			}
		}
	case isKw(t, "DROP"):
		p.next()
		op := &PipeDrop{At: at}
		for {
			op.Names = append(op.Names, strings.Join(p.parseDottedName("a column name"), "."))
			if !p.acceptOp(",") {
				return op
			}
		}
	case isKw(t, "AS"):
		p.next()
		return &PipeAs{At: at, Alias: p.parseName("an alias name")}
	case isKw(t, "AGGREGATE"):
		p.next()
		op := &PipeAggregate{At: at}
		if !p.isKw("GROUP") && !p.atPipeEnd() {
			op.Aggs = p.parseSelectItems()
		}
		if p.isKw("GROUP") {
			p.next()
			p.expectKw("BY")
			op.GroupBy = p.parseSelectItems()
		}
		if op.Aggs == nil && op.GroupBy == nil {
			p.failExpected("aggregates or GROUP BY")
		}
		return op
	case isKw(t, "ORDER"):
		p.next()
		p.expectKw("BY")
		return &PipeOrderBy{At: at, Items: p.parseOrderItems()}
	case isKw(t, "TABLESAMPLE"):
		return p.parseTableSample()
	case isKw(t, "SORT") || isKw(t, "CLUSTER") || isKw(t, "DISTRIBUTE"):
		if items, _, ok := p.parseHiveOrder(); ok {
			return &PipeOrderBy{At: at, Items: items}
		}
	case isKw(t, "LIMIT"):
		p.next()
		op := &PipeLimit{At: at}
		if !p.acceptKw("ALL") { // LIMIT ALL: no limit, as in Spark
			op.Limit = p.parseExpr()
		}
		if p.acceptKw("OFFSET") {
			op.Offset = p.parseExpr()
		}
		return op
	case isKw(t, "OFFSET"):
		p.next()
		return &PipeLimit{At: at, Offset: p.parseExpr()}
	case isKw(t, "UNION") || isKw(t, "INTERSECT") || isKw(t, "EXCEPT") || isKw(t, "MINUS"):
		p.next()
		name := strings.ToUpper(t.text)
		if name == "MINUS" {
			name = "EXCEPT" // Spark's synonym
		}
		op := &PipeSetOp{At: at, Op: name, All: p.parseSetQuantifier()}
		for {
			open := p.tok()
			if p.startsTable(p.i) {
				// |> UNION ALL TABLE t, as Spark allows.
				p.next()
				nt := p.tok()
				name := strings.Join(p.parseDottedName("a table name"), ".")
				op.Right = append(op.Right, &FromQuery{At: At{open.pos}, From: &TableName{At: At{nt.pos}, Name: name}})
				if !p.acceptOp(",") {
					return op
				}
				continue
			}
			if !p.isOp("(") {
				p.failExpected("'(' and a query or TABLE name")
			}
			p.next()
			op.Right = append(op.Right, p.parseQuery())
			p.expectClose(open)
			if !p.acceptOp(",") {
				return op
			}
		}
	case p.startsPivot():
		if p.isKw("PIVOT") {
			return p.parsePivot()
		}
		return p.parseUnpivot()
	}
	natural := p.isKw("NATURAL")
	if natural {
		p.next()
	}
	if kind, ok := p.parseJoinKind(); ok {
		if natural && (kind == CrossJoin || kind == SemiJoin || kind == AntiJoin) {
			p.fail(Errorf(t.pos, "NATURAL %s JOIN is not a join Spark has", kind))
		}
		op := &PipeJoin{At: at, Kind: kind, Natural: natural, Right: p.parseTableRef()}
		if !natural {
			op.On, op.Using = p.parseJoinCond()
		}
		return op
	} else if natural {
		p.failExpected("JOIN after NATURAL")
	}
	e := p.expectedErr("a pipe operator (WHERE, SELECT, EXTEND, SET, DROP, AS, AGGREGATE, ORDER BY, LIMIT, OFFSET, JOIN, UNION, INTERSECT, EXCEPT, PIVOT, UNPIVOT or TABLESAMPLE)")
	if t.kind == tWord {
		switch strings.ToUpper(t.text) {
		case "GROUP":
			e.Hint = "group with |> AGGREGATE aggregates GROUP BY keys"
		case "FILTER":
			e.Hint = "filter with |> WHERE"
		default:
			if kw := closest(t.text, pipeOps); kw != "" {
				e.Hint = "did you mean " + kw + "?"
			}
		}
	}
	p.fail(e)
	return nil
}
