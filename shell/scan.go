package shell

import "strings"

// tokKind classifies the tokens the shell needs to tell apart. The rules
// follow syntax/lexer.go (strings in ' or " with backslash escapes and
// doubled quotes, backquoted names, -- and nested /* */ comments), but
// only as far as finding where statements end and what the cursor is in:
// the parser still judges the text.
type tokKind int

const (
	tWord    tokKind = iota // a name or keyword
	tQuoted                 // a `backquoted` name
	tString                 // a '…' or "…" literal
	tNumber                 // 12, 1.5e3
	tOp                     // punctuation, one character, or |>
	tComment                // -- … or /* … */
)

type token struct {
	kind       tokKind
	start, end int  // byte offsets into the text
	open       bool // a string, name or comment the text ends inside
}

func (t token) text(src string) string { return src[t.start:t.end] }

// value is a word's or backquoted name's text, or a string's contents,
// without quotes or escapes resolved beyond doubled quotes.
func (t token) value(src string) string {
	s := t.text(src)
	switch t.kind {
	case tQuoted:
		s = strings.TrimPrefix(s, "`")
		if !t.open {
			s = strings.TrimSuffix(s, "`")
		}
		return strings.ReplaceAll(s, "``", "`")
	case tString:
		q := s[:1]
		s = s[1:]
		if !t.open {
			s = strings.TrimSuffix(s, q)
		}
		return s
	}
	return s
}

func (t token) is(src, word string) bool {
	return t.kind == tWord && strings.EqualFold(t.text(src), word)
}

func (t token) isOp(src, op string) bool { return t.kind == tOp && t.text(src) == op }

// tokenize splits src into tokens, comments included.
func tokenize(src string) []token {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case strings.HasPrefix(src[i:], "--"):
			if n := strings.IndexByte(src[i:], '\n'); n >= 0 {
				i += n
			} else {
				i = len(src)
			}
			toks = append(toks, token{kind: tComment, start: start, end: i})
			continue
		case strings.HasPrefix(src[i:], "/*"):
			depth := 0
			for i < len(src) {
				if strings.HasPrefix(src[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(src[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			toks = append(toks, token{kind: tComment, start: start, end: i, open: depth > 0})
			continue
		case c == '\'' || c == '"':
			i++
			closed := false
			for i < len(src) {
				switch {
				case src[i] == '\\' && i+1 < len(src):
					i += 2
					continue
				case src[i] == c && i+1 < len(src) && src[i+1] == c:
					i += 2
					continue
				case src[i] == c:
					closed = true
				}
				i++
				if closed {
					break
				}
			}
			toks = append(toks, token{kind: tString, start: start, end: i, open: !closed})
			continue
		case c == '`':
			i++
			closed := false
			for i < len(src) {
				if src[i] == '`' {
					if i+1 < len(src) && src[i+1] == '`' {
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				i++
			}
			toks = append(toks, token{kind: tQuoted, start: start, end: i, open: !closed})
			continue
		case isWordStart(c):
			for i < len(src) && isWordByte(src[i]) {
				i++
			}
			toks = append(toks, token{kind: tWord, start: start, end: i})
			continue
		case c >= '0' && c <= '9':
			for i < len(src) && (isWordByte(src[i]) || src[i] == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9') {
				i++
			}
			toks = append(toks, token{kind: tNumber, start: start, end: i})
			continue
		case strings.HasPrefix(src[i:], "|>"):
			i += 2
		default:
			i++
		}
		toks = append(toks, token{kind: tOp, start: start, end: i})
	}
	return toks
}

func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isWordByte(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' }

// complete reports whether text is ready to run: a dot command (one line
// starting with '.'), or statements whose last token, comments aside, is
// the ';' that ends them. A ';' inside a string or comment does not count,
// and text that ends inside one is never complete. Blank text is complete
// (there is nothing to wait for).
func complete(text string) bool {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || isDotCommand(trimmed) {
		return true
	}
	var last *token
	toks := tokenize(text)
	for i := range toks {
		if toks[i].open {
			return false
		}
		if toks[i].kind != tComment {
			last = &toks[i]
		}
	}
	if last == nil {
		// Only comments: nothing to run, nothing to wait for.
		return true
	}
	return last.isOp(text, ";")
}

// onlyComments reports whether text holds nothing but blanks and comments.
func onlyComments(text string) bool {
	for _, t := range tokenize(text) {
		if t.kind != tComment {
			return false
		}
	}
	return true
}

// isDotCommand reports whether trimmed input is a dot command rather than
// SQL: it starts with '.' and a letter (".5" is not a command).
func isDotCommand(trimmed string) bool {
	return len(trimmed) > 1 && trimmed[0] == '.' && (trimmed[1] >= 'a' && trimmed[1] <= 'z' || trimmed[1] >= 'A' && trimmed[1] <= 'Z')
}

// statementAt returns the tokens of the statement holding byte offset pos
// (between the ';' before it and the one after), comments dropped.
func statementAt(toks []token, src string, pos int) []token {
	var stmt []token
	for _, t := range toks {
		if t.isOp(src, ";") {
			if t.end <= pos {
				stmt = stmt[:0]
				continue
			}
			break
		}
		if t.kind != tComment {
			stmt = append(stmt, t)
		}
	}
	return stmt
}
