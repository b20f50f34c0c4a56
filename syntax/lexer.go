package syntax

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind classifies a token. Keywords are not a kind of their own: SQL has
// far more non-reserved keywords than reserved ones, so the lexer emits every
// word as tWord and the parser decides from context what a word means.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // bare identifier or keyword
	tQIdent         // `backquoted` (or, in Spark's ANSI dialect, "double-quoted") identifier; text is unquoted
	tString         // 'single' or "double" quoted string; text is unescaped
	tInt            // integer literal; text is the digits
	tFloat          // decimal or exponent literal; text as written, without suffix
	tOp             // punctuation and operators
	tBad            // a lexing error; text is the message, hint the hint
)

type token struct {
	kind tokKind
	pos  Pos
	end  Pos
	text string
	// dq marks a string written with double quotes: Spark reads it as a
	// string, but a user who wrote it where a name belongs wanted an
	// identifier, and the error says so.
	dq   bool
	hint string
}

// lex splits src into tokens, always ending with tEOF. Lexing errors become
// tBad tokens so that the parser reports them in order with its own errors
// and can skip to the next statement.
func lex(src string) []token { return lexFrom(src, 0, false) }

// lexFrom lexes src from byte offset at, reading "x" as a quoted name when
// dqIdents is set (Spark's spark.sql.ansi.doubleQuotedIdentifiers).
func lexFrom(src string, at int, dqIdents bool) []token {
	l := lexer{src: src, i: at, dqIdents: dqIdents}
	for {
		t := l.next()
		l.toks = append(l.toks, t)
		if t.kind == tEOF {
			return l.toks
		}
	}
}

type lexer struct {
	src      string
	i        int
	toks     []token
	dqIdents bool
}

func (l *lexer) bad(start int, msg, hint string) token {
	return token{kind: tBad, pos: Pos(start), end: Pos(l.i), text: msg, hint: hint}
}

func (l *lexer) next() token {
	if t, ok := l.skipSpace(); !ok {
		return t
	}
	start := l.i
	if l.i >= len(l.src) {
		return token{kind: tEOF, pos: Pos(start), end: Pos(start)}
	}
	c := l.src[l.i]
	switch {
	case c == '"' && l.dqIdents:
		return l.lexQuotedIdent('"')
	case c == '\'' || c == '"':
		return l.lexString(c)
	case c == '`':
		return l.lexQuotedIdent('`')
	case isDigit(c) || (c == '.' && l.i+1 < len(l.src) && isDigit(l.src[l.i+1]) && !l.afterOperand()):
		return l.lexNumber()
	case isIdentStart(c):
		for l.i < len(l.src) && isIdentByte(l.src[l.i]) {
			l.i++
		}
		return token{kind: tWord, pos: Pos(start), end: Pos(l.i), text: l.src[start:l.i]}
	case c >= utf8.RuneSelf:
		r, n := utf8.DecodeRuneInString(l.src[l.i:])
		if unicode.IsLetter(r) {
			l.i += n
			for l.i < len(l.src) {
				if isIdentByte(l.src[l.i]) {
					l.i++
					continue
				}
				r, n := utf8.DecodeRuneInString(l.src[l.i:])
				if r < utf8.RuneSelf || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
					break
				}
				l.i += n
			}
			return token{kind: tWord, pos: Pos(start), end: Pos(l.i), text: l.src[start:l.i]}
		}
		l.i += n
		return l.bad(start, "unexpected character '"+string(r)+"'", "")
	}
	for _, op := range operators {
		if strings.HasPrefix(l.src[l.i:], op) {
			l.i += len(op)
			return token{kind: tOp, pos: Pos(start), end: Pos(l.i), text: op}
		}
	}
	if c == '|' && l.pipeWordFollows(l.i+1) {
		// A lone | before a pipe operator's keyword is |>, as in Spark
		// (spark.sql.parser.singleCharacterPipeOperator.enabled, on by
		// default): | SELECT, | WHERE, …. nectar has no bitwise OR it
		// could mean.
		l.i++
		return token{kind: tOp, pos: Pos(start), end: Pos(l.i), text: "|>"}
	}
	l.i++
	hint := ""
	switch c {
	case '|':
		hint = "use || to concatenate strings, |> to start a pipe operator"
	case '!':
		hint = "use NOT for negation, != for inequality"
	case '&', '^', '~':
		hint = "bitwise operators are not supported"
	}
	return l.bad(start, "unexpected character '"+string(c)+"'", hint)
}

// operators lists punctuation longest first so that prefixes match greedily.
var operators = []string{
	"<=>",
	"|>", "||", "::", "=>", "->", "<=", ">=", "<>", "!=", "==",
	"=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", ".", ";",
	"?", // a prepared statement's parameter (params.go)
	":", // STRUCT<name: TYPE>
}

// afterOperand reports whether the previous token ends an operand, in which
// case ".5" is a field access rather than a number (x.5 is not valid anyway,
// but a[0].b must not lex ".b" oddly).
func (l *lexer) afterOperand() bool {
	if len(l.toks) == 0 {
		return false
	}
	t := l.toks[len(l.toks)-1]
	if int(t.end) != l.i {
		return false
	}
	return t.kind == tWord || t.kind == tQIdent || (t.kind == tOp && (t.text == ")" || t.text == "]"))
}

// skipSpace skips whitespace and comments. It returns ok=false with a tBad
// token for an unterminated block comment.
func (l *lexer) skipSpace() (token, bool) {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.i++
		case c == '-' && strings.HasPrefix(l.src[l.i:], "--"):
			n := strings.IndexByte(l.src[l.i:], '\n')
			if n < 0 {
				l.i = len(l.src)
			} else {
				l.i += n + 1
			}
		case c == '/' && strings.HasPrefix(l.src[l.i:], "/*"):
			// Spark allows bracketed comments to nest.
			start := l.i
			depth := 0
			for l.i < len(l.src) {
				if strings.HasPrefix(l.src[l.i:], "/*") {
					depth++
					l.i += 2
				} else if strings.HasPrefix(l.src[l.i:], "*/") {
					depth--
					l.i += 2
					if depth == 0 {
						break
					}
				} else {
					l.i++
				}
			}
			if depth > 0 {
				return l.bad(start, "unterminated comment", "close it with */"), false
			}
		default:
			return token{}, true
		}
	}
	return token{}, true
}

func (l *lexer) lexString(q byte) token {
	start := l.i
	l.i++
	var b strings.Builder
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == q:
			if l.i+1 < len(l.src) && l.src[l.i+1] == q {
				b.WriteByte(q)
				l.i += 2
				continue
			}
			l.i++
			return token{kind: tString, pos: Pos(start), end: Pos(l.i), text: b.String(), dq: q == '"'}
		case c == '\\' && l.i+1 < len(l.src):
			e := l.src[l.i+1]
			l.i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case '0':
				b.WriteByte(0)
			case 'Z':
				b.WriteByte(26)
			case '%', '_':
				// Spark keeps these escaped so that LIKE sees a literal % or _.
				b.WriteByte('\\')
				b.WriteByte(e)
			case 'u':
				if l.i+4 > len(l.src) || !isHex(l.src[l.i:l.i+4]) {
					return l.bad(l.i-2, `invalid escape \u: expected 4 hex digits`, `write \u00e9 for é; \\ for a backslash`)
				}
				r := rune(hexVal(l.src[l.i : l.i+4]))
				l.i += 4
				if utf8.ValidRune(r) {
					b.WriteRune(r)
				} else {
					b.WriteRune(utf8.RuneError)
				}
			default:
				// Spark drops the backslash before any other character.
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
			l.i++
		}
	}
	l.i = len(l.src)
	return l.bad(start, "unterminated string literal", "the string starting here has no closing "+string(q))
}

// lexQuotedIdent reads a name in quotes q (` or "), a doubled q standing
// for one.
func (l *lexer) lexQuotedIdent(q byte) token {
	start := l.i
	l.i++
	var b strings.Builder
	for l.i < len(l.src) {
		c := l.src[l.i]
		if c == q {
			if l.i+1 < len(l.src) && l.src[l.i+1] == q {
				b.WriteByte(q)
				l.i += 2
				continue
			}
			l.i++
			if b.Len() == 0 {
				return l.bad(start, "empty quoted identifier", "")
			}
			return token{kind: tQIdent, pos: Pos(start), end: Pos(l.i), text: b.String()}
		}
		b.WriteByte(c)
		l.i++
	}
	l.i = len(l.src)
	return l.bad(start, "unterminated quoted identifier", "the identifier starting here has no closing "+string(q))
}

func (l *lexer) lexNumber() token {
	start := l.i
	kind := tInt
	for l.i < len(l.src) && isDigit(l.src[l.i]) {
		l.i++
	}
	if l.i < len(l.src) && l.src[l.i] == '.' {
		kind = tFloat
		l.i++
		for l.i < len(l.src) && isDigit(l.src[l.i]) {
			l.i++
		}
	}
	if l.i < len(l.src) && (l.src[l.i] == 'e' || l.src[l.i] == 'E') {
		j := l.i + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && isDigit(l.src[j]) {
			kind = tFloat
			l.i = j
			for l.i < len(l.src) && isDigit(l.src[l.i]) {
				l.i++
			}
		}
	}
	text := l.src[start:l.i]
	// Spark's type suffixes: 1L is BIGINT, 1.5D and 1BD are DOUBLE here
	// (nectar has no DECIMAL), 1S and 1Y are small integers.
	rest := l.src[l.i:]
	switch {
	case hasSuffixWord(rest, "BD"):
		l.i += 2
		kind = tFloat
	case hasSuffixWord(rest, "D") || hasSuffixWord(rest, "F"):
		l.i++
		kind = tFloat
	case kind == tInt && (hasSuffixWord(rest, "L") || hasSuffixWord(rest, "S") || hasSuffixWord(rest, "Y")):
		l.i++
	}
	if l.i < len(l.src) && isIdentByte(l.src[l.i]) {
		for l.i < len(l.src) && isIdentByte(l.src[l.i]) {
			l.i++
		}
		if word := l.src[start:l.i]; !strings.ContainsAny(word, ".+-") {
			// Digits and letters only: a name, as in Spark, whose lexer
			// takes the longest match (2012_s, a PIVOT's column).
			return token{kind: tWord, pos: Pos(start), end: Pos(l.i), text: word}
		}
		return l.bad(start, "invalid number '"+l.src[start:l.i]+"'", "identifiers cannot start with a digit; quote them with backquotes")
	}
	if kind == tFloat && !strings.ContainsAny(text, ".eE") {
		text += ".0"
	}
	return token{kind: kind, pos: Pos(start), end: Pos(l.i), text: text}
}

// hasSuffixWord reports whether s starts with the suffix (any case) and no
// identifier character follows it.
func hasSuffixWord(s, suffix string) bool {
	if len(s) < len(suffix) || !strings.EqualFold(s[:len(suffix)], suffix) {
		return false
	}
	return len(s) == len(suffix) || !isIdentByte(s[len(suffix)])
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentByte(c byte) bool  { return isIdentStart(c) || isDigit(c) }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !isDigit(s[i]) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func hexVal(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			v = v*16 + int(c-'0')
		default:
			v = v*16 + int(c|0x20-'a'+10)
		}
	}
	return v
}

// pipeStarts are the words that start a pipe operator after a lone |.
var pipeStarts = map[string]bool{
	"WHERE": true, "SELECT": true, "EXTEND": true, "SET": true, "DROP": true, "AS": true, "AGGREGATE": true,
	"ORDER": true, "LIMIT": true, "OFFSET": true, "UNION": true, "INTERSECT": true, "EXCEPT": true, "MINUS": true,
	"JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true, "FULL": true, "CROSS": true, "SEMI": true, "ANTI": true,
	"NATURAL": true, "LATERAL": true, "PIVOT": true, "UNPIVOT": true, "TABLESAMPLE": true, "WINDOW": true,
}

// pipeWordFollows reports whether the next word after byte i, past
// spaces, is one that starts a pipe operator.
func (l *lexer) pipeWordFollows(i int) bool {
	for i < len(l.src) && (l.src[i] == ' ' || l.src[i] == '\t' || l.src[i] == '\n' || l.src[i] == '\r') {
		i++
	}
	j := i
	for j < len(l.src) && isIdentByte(l.src[j]) {
		j++
	}
	return j > i && pipeStarts[strings.ToUpper(l.src[i:j])]
}
