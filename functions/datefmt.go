package functions

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Spark datetime patterns (https://spark.apache.org/docs/latest/sql-ref-datetime-pattern.html)
// are compiled once into tokens. Formatting and parsing (dateparse.go) both
// walk the tokens themselves. Formatting always renders UTC, nectar's
// session time zone.

// dtToken is one run of a pattern letter (letter != 0), literal text, or
// the bracket of an optional section (letter '[' or ']').
type dtToken struct {
	letter byte
	count  int
	lit    string
}

type compiledPattern struct {
	tokens   []dtToken
	parseErr error // pattern can format but not parse
}

var patternCache sync.Map // string → *compiledPattern

// patternCount bounds patternCache, as maxCachedRegexes does for regexes:
// patterns are nearly always literals, but a per-row pattern must not grow
// the cache without limit.
var patternCount atomic.Int64

// supportedLetters are the pattern letters nectar implements. Spark itself
// rejects the week-based letters Y, w, W, u, e, c since Spark 3.0.
const supportedLetters = "GyMLdDQqEahKkHmsSVzOXxZ"

func compilePattern(p string) (*compiledPattern, error) {
	if c, ok := patternCache.Load(p); ok {
		return c.(*compiledPattern), nil
	}
	toks, err := tokenize(p)
	if err != nil {
		return nil, err
	}
	c := &compiledPattern{tokens: toks}
	c.parseErr = checkParsePattern(p, toks)
	if patternCount.Add(1) <= maxCachedRegexes {
		patternCache.Store(p, c)
	}
	return c, nil
}

func tokenize(p string) ([]dtToken, error) {
	var toks []dtToken
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, dtToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				lit.WriteByte('\'')
				i++
				continue
			}
			j := i + 1
			for {
				if j >= len(p) {
					return nil, fmt.Errorf("%w %q: unterminated quote", ErrBadPattern, p)
				}
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteByte(p[j])
				j++
			}
			i = j
		case c == '[' || c == ']':
			// Optional sections: formatting prints their contents (a
			// timestamp has every field); parsing may skip them.
			flush()
			toks = append(toks, dtToken{letter: c})
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			if strings.IndexByte(supportedLetters, c) < 0 {
				return nil, fmt.Errorf("%w %q: unsupported pattern letter '%c'", ErrBadPattern, p, c)
			}
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			n := j - i
			if n > maxLetterCount(c) {
				return nil, fmt.Errorf("%w %q: too many pattern letters '%c'", ErrBadPattern, p, c)
			}
			flush()
			toks = append(toks, dtToken{letter: c, count: n})
			i = j - 1
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return toks, nil
}

func maxLetterCount(c byte) int {
	switch c {
	case 'y':
		return 9
	case 'S':
		return 9
	case 'd', 'h', 'H', 'k', 'K', 'm', 's', 'a', 'V':
		return 2
	case 'D':
		return 3
	case 'O':
		return 4
	}
	return 5
}

// parseWith parses s with a Spark pattern. ok is false when s does not
// match; err is set for a pattern that cannot parse at all or a zone name
// nectar does not know.
func parseWith(s, pattern string) (t time.Time, ok bool, err error) {
	c, err := compilePattern(pattern)
	if err != nil {
		return time.Time{}, false, err
	}
	if c.parseErr != nil {
		return time.Time{}, false, c.parseErr
	}
	return parseTokens(strings.TrimSpace(s), c.tokens)
}

// FormatTime renders t (in UTC) with a Spark datetime pattern such as
// "yyyy-MM-dd HH:mm:ss"; an invalid pattern wraps ErrBadPattern.
func FormatTime(t time.Time, pattern string) (string, error) {
	c, err := compilePattern(pattern)
	if err != nil {
		return "", err
	}
	return string(appendFormat(nil, t.UTC(), c.tokens)), nil
}

var quarterNames = [...]string{"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"}

func appendFormat(b []byte, t time.Time, toks []dtToken) []byte {
	for _, tk := range toks {
		n := tk.count
		switch tk.letter {
		case 0:
			b = append(b, tk.lit...)
		case '[', ']':
		case 'G':
			era := "AD"
			if t.Year() <= 0 {
				era = "BC"
			}
			if n == 4 {
				era = map[string]string{"AD": "Anno Domini", "BC": "Before Christ"}[era]
			}
			b = append(b, era...)
		case 'y':
			y := t.Year()
			if y <= 0 {
				y = 1 - y // year of era, as Java's 'y'
			}
			if n == 2 {
				b = appendPadded(b, int64(y%100), 2)
			} else {
				b = appendPadded(b, int64(y), n)
			}
		case 'M', 'L':
			switch n {
			case 1, 2:
				b = appendPadded(b, int64(t.Month()), n)
			case 3:
				b = append(b, t.Month().String()[:3]...)
			case 4:
				b = append(b, t.Month().String()...)
			default:
				b = append(b, t.Month().String()[0])
			}
		case 'd':
			b = appendPadded(b, int64(t.Day()), n)
		case 'D':
			b = appendPadded(b, int64(t.YearDay()), n)
		case 'Q', 'q':
			q := (int(t.Month()) + 2) / 3
			switch n {
			case 1, 2:
				b = appendPadded(b, int64(q), n)
			case 3:
				b = append(b, 'Q', byte('0'+q))
			case 4:
				b = append(b, quarterNames[q-1]...)
			default:
				b = append(b, byte('0'+q))
			}
		case 'E':
			switch n {
			case 4:
				b = append(b, t.Weekday().String()...)
			case 5:
				b = append(b, t.Weekday().String()[0])
			default:
				b = append(b, t.Weekday().String()[:3]...)
			}
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendPadded(b, int64(h), n)
		case 'K':
			b = appendPadded(b, int64(t.Hour()%12), n)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b = appendPadded(b, int64(h), n)
		case 'H':
			b = appendPadded(b, int64(t.Hour()), n)
		case 'm':
			b = appendPadded(b, int64(t.Minute()), n)
		case 's':
			b = appendPadded(b, int64(t.Second()), n)
		case 'S':
			frac := strconv.Itoa(t.Nanosecond() + 1e9)[1:] // nine digits, zero-padded
			b = append(b, frac[:n]...)
		case 'V', 'z':
			if tk.letter == 'z' && n == 4 {
				b = append(b, "Coordinated Universal Time"...)
			} else {
				b = append(b, "UTC"...)
			}
		case 'O':
			b = append(b, "GMT"...)
		case 'X':
			b = append(b, 'Z')
		case 'x':
			b = append(b, [...]string{"", "+00", "+0000", "+00:00", "+0000", "+00:00"}[n]...)
		case 'Z':
			b = append(b, [...]string{"", "+0000", "+0000", "+0000", "GMT", "Z"}[n]...)
		}
	}
	return b
}

func appendPadded(b []byte, v int64, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
