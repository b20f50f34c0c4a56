package syntax

import (
	"github.com/nectar-dev/nectar/types"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// reserved are the words that cannot be bare identifiers. The list is kept
// short on purpose: Segment's columns include event, type, timestamp, date,
// user, name, value, time, window and friends, and all of them must work
// unquoted. A word is reserved only if allowing it as a name would make the
// grammar ambiguous (clause and operator keywords, join kinds).
var reserved = map[string]bool{
	"ALL": true, "AND": true, "ANTI": true, "AS": true, "BETWEEN": true, "BY": true,
	"CASE": true, "CAST": true, "CROSS": true, "DISTINCT": true, "DIV": true,
	"ELSE": true, "END": true, "EXCEPT": true, "EXISTS": true, "FALSE": true,
	"FROM": true, "FULL": true, "GROUP": true, "HAVING": true, "ILIKE": true,
	"IN": true, "INNER": true, "INTERSECT": true, "IS": true, "JOIN": true,
	"LEFT": true, "LIKE": true, "LIMIT": true, "NOT": true, "NULL": true,
	"OFFSET": true, "ON": true, "OR": true, "ORDER": true, "OUTER": true,
	"REGEXP": true, "RIGHT": true, "RLIKE": true, "SELECT": true, "SEMI": true,
	"THEN": true, "TRUE": true, "UNION": true, "USING": true, "WHEN": true,
	"WHERE": true, "WITH": true,
}

// noImplicitAlias are non-reserved words that may name a column but are not
// taken as an alias written without AS, because they start a construct that
// may follow a select item or table.
var noImplicitAlias = map[string]bool{
	"NATURAL": true, "LATERAL": true, "MINUS": true, "WINDOW": true, "QUALIFY": true,
	"PIVOT": true, "UNPIVOT": true, "FOR": true,
}

// IsReserved reports whether word (any case) is a reserved keyword, which
// must be backquoted to be used as a name.
func IsReserved(word string) bool { return reserved[strings.ToUpper(word)] }

// QuoteIdent returns name as it must be written in a query: bare when it is
// a plain identifier ([A-Za-z_][A-Za-z0-9_]*) and not reserved, otherwise in
// backquotes with embedded backquotes doubled.
func QuoteIdent(name string) string {
	if isPlainIdent(name) && !IsReserved(name) {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// quoteDotted quotes each dot-separated part of a joined name such as a
// table name or a flattened column name.
func quoteDotted(name string) string {
	if !strings.Contains(name, ".") {
		return QuoteIdent(name)
	}
	parts := strings.Split(name, ".")
	for i, p := range parts {
		if p == "" {
			// `a.` or `.`: only one quoted identifier reads back the same.
			return QuoteIdent(name)
		}
		parts[i] = QuoteIdent(p)
	}
	return strings.Join(parts, ".")
}

func isPlainIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

// QuoteString renders s as a single-quoted SQL string literal with
// backslash escapes, which Spark reads back to the same text.
func QuoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Keep invalid UTF-8 byte for byte so the literal reads back
			// unchanged.
			b.WriteByte(s[i])
			i++
			continue
		}
		i += size
		switch r {
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u`)
				h := strconv.FormatInt(int64(r), 16)
				b.WriteString(strings.Repeat("0", 4-len(h)))
				b.WriteString(h)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// formatDouble prints a DOUBLE literal so that it reads back as a DOUBLE:
// types.FormatFloat always writes a '.' or an exponent.
func formatDouble(f float64) string { return types.FormatFloat(f) }

// EditDistance is the optimal-string-alignment distance (Levenshtein plus
// adjacent transpositions, so GRUOP is one edit from GROUP). Strings past
// 128 bytes are never close: suggestions are for typos in names.
func EditDistance(a, b string) int {
	if len(a) > 128 || len(b) > 128 {
		return 999
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := 0; j <= len(b); j++ {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// Nearest returns up to n of candidates within maxDist edits of word,
// compared without regard to case, nearest first (ties in the order
// given), for "did you mean" hints.
func Nearest(word string, candidates []string, n, maxDist int) []string {
	type cand struct {
		s string
		d int
	}
	var cs []cand
	w := strings.ToLower(word)
	for _, c := range candidates {
		if d := EditDistance(w, strings.ToLower(c)); d <= maxDist {
			cs = append(cs, cand{c, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].s)
	}
	return out
}

// closest returns the candidate nearest to word (compared upper case) if it
// is close enough to be a likely typo, else "".
func closest(word string, candidates []string) string {
	w := strings.ToUpper(word)
	best, bestD := "", 99
	for _, c := range candidates {
		if w == c {
			return ""
		}
		if d := EditDistance(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	limit := 1
	if len(w) >= 5 {
		limit = 2
	}
	if bestD <= limit {
		return best
	}
	return ""
}

// ReservedWords returns the reserved keywords, upper case and sorted, for
// tools that complete or highlight queries.
func ReservedWords() []string {
	out := make([]string, 0, len(reserved))
	for w := range reserved {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// PipeOperators returns the words that may follow |>, upper case.
func PipeOperators() []string { return append([]string(nil), pipeOps...) }
