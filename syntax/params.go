package syntax

import (
	"github.com/nectar-dev/nectar/types"
)

// Prepared statements (Flight SQL, JDBC, ADBC, database/sql) write their
// parameters as ? in the text and send the values apart. The parser reads
// the i-th ? as a literal of the i-th value, so a value is never query
// text: a string parameter holding "' OR 1=1 --" is one string literal,
// whatever it contains, and a DATE or TIMESTAMP value is a typed literal
// rather than text to be guessed at.

// Placeholders counts the ? parameters in src, outside strings, quoted
// names and comments.
func Placeholders(src string) int {
	n := 0
	for _, t := range lex(src) {
		if isPlaceholder(&t) {
			n++
		}
	}
	return n
}

func isPlaceholder(t *token) bool { return t.kind == tOp && t.text == "?" }

// ParseScriptParams parses src as ParseScript does, reading its i-th ?
// (counted from 0 through the whole script) as a literal of params[i].
// Fewer values than placeholders is an error at the first ? without one;
// more is an error too, since a value the text never uses is a mistake.
func ParseScriptParams(src string, params []types.Value) ([]Statement, error) {
	return ParseScriptWith(src, Options{Params: params, Bind: true})
}

// placeholder reads the ? at t as its parameter's literal.
func (p *parser) placeholder(t *token) Expr {
	if !p.bound {
		e := Errorf(t.pos, "? is a parameter placeholder, and this statement has no parameter values")
		e.Hint = "bind values through a prepared statement (Flight SQL, JDBC, ADBC), or write the value"
		p.fail(e)
	}
	// Number placeholders by their place in the text, not in parse order:
	// the parser backtracks over some parenthesised expressions.
	i := 0
	for k := range p.toks[:p.i] {
		if isPlaceholder(&p.toks[k]) {
			i++
		}
	}
	p.next()
	if i >= len(p.params) {
		p.fail(Errorf(t.pos, "? placeholder %d has no value: %d given", i+1, len(p.params)))
	}
	return &Literal{At: At{t.pos}, Value: p.params[i]}
}

// NamedParams rewrites src's named parameters, :name as Spark's
// spark.sql(query, args={"name": value}) writes them, as ? placeholders,
// and returns the values in the order ParseScriptParams reads them. Only a
// colon that starts a word counts (the lexer's view: not inside strings,
// quoted names or comments, and not a :: cast); a name args lacks is an
// error at its place, and a value no name uses is left alone, as in Spark.
// src may not mix ? and :name.
func NamedParams(src string, args map[string]types.Value) (string, []types.Value, error) {
	toks := lex(src)
	var b []byte
	var vals []types.Value
	last := 0
	for i := 0; i+1 < len(toks); i++ {
		t, n := &toks[i], &toks[i+1]
		if isPlaceholder(t) {
			return "", nil, Errorf(t.pos, "a query with :name parameters may not also have ? placeholders")
		}
		// ':' lexes as an operator (STRUCT<name: TYPE>) or, elsewhere in
		// older grammars, as a bad character: either starts a parameter.
		if t.kind != tBad && t.kind != tOp || int(t.end)-int(t.pos) != 1 || src[t.pos] != ':' || n.kind != tWord || n.pos != t.end {
			continue
		}
		v, ok := args[n.text]
		if !ok {
			e := Errorf(t.pos, "[UNBOUND_SQL_PARAMETER] found the unbound parameter: %s", n.text)
			e.Hint = "give its value in args={…}"
			return "", nil, e
		}
		b = append(b, src[last:t.pos]...)
		b = append(b, '?')
		last = int(n.end)
		vals = append(vals, v)
		i++
	}
	b = append(b, src[last:]...)
	return string(b), vals, nil
}
