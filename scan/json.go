package scan

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"unicode/utf8"
)

// This file is a hand-written JSON validator and skipper. It exists because
// a general JSON library that builds values (encoding/json, or any decoder
// that materialises maps and strings) allocates for every field of every
// line, and that allocation, not I/O, is the bottleneck when scanning
// ~1.2 KB Segment events for a handful of columns. These functions only move
// an offset forward over validated bytes; nothing here allocates.

var (
	// ErrMalformed is wrapped by every error for a line that is not one
	// well-formed JSON object.
	ErrMalformed = errors.New("malformed JSON")
	// ErrInvalidUTF8 is wrapped when a string holds bytes that are not UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
)

// jsonError is a static, preallocated error so the hot path never formats.
type jsonError struct {
	msg  string
	kind error
}

func (e *jsonError) Error() string { return e.kind.Error() + ": " + e.msg }
func (e *jsonError) Unwrap() error { return e.kind }

var (
	errEOF       = &jsonError{"unexpected end of line", ErrMalformed}
	errChar      = &jsonError{"unexpected character", ErrMalformed}
	errEscape    = &jsonError{"bad escape in string", ErrMalformed}
	errControl   = &jsonError{"control character in string", ErrMalformed}
	errNumber    = &jsonError{"bad number", ErrMalformed}
	errLiteral   = &jsonError{"bad literal", ErrMalformed}
	errNotObject = &jsonError{"line is not a JSON object", ErrMalformed}
	errTrailing  = &jsonError{"data after the object", ErrMalformed}
	errDepth     = &jsonError{"nesting deeper than 10000", ErrMalformed}
	errUTF8      = &jsonError{"invalid UTF-8 in string", ErrInvalidUTF8}
	// errRejected unwinds an early stop (see Extractor.Require); Extract
	// turns it into ErrRejected or a full read.
	errRejected = &jsonError{"rejected", ErrRejected}
)

// maxDepth matches encoding/json's limit so both agree on validity.
const maxDepth = 10000

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// stringSpecial marks bytes that end the fast path inside a string: the
// closing quote, a backslash, control characters (invalid unescaped) and
// non-ASCII bytes (which need UTF-8 validation).
var stringSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80
	}
	return t
}()

// nextSpecial returns the index of the first stringSpecial byte at or after
// i, or len(d). It tests eight bytes per step with SWAR arithmetic; each
// term can only report false positives above a true one, so the lowest set
// bit is exact.
func nextSpecial(d []byte, i int) int {
	for i+8 <= len(d) {
		w := binary.LittleEndian.Uint64(d[i:])
		q := w ^ (lo8 * '"')
		b := w ^ (lo8 * '\\')
		m := ((q - lo8) &^ q) | ((b - lo8) &^ b) | (w - lo8*0x20) | w
		if m &= hi8; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(d) && !stringSpecial[d[i]] {
		i++
	}
	return i
}

// scanString validates the string whose body starts at i (just past the
// opening quote) and returns the index just past the closing quote and
// whether the body holds a backslash. On error the index is where it failed.
func scanString(d []byte, i int) (int, bool, error) {
	esc := false
	for {
		i = nextSpecial(d, i)
		if i >= len(d) {
			return i, esc, errEOF
		}
		switch c := d[i]; {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(d) {
				return i, esc, errEOF
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				// Lone surrogates are accepted, as Spark (Jackson) and
				// encoding/json accept them; they decode to U+FFFD.
				if i+6 > len(d) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return i, esc, errEscape
				}
				i += 6
			default:
				return i, esc, errEscape
			}
		case c < 0x20:
			return i, esc, errControl
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				return i, esc, errUTF8
			}
			i += size
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber validates the number starting at i against the JSON grammar and
// reports whether it is written as an integer (no fraction, no exponent).
func scanNumber(d []byte, i int) (int, bool, error) {
	if d[i] == '-' {
		i++
	}
	if i >= len(d) {
		return i, false, errNumber
	}
	switch c := d[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i++
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return i, false, errNumber
	}
	integral := true
	if i < len(d) && d[i] == '.' {
		integral = false
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return i, false, errNumber
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		integral = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return i, false, errNumber
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i, integral, nil
}

func scanLiteral(d []byte, i int, lit string) (int, error) {
	if len(d)-i < len(lit) || string(d[i:i+len(lit)]) != lit {
		return i, errLiteral
	}
	return i + len(lit), nil
}

func skipWS(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// typeOf classifies a value by its first byte, which the grammar makes
// unambiguous.
func typeOf(c byte) JSONType {
	switch c {
	case '"':
		return String
	case '{':
		return Object
	case '[':
		return Array
	case 't', 'f':
		return Bool
	case 'n':
		return Null
	}
	return Number
}

// skipValue validates the value starting at i (not whitespace) and returns
// the index just past it.
func skipValue(d []byte, i, depth int) (int, error) {
	if i >= len(d) {
		return i, errEOF
	}
	switch d[i] {
	case '"':
		end, _, err := scanString(d, i+1)
		return end, err
	case '{':
		return skipObject(d, i+1, depth+1)
	case '[':
		return skipArray(d, i+1, depth+1)
	case 't':
		return scanLiteral(d, i, "true")
	case 'f':
		return scanLiteral(d, i, "false")
	case 'n':
		return scanLiteral(d, i, "null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		end, _, err := scanNumber(d, i)
		return end, err
	}
	return i, errChar
}

// afterMember moves past what follows a member of an object or array: a
// comma (and the blanks after it), or the closing byte, when it reports
// done.
func afterMember(d []byte, i int, closer byte) (int, bool, error) {
	i = skipWS(d, i)
	if i >= len(d) {
		return i, false, errEOF
	}
	switch d[i] {
	case ',':
		return skipWS(d, i+1), false, nil
	case closer:
		return i + 1, true, nil
	}
	return i, false, errChar
}

// skipObject validates an object whose body starts at i (past the '{').
func skipObject(d []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return i, errDepth
	}
	i = skipWS(d, i)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	var err error
	for {
		if i >= len(d) {
			return i, errEOF
		}
		if d[i] != '"' {
			return i, errChar
		}
		if i, _, err = scanString(d, i+1); err != nil {
			return i, err
		}
		if i, err = colon(d, i); err != nil {
			return i, err
		}
		if i, err = skipValue(d, i, depth); err != nil {
			return i, err
		}
		var done bool
		if i, done, err = afterMember(d, i, '}'); err != nil || done {
			return i, err
		}
	}
}

// skipArray validates an array whose body starts at i (past the '[').
func skipArray(d []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return i, errDepth
	}
	i = skipWS(d, i)
	if i < len(d) && d[i] == ']' {
		return i + 1, nil
	}
	var err error
	for {
		if i, err = skipValue(d, i, depth); err != nil {
			return i, err
		}
		var done bool
		if i, done, err = afterMember(d, i, ']'); err != nil || done {
			return i, err
		}
	}
}

// colon consumes the ':' after a key and the whitespace around it, leaving i
// at the value.
func colon(d []byte, i int) (int, error) {
	i = skipWS(d, i)
	if i >= len(d) {
		return i, errEOF
	}
	if d[i] != ':' {
		return i, errChar
	}
	return skipWS(d, i+1), nil
}

// appendUnescaped appends the decoded form of a validated string body (no
// quotes). Lone surrogates become U+FFFD, as encoding/json does, because Go
// strings hold UTF-8, which cannot encode them.
func appendUnescaped(dst, s []byte) []byte {
	for len(s) > 0 {
		j := 0
		for j < len(s) && s[j] != '\\' {
			j++
		}
		dst = append(dst, s[:j]...)
		if j == len(s) {
			break
		}
		s = s[j:]
		switch s[1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(s[2:6]))
			s = s[6:]
			if 0xD800 <= r && r < 0xDC00 && len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
				if r2 := rune(hex4(s[2:6])); 0xDC00 <= r2 && r2 < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
					s = s[6:]
				}
			}
			dst = utf8.AppendRune(dst, r) // surrogates encode as U+FFFD
			continue
		default: // '"', '\\', '/'
			dst = append(dst, s[1])
		}
		s = s[2:]
	}
	return dst
}

func hex4(h []byte) uint16 {
	var v uint16
	for _, c := range h[:4] {
		v <<= 4
		switch {
		case c <= '9':
			v |= uint16(c - '0')
		case c >= 'a':
			v |= uint16(c - 'a' + 10)
		default:
			v |= uint16(c - 'A' + 10)
		}
	}
	return v
}
