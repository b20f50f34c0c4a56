package functions

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// Spark uses java.util.regex; nectar uses Go's RE2. The common syntax
// (classes, groups, quantifiers, anchors, (?i)) is the same. RE2 lacks
// backreferences (\1), lookaround ((?=…), (?<!…)), possessive quantifiers
// (a*+) and atomic groups; such patterns fail with ErrInvalidArg instead of
// matching. In exchange matching is linear-time, so no pattern can hang a
// query.

// regexCache holds compiled patterns: regex arguments are almost always
// literals, so each row would otherwise recompile the same pattern.
var regexCache sync.Map // string → *regexp.Regexp

// maxCachedRegexes bounds the cache for the rare query whose pattern
// varies per row.
const maxCachedRegexes = 1024

var regexCount atomic.Int64

func compileRegex(fn, pattern string) (*regexp.Regexp, error) {
	if re, ok := regexCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: bad regular expression %q: %v", ErrInvalidArg, fn, pattern, err)
	}
	if regexCount.Add(1) <= maxCachedRegexes {
		regexCache.Store(pattern, re)
	}
	return re, nil
}

// findAll is every match of re in s as java.util.regex's Matcher.find
// loop finds them, which Spark's regexp_extract_all, regexp_count and
// regexp_replace use: after a match the next search starts where it ended,
// one character on if it was empty, so an empty match right after a
// non-empty one counts ('(\d+)?' finds "1", "" and "" in "1a"). Go's
// FindAll drops such an empty match. Searching a suffix of s is only the
// same as searching s from that point when the pattern has no anchor or
// word boundary; with one, Go's matches are kept, which differ from
// Java's only in those dropped empty matches.
func findAll(re *regexp.Regexp, s string) [][]int {
	if strings.ContainsAny(re.String(), "^$") || strings.Contains(re.String(), `\b`) || strings.Contains(re.String(), `\B`) ||
		strings.Contains(re.String(), `\A`) || strings.Contains(re.String(), `\z`) {
		return re.FindAllStringSubmatchIndex(s, -1)
	}
	var out [][]int
	for pos := 0; pos <= len(s); {
		m := re.FindStringSubmatchIndex(s[pos:])
		if m == nil {
			break
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += pos
			}
		}
		out = append(out, m)
		if m[1] > m[0] {
			pos = m[1]
			continue
		}
		if m[1] == len(s) {
			break
		}
		_, w := utf8.DecodeRuneInString(s[m[1]:])
		pos = m[1] + w
	}
	return out
}

// replaceAll is Java's Matcher.replaceAll over findAll's matches; rep is
// a Go template (javaReplacement's).
func replaceAll(re *regexp.Regexp, s, rep string) string {
	var b []byte
	last := 0
	for _, m := range findAll(re, s) {
		b = append(b, s[last:m[0]]...)
		b = re.ExpandString(b, rep, s, m)
		last = m[1]
	}
	return string(append(b, s[last:]...))
}

func init() {
	register(&Func{Name: "regexp_like", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Bool, anyArg),
		Doc: "regexp_like(s, regex) → BOOLEAN: whether regex matches anywhere in s (RE2 syntax)",
		Eval: func(a []types.Value) (types.Value, error) {
			re, err := compileRegex("regexp_like", ToString(a[1]))
			if err != nil {
				return types.NullValue, err
			}
			return types.BoolValue(re.MatchString(ToString(a[0]))), nil
		}}, "rlike", "regexp")
	register(&Func{Name: "regexp_extract", MinArgs: 2, MaxArgs: 3, Check: fixed(types.String, anyArg, anyArg, numArg),
		Doc: "regexp_extract(s, regex[, idx]) → STRING: group idx (default 1, 0 = whole match) of the first match; '' if none",
		Eval: func(a []types.Value) (types.Value, error) {
			re, idx, null, err := regexGroup("regexp_extract", a)
			if null || err != nil {
				return types.NullValue, err
			}
			s := ToString(a[0])
			m := re.FindStringSubmatchIndex(s)
			if m == nil || m[2*idx] < 0 {
				return str(""), nil
			}
			return str(s[m[2*idx]:m[2*idx+1]]), nil
		}})
	register(&Func{Name: "regexp_count", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Int, anyArg, anyArg),
		Doc: "regexp_count(s, regex) → BIGINT: how many times regex matches in s (matches do not overlap)",
		Eval: func(a []types.Value) (types.Value, error) {
			re, err := compileRegex("regexp_count", ToString(a[1]))
			if err != nil {
				return types.NullValue, err
			}
			return types.IntValue(int64(len(findAll(re, ToString(a[0]))))), nil
		}})
	register(&Func{Name: "regexp_substr", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, anyArg, anyArg),
		Doc: "regexp_substr(s, regex) → STRING: the first match of regex in s; NULL if none or if it is empty",
		Eval: func(a []types.Value) (types.Value, error) {
			re, err := compileRegex("regexp_substr", ToString(a[1]))
			if err != nil {
				return types.NullValue, err
			}
			// Spark: nullif(regexp_extract(s, regex, 0), '').
			if m := re.FindString(ToString(a[0])); m != "" {
				return str(m), nil
			}
			return types.NullValue, nil
		}})
	register(&Func{Name: "regexp_instr", MinArgs: 2, MaxArgs: 3, Check: fixed(types.Int, anyArg, anyArg, numArg),
		Doc: "regexp_instr(s, regex[, idx]) → BIGINT: 1-based character position where group idx (default 0, the whole match) of the first match starts; 0 if none",
		Eval: func(a []types.Value) (types.Value, error) {
			b := a
			if len(a) == 2 {
				b = []types.Value{a[0], a[1], types.IntValue(0)}
			}
			re, idx, null, err := regexGroup("regexp_instr", b)
			if null || err != nil {
				return types.NullValue, err
			}
			s := ToString(a[0])
			m := re.FindStringSubmatchIndex(s)
			if m == nil || m[2*idx] < 0 {
				return types.IntValue(0), nil
			}
			// Java counts UTF-16 units: a character outside the BMP is two.
			n := int64(1)
			for _, r := range s[:m[2*idx]] {
				n++
				if r > 0xFFFF {
					n++
				}
			}
			return types.IntValue(n), nil
		}})
	register(&Func{Name: "regexp_extract_all", MinArgs: 2, MaxArgs: 3, Check: fixed(types.String, anyArg, anyArg, numArg),
		Doc: "regexp_extract_all(s, regex[, idx]) → STRING: JSON array of group idx (default 1) of every match (nectar has no ARRAY type)",
		Eval: func(a []types.Value) (types.Value, error) {
			re, idx, null, err := regexGroup("regexp_extract_all", a)
			if null || err != nil {
				return types.NullValue, err
			}
			s := ToString(a[0])
			var out []string
			for _, m := range findAll(re, s) {
				if m[2*idx] < 0 {
					out = append(out, "")
				} else {
					out = append(out, s[m[2*idx]:m[2*idx+1]])
				}
			}
			return str(jsonStringArray(out)), nil
		}})
	register(&Func{Name: "regexp_replace", MinArgs: 3, MaxArgs: 4, Check: fixed(types.String, anyArg, anyArg, anyArg, numArg),
		Doc: "regexp_replace(s, regex, rep[, pos]) → STRING: every match from character pos (default 1) replaced; rep uses Java syntax ($1, \\$)",
		Eval: func(a []types.Value) (types.Value, error) {
			re, err := compileRegex("regexp_replace", ToString(a[1]))
			if err != nil {
				return types.NullValue, err
			}
			rep, err := javaReplacement(ToString(a[2]), re.NumSubexp())
			if err != nil {
				return types.NullValue, err
			}
			s := ToString(a[0])
			prefix := ""
			if len(a) > 3 {
				pos, err := ToInt(a[3])
				if err != nil {
					return types.NullValue, nil
				}
				if pos < 1 {
					return types.NullValue, fmt.Errorf("%w: regexp_replace: position must be at least 1, got %d", ErrInvalidArg, pos)
				}
				cut := len(runeSlice(s, 0, pos-1))
				prefix, s = s[:cut], s[cut:]
			}
			return str(prefix + replaceAll(re, s, rep)), nil
		}})
}

// javaReplacement rewrites a java.util.regex replacement string into Go's
// template syntax. Java reads "$12" as group 12 only if that many groups
// exist (else group 1 then "2"), "\x" as a literal x, and rejects a lone
// "$"; Go would read "$1a" as a group named "1a".
func javaReplacement(rep string, groups int) (string, error) {
	if !strings.ContainsAny(rep, `$\`) {
		return rep, nil
	}
	var b strings.Builder
	for i := 0; i < len(rep); i++ {
		c := rep[i]
		switch c {
		case '\\':
			i++
			if i >= len(rep) {
				return "", fmt.Errorf("%w: regexp_replace: character to be escaped is missing", ErrInvalidArg)
			}
			if rep[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(rep[i])
			}
		case '$':
			i++
			if i >= len(rep) {
				return "", fmt.Errorf("%w: regexp_replace: illegal group reference: group index is missing", ErrInvalidArg)
			}
			if rep[i] == '{' {
				end := strings.IndexByte(rep[i:], '}')
				if end < 0 {
					return "", fmt.Errorf("%w: regexp_replace: named capturing group is missing trailing '}'", ErrInvalidArg)
				}
				b.WriteString("${" + rep[i+1:i+end] + "}")
				i += end
				continue
			}
			if rep[i] < '0' || rep[i] > '9' {
				return "", fmt.Errorf("%w: regexp_replace: illegal group reference", ErrInvalidArg)
			}
			g := int(rep[i] - '0')
			if g > groups {
				return "", fmt.Errorf("%w: regexp_replace: no group %d", ErrInvalidArg, g)
			}
			for i+1 < len(rep) && rep[i+1] >= '0' && rep[i+1] <= '9' {
				ng := g*10 + int(rep[i+1]-'0')
				if ng > groups {
					break
				}
				g = ng
				i++
			}
			fmt.Fprintf(&b, "${%d}", g)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// regexGroup reads the (s, regex[, idx]) arguments of regexp_extract and
// regexp_extract_all: the compiled regex and the group index (default 1).
// null reports an index that is not a number, which makes the result NULL.
func regexGroup(name string, a []types.Value) (re *regexp.Regexp, idx int64, null bool, err error) {
	if re, err = compileRegex(name, ToString(a[1])); err != nil {
		return nil, 0, false, err
	}
	idx = 1
	if len(a) > 2 {
		if idx, err = ToInt(a[2]); err != nil {
			return nil, 0, true, nil
		}
	}
	if idx < 0 || idx > int64(re.NumSubexp()) {
		return nil, 0, false, fmt.Errorf("%w: %s: regex group count is %d, but the specified group index is %d", ErrInvalidArg, name, re.NumSubexp(), idx)
	}
	return re, idx, false, nil
}

func init() {
	register(&Func{Name: "split", MinArgs: 2, MaxArgs: 3, Check: fixed(types.ArrayOf(types.String), anyArg, anyArg, numArg),
		Doc: "split(s, regex[, limit]) → ARRAY<STRING>: s cut at each match of regex, as Spark's split: at most limit pieces when limit > 0 (the last holding the rest), every piece otherwise, trailing empty ones kept; an empty regex cuts between characters",
		Eval: func(a []types.Value) (types.Value, error) {
			limit := int64(-1)
			if len(a) > 2 {
				var err error
				if limit, err = ToInt(a[2]); err != nil {
					return types.NullValue, nil
				}
			}
			s, pattern := ToString(a[0]), ToString(a[1])
			var parts []string
			if pattern == "" {
				parts = splitChars(s, limit)
			} else {
				re, err := compileRegex("split", pattern)
				if err != nil {
					return types.NullValue, err
				}
				parts = splitRegex(re, s, limit)
			}
			elems := make([]types.Value, len(parts))
			for i, p := range parts {
				elems[i] = str(p)
			}
			return types.ArrayValue(types.ArrayOf(types.String), elems), nil
		}})
}

// splitChars is UTF8String.split with an empty pattern: one piece per
// character, at most limit (> 0) with the rest in the last; "" is [""].
func splitChars(s string, limit int64) []string {
	n := int64(utf8.RuneCountInString(s))
	if s == "" {
		return []string{""}
	}
	if limit <= 0 || limit > n {
		limit = n
	}
	out := make([]string, 0, limit)
	for i := int64(0); i < limit-1; i++ {
		_, w := utf8.DecodeRuneInString(s)
		out = append(out, s[:w])
		s = s[w:]
	}
	return append(out, s)
}

// splitRegex is Java's String.split(regex, limit) with limit 0 read as
// -1, as Spark's UTF8String.split does: trailing empty pieces stay, and a
// zero-width match at the start makes no empty first piece.
func splitRegex(re *regexp.Regexp, s string, limit int64) []string {
	var out []string
	last := 0
	for _, m := range findAll(re, s) {
		if limit > 0 && int64(len(out)) == limit-1 {
			break
		}
		if m[1] == 0 && m[0] == 0 {
			continue // a zero-width match at the start
		}
		out = append(out, s[last:m[0]])
		last = m[1]
	}
	return append(out, s[last:])
}
