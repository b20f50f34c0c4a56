package functions

import (
	"regexp"
	"strings"
)

// LikeToRegexp translates a SQL LIKE pattern (% any run, _ one character,
// backslash escapes) into an anchored regular expression. It works on
// characters, not bytes: _ matches one character however many bytes it
// takes, as in Spark. The binder compiles constant patterns with it, the
// executor patterns that vary by row.
func LikeToRegexp(p string) string {
	var b strings.Builder
	b.WriteString("(?s)^")
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(regexp.QuoteMeta(string(rs[i])))
			} else {
				b.WriteString(`\\`)
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return b.String()
}
