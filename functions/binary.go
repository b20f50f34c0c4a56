package functions

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// BINARY functions, as Spark's: unhex, to_binary, encode and decode
// between text and bytes, base64 and the UTF-8 checks. A BINARY argument
// where a string function takes text is read as its bytes, as Spark's
// implicit cast reads it; a few functions (lpad, rpad, substring, concat)
// keep BINARY when every text argument is BINARY, as Spark's do.

func bin(b []byte) types.Value { return types.BinaryValue(b) }

// unhexBytes decodes hex digits, an odd count starting with a zero nibble
// (Spark's Hex.unhex); ok is false for any other character.
func unhexBytes(s string) ([]byte, bool) {
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// validBase64 is Spark's check before to_binary(s, 'base64') decodes
// (UnBase64's validation): groups of four base64 characters, the last
// possibly ending in one '=' or two adjacent ones, with whitespace
// allowed anywhere else (' ab c=' passes, ' ab cdef= = ' does not).
func validBase64(s string) bool {
	var chars []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
		default:
			chars = append(chars, c)
		}
	}
	if len(chars)%4 != 0 {
		return false
	}
	pad := 0
	if n := len(chars); n > 0 && chars[n-1] == '=' {
		pad = 1
		if chars[n-2] == '=' {
			pad = 2
			if !strings.Contains(s, "==") {
				return false
			}
		}
	}
	for _, c := range chars[:len(chars)-pad] {
		if !isBase64Char(c) {
			return false
		}
	}
	return true
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// decodeBase64 reads base64 without whitespace, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, false
		}
	}
	return b, true
}

// toBinary is to_binary(s, fmt): ok is false for text fmt cannot read.
func toBinary(s, format string) (b []byte, ok bool, err error) {
	switch strings.ToLower(format) {
	case "hex":
		b, ok = unhexBytes(s)
		return b, ok, nil
	case "utf-8", "utf8":
		return []byte(s), true, nil
	case "base64":
		if !validBase64(s) {
			return nil, false, nil
		}
		b, ok = decodeBase64(s)
		return b, ok, nil
	}
	return nil, false, fmt.Errorf("%w: [INVALID_PARAMETER_VALUE.BINARY_FORMAT] to_binary's format must be 'hex', 'utf-8', 'utf8' or 'base64', got %q", ErrInvalidArg, format)
}

// charsetName is a charset Spark 4 encodes and decodes with (the JDK's
// standard charsets), in upper case; ok is false for any other.
func charsetName(cs string) (string, bool) {
	switch u := strings.ToUpper(strings.TrimSpace(cs)); u {
	case "UTF-8", "UTF8":
		return "UTF-8", true
	case "US-ASCII", "ISO-8859-1", "UTF-16", "UTF-16BE", "UTF-16LE", "UTF-32":
		return u, true
	}
	return "", false
}

func charsetErr(fn, cs string) error {
	return fmt.Errorf("%w: [INVALID_PARAMETER_VALUE.CHARSET] %s: charset must be one of US-ASCII, ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16, UTF-32, got %q", ErrInvalidArg, fn, cs)
}

// encodeText is Java's String.getBytes(charset) with the encoder set to
// report errors, as Spark 4 sets it (spark.sql.legacy.codingErrorAction
// off): ok is false when s has a character the charset lacks, or is not
// valid UTF-8. UTF-16 writes a big-endian byte-order mark first, UTF-32
// none.
func encodeText(s, cs string) ([]byte, bool) {
	if !utf8.ValidString(s) {
		return nil, false
	}
	var out []byte
	switch cs {
	case "UTF-8":
		return []byte(s), true
	case "US-ASCII", "ISO-8859-1":
		limit := rune(0x7f)
		if cs == "ISO-8859-1" {
			limit = 0xff
		}
		for _, r := range s {
			if r > limit {
				return nil, false
			}
			out = append(out, byte(r))
		}
		return out, true
	case "UTF-16", "UTF-16BE", "UTF-16LE":
		if cs == "UTF-16" {
			out = append(out, 0xfe, 0xff)
		}
		for _, u := range utf16.Encode([]rune(s)) {
			if cs == "UTF-16LE" {
				out = binary.LittleEndian.AppendUint16(out, u)
			} else {
				out = binary.BigEndian.AppendUint16(out, u)
			}
		}
		return out, true
	}
	for _, r := range s { // UTF-32
		out = binary.BigEndian.AppendUint32(out, uint32(r))
	}
	return out, true
}

// decodeText is Java's new String(bytes, charset) with the decoder set
// to report errors, as Spark 4 sets it: ok is false for bytes that do not
// decode. UTF-16 reads a byte-order mark, big-endian without one.
func decodeText(b []byte, cs string) (string, bool) {
	var sb strings.Builder
	switch cs {
	case "UTF-8":
		return string(b), utf8.Valid(b)
	case "US-ASCII", "ISO-8859-1":
		for _, c := range b {
			if c > 0x7f && cs == "US-ASCII" {
				return "", false
			}
			sb.WriteRune(rune(c))
		}
		return sb.String(), true
	case "UTF-16", "UTF-16BE", "UTF-16LE":
		little := cs == "UTF-16LE"
		if cs == "UTF-16" && len(b) >= 2 {
			switch {
			case b[0] == 0xfe && b[1] == 0xff:
				b = b[2:]
			case b[0] == 0xff && b[1] == 0xfe:
				b, little = b[2:], true
			}
		}
		if len(b)%2 != 0 {
			return "", false
		}
		u := make([]uint16, 0, len(b)/2)
		for ; len(b) >= 2; b = b[2:] {
			if little {
				u = append(u, binary.LittleEndian.Uint16(b))
			} else {
				u = append(u, binary.BigEndian.Uint16(b))
			}
		}
		for i := 0; i < len(u); i++ {
			switch {
			case utf16.IsSurrogate(rune(u[i])) && i+1 < len(u) && utf16.DecodeRune(rune(u[i]), rune(u[i+1])) != utf8.RuneError:
				i++
			case utf16.IsSurrogate(rune(u[i])):
				return "", false
			}
		}
		return string(utf16.Decode(u)), true
	}
	if len(b)%4 != 0 { // UTF-32
		return "", false
	}
	for ; len(b) >= 4; b = b[4:] {
		r := rune(binary.BigEndian.Uint32(b))
		if !utf8.ValidRune(r) {
			return "", false
		}
		sb.WriteRune(r)
	}
	return sb.String(), true
}

func codingErr(fn, what, cs string) error {
	return fmt.Errorf("%w: [MALFORMED_CHARACTER_CODING] %s: %s cannot be coded in %s", ErrInvalidArg, fn, what, cs)
}

// allBinary reports whether the kinds are all BINARY or NULL, and at
// least one is BINARY: then lpad, rpad and concat work on bytes and
// return BINARY, as in Spark.
func allBinary(kinds ...types.Kind) bool {
	some := false
	for _, k := range kinds {
		switch k {
		case types.Binary:
			some = true
		case types.Null:
		default:
			return false
		}
	}
	return some
}

func init() {
	register(&Func{Name: "unhex", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Binary, anyArg),
		Doc: "unhex(s) → BINARY: the bytes s's hex digits spell (an odd count starts with a zero nibble); NULL for any other character",
		Eval: func(a []types.Value) (types.Value, error) {
			b, ok := unhexBytes(ToString(a[0]))
			if !ok {
				return types.NullValue, nil
			}
			return bin(b), nil
		}})
	toBin := func(name string, try bool) func(a []types.Value) (types.Value, error) {
		return func(a []types.Value) (types.Value, error) {
			format := "hex"
			if len(a) > 1 {
				if a[1].IsNull() {
					return types.NullValue, nil
				}
				format = ToString(a[1])
			}
			if a[0].IsNull() {
				return types.NullValue, nil
			}
			s := ToString(a[0])
			b, ok, err := toBinary(s, format)
			if err != nil {
				if try {
					return types.NullValue, nil
				}
				return types.NullValue, err
			}
			if !ok {
				if try {
					return types.NullValue, nil
				}
				return types.NullValue, fmt.Errorf("%w: [CONVERSION_INVALID_INPUT] %s: %s is not valid %s (use try_to_binary to get NULL instead)", ErrInvalidArg, name, quoteSQL(s), strings.ToUpper(format))
			}
			return bin(b), nil
		}
	}
	register(&Func{Name: "to_binary", MinArgs: 1, MaxArgs: 2, Check: fixed(types.Binary, anyArg, strArg),
		Doc:  "to_binary(s[, fmt]) → BINARY: s read as 'hex' (the default), 'utf-8' or 'base64'; an error when s is not in that format",
		Eval: toBin("to_binary", false)})
	register(&Func{Name: "try_to_binary", MinArgs: 1, MaxArgs: 2, Check: fixed(types.Binary, anyArg, strArg),
		Doc:  "try_to_binary(s[, fmt]) → BINARY: to_binary, with NULL where it fails",
		Eval: toBin("try_to_binary", true)})
	register(&Func{Name: "encode", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Binary, anyArg, strArg),
		Doc: "encode(s, charset) → BINARY: s's characters in charset (US-ASCII, ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16, UTF-32); an error for a character the charset lacks, as in Spark 4",
		Eval: func(a []types.Value) (types.Value, error) {
			cs, ok := charsetName(ToString(a[1]))
			if !ok {
				return types.NullValue, charsetErr("encode", ToString(a[1]))
			}
			b, ok := encodeText(ToString(a[0]), cs)
			if !ok {
				return types.NullValue, codingErr("encode", quoteSQL(ToString(a[0])), cs)
			}
			return bin(b), nil
		}})
	register(&Func{Name: "decode", MinArgs: 2, MaxArgs: -1, NullSafe: true,
		Doc: "decode(b, charset) → STRING: BINARY b's bytes read in charset (as encode's); an error for bytes that do not decode, as in Spark 4. decode(x, search, result, …[, default]) → common kind of the results: the result of the first search x equals, NULL equal to NULL (Spark's CASE form)",
		Check: func(args []types.Kind) (types.Kind, error) {
			if len(args) == 2 {
				return fixed(types.String, anyArg, strArg)(args)
			}
			return widenAll(decodeResults(args)), nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			if len(a) == 2 {
				if a[0].IsNull() || a[1].IsNull() {
					return types.NullValue, nil
				}
				cs, ok := charsetName(ToString(a[1]))
				if !ok {
					return types.NullValue, charsetErr("decode", ToString(a[1]))
				}
				t, ok := decodeText([]byte(ToString(a[0])), cs)
				if !ok {
					return types.NullValue, codingErr("decode", types.BinaryLiteral(ToString(a[0])), cs)
				}
				return str(t), nil
			}
			k := widenAll(decodeResults(a))
			for i := 1; i+1 < len(a); i += 2 {
				if types.Equal(a[0], a[i]) {
					return castTo(a[i+1], k), nil
				}
			}
			if len(a)%2 == 0 {
				return castTo(a[len(a)-1], k), nil
			}
			return types.NullValue, nil
		}})
	register(&Func{Name: "base64", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "base64(b) → STRING: standard base64 of a BINARY's bytes or a string's UTF-8 bytes",
		Eval: func(a []types.Value) (types.Value, error) {
			return str(base64.StdEncoding.EncodeToString([]byte(ToString(a[0])))), nil
		}})
	register(&Func{Name: "unbase64", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Binary, anyArg),
		Doc: "unbase64(s) → BINARY: the bytes base64 s encodes (whitespace ignored, padding optional); NULL when invalid",
		Eval: func(a []types.Value) (types.Value, error) {
			b, ok := decodeBase64(ToString(a[0]))
			if !ok {
				return types.NullValue, nil
			}
			return bin(b), nil
		}})
	register(&Func{Name: "is_valid_utf8", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Bool, anyArg),
		Doc: "is_valid_utf8(s) → BOOLEAN: whether s's bytes are valid UTF-8",
		Eval: func(a []types.Value) (types.Value, error) {
			return types.BoolValue(utf8.ValidString(ToString(a[0]))), nil
		}})
	register(&Func{Name: "make_valid_utf8", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "make_valid_utf8(s) → STRING: s with each byte that is not valid UTF-8 replaced by U+FFFD",
		Eval: func(a []types.Value) (types.Value, error) {
			return str(types.BinaryText(ToString(a[0]))), nil
		}})
	register(&Func{Name: "validate_utf8", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "validate_utf8(s) → STRING: s if its bytes are valid UTF-8, else an error",
		Eval: func(a []types.Value) (types.Value, error) {
			s := ToString(a[0])
			if !utf8.ValidString(s) {
				return types.NullValue, fmt.Errorf("%w: [INVALID_UTF8_STRING] validate_utf8: the bytes %s are not valid UTF-8", ErrInvalidArg, types.BinaryLiteral(s))
			}
			return str(s), nil
		}})
	register(&Func{Name: "try_validate_utf8", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "try_validate_utf8(s) → STRING: s if its bytes are valid UTF-8, else NULL",
		Eval: func(a []types.Value) (types.Value, error) {
			s := ToString(a[0])
			if !utf8.ValidString(s) {
				return types.NullValue, nil
			}
			return str(s), nil
		}})
}

// quoteSQL quotes s as a SQL string literal for messages.
func quoteSQL(s string) string { return "'" + strings.ReplaceAll(s, "'", "\\'") + "'" }

// decodeResults picks the kinds of decode's results (and default) from
// its arguments' kinds or values: positions 2, 4, … and the last of an
// even count.
func decodeResults[T types.Kind | types.Value](args []T) []types.Kind {
	var out []types.Kind
	kindOf := func(x T) types.Kind {
		switch x := any(x).(type) {
		case types.Value:
			return x.K
		case types.Kind:
			return x
		}
		return types.Null
	}
	for i := 2; i < len(args); i += 2 {
		out = append(out, kindOf(args[i]))
	}
	if len(args)%2 == 0 {
		out = append(out, kindOf(args[len(args)-1]))
	}
	return out
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
