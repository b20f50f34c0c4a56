package functions

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// The URL functions: parse_url, url_encode, url_decode, try_url_decode, as
// Spark computes them with java.net.URI, URLEncoder and URLDecoder.

func init() {
	register(&Func{Name: "parse_url", MinArgs: 2, MaxArgs: 3, Check: fixed(types.String, anyArg, anyArg, anyArg),
		Doc: "parse_url(url, part[, key]) → STRING: the HOST, PATH, QUERY, REF, PROTOCOL, FILE, AUTHORITY or USERINFO of url (NULL if absent or part is another word); with key, that query parameter's value; an invalid URL is an error",
		Eval: func(a []types.Value) (types.Value, error) {
			var key *string
			if len(a) > 2 {
				k := ToString(a[2])
				key = &k
			}
			v, ok, err := parseURL(ToString(a[0]), ToString(a[1]), key)
			if err != nil || !ok {
				return types.NullValue, err
			}
			return str(v), nil
		}})
	register(&Func{Name: "try_parse_url", MinArgs: 2, MaxArgs: 3, Check: fixed(types.String, anyArg, anyArg, anyArg),
		Doc: "try_parse_url(url, part[, key]) → STRING: parse_url, NULL for an invalid URL",
		Eval: func(a []types.Value) (types.Value, error) {
			var key *string
			if len(a) > 2 {
				k := ToString(a[2])
				key = &k
			}
			v, ok, err := parseURL(ToString(a[0]), ToString(a[1]), key)
			if err != nil || !ok {
				return types.NullValue, nil
			}
			return str(v), nil
		}})
	register(&Func{Name: "url_encode", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "url_encode(s) → STRING: s in application/x-www-form-urlencoded form (UTF-8; a space is +; letters, digits and . - * _ stay)",
		Eval: func(a []types.Value) (types.Value, error) {
			return str(urlEncode(ToString(a[0]))), nil
		}})
	register(&Func{Name: "url_decode", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "url_decode(s) → STRING: s decoded from application/x-www-form-urlencoded form (+ is a space); a malformed %-escape is an error",
		Eval: func(a []types.Value) (types.Value, error) {
			s, err := urlDecode(ToString(a[0]))
			if err != nil {
				return types.NullValue, err
			}
			return str(s), nil
		}})
	register(&Func{Name: "try_url_decode", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "try_url_decode(s) → STRING: url_decode(s), NULL where it would fail",
		Eval: func(a []types.Value) (types.Value, error) {
			s, err := urlDecode(ToString(a[0]))
			if err != nil {
				return types.NullValue, nil
			}
			return str(s), nil
		}})
}

// urlEncode is Java's URLEncoder.encode(s, UTF_8).
func urlEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// urlDecode is Java's URLDecoder.decode(s, UTF_8): + is a space and %XX a
// byte. A '%' without two hex digits fails, as in Java. Bytes that are not
// UTF-8 fail too: Java would put U+FFFD for them, by rules nectar does not
// copy.
func urlDecode(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", fmt.Errorf("%w: %q has an incomplete or invalid %%-escape at byte %d", ErrInvalidArg, s, i)
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: %q decodes to bytes that are not UTF-8", ErrInvalidArg, s)
	}
	return string(b), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// javaURIBad lists the ASCII characters java.net.URI never accepts
// unescaped (RFC 2396's excluded set: space, controls, "<>\^`{|}), so a URL
// holding one is invalid in Spark too.
func javaURIBad(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			return true
		}
	}
	return false
}

// serverHost matches a host java.net.URI accepts as server-based: a
// hostname of letters, digits, '-' and '.', an IPv4 address, or an IPv6
// literal in brackets. For others (an '_' in the name) Java's getHost is
// null.
var serverHost = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?)$`)

// parseURL is Spark's ParseUrl under ANSI mode: an invalid URL is an
// error; a part that is absent, or an unknown part name, is NULL (ok false).
func parseURL(raw, part string, key *string) (string, bool, error) {
	u, err := url.Parse(raw)
	if err != nil || javaURIBad(raw) {
		return "", false, fmt.Errorf("%w: the URL %q is not valid (INVALID_URL; try_parse_url gives NULL)", ErrInvalidArg, raw)
	}
	if key != nil && part != "QUERY" {
		return "", false, nil
	}
	opaque := u.Opaque != ""
	hasQuery := !opaque && (u.RawQuery != "" || u.ForceQuery)
	// The raw authority, as Java's getRawAuthority gives it: what follows
	// "//" up to the path, query or fragment.
	authority, hasAuthority := "", false
	if rest, ok := strings.CutPrefix(raw[len(u.Scheme):], ":"); ok || u.Scheme == "" {
		if a, ok := strings.CutPrefix(rest, "//"); ok && !opaque {
			if i := strings.IndexAny(a, "/?#"); i >= 0 {
				a = a[:i]
			}
			authority, hasAuthority = a, a != ""
		}
	}
	userinfo, hasUser := "", false
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		userinfo, hasUser = authority[:i], true
	}
	switch part {
	case "HOST":
		if !hasAuthority {
			return "", false, nil
		}
		h := authority[len(userinfo):]
		if hasUser {
			h = h[1:]
		}
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
			h = h[:i]
		}
		if !serverHost.MatchString(h) {
			return "", false, nil
		}
		return h, true, nil
	case "PATH":
		if opaque {
			return "", false, nil
		}
		return u.EscapedPath(), true, nil
	case "QUERY":
		if !hasQuery {
			return "", false, nil
		}
		if key == nil {
			return u.RawQuery, true, nil
		}
		// Spark puts the key into the pattern as it is, a regex.
		re, err := compileRegex("parse_url", `(&|^)`+*key+`=([^&]*)`)
		if err != nil {
			return "", false, err
		}
		m := re.FindStringSubmatch(u.RawQuery)
		if m == nil {
			return "", false, nil
		}
		return m[2], true, nil
	case "REF":
		i := strings.IndexByte(raw, '#')
		if i < 0 {
			return "", false, nil
		}
		return raw[i+1:], true, nil
	case "PROTOCOL":
		if u.Scheme == "" {
			return "", false, nil
		}
		return u.Scheme, true, nil
	case "FILE":
		if opaque {
			return "", false, nil
		}
		if hasQuery {
			return u.EscapedPath() + "?" + u.RawQuery, true, nil
		}
		return u.EscapedPath(), true, nil
	case "AUTHORITY":
		if !hasAuthority {
			return "", false, nil
		}
		return authority, true, nil
	case "USERINFO":
		if !hasUser {
			return "", false, nil
		}
		return userinfo, true, nil
	}
	return "", false, nil
}
