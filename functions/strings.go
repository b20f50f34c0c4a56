package functions

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// maxResultLen bounds strings built by repeat and lpad so that a typo in a
// count cannot exhaust memory; Spark's own limit is 2 GB.
const maxResultLen = 64 << 20

func str(s string) types.Value { return types.StringValue(s) }

func init() {
	strUnary := func(name, doc string, fn func(string) string, aliases ...string) {
		register(&Func{Name: name, MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg), Doc: doc,
			Eval: func(a []types.Value) (types.Value, error) { return str(fn(ToString(a[0]))), nil }}, aliases...)
	}
	strUnary("lower", "lower(s) → STRING: lower case, with Spark's special casing (final sigma, dotted capital I)", Lower, "lcase")
	strUnary("upper", "upper(s) → STRING: upper case", strings.ToUpper, "ucase")
	strUnary("reverse", "reverse(s) → STRING: characters in reverse order", reverseString)
	strUnary("initcap", "initcap(s) → STRING: each space-separated word capitalised, the rest lower case", initcap)
	strUnary("md5", "md5(s) → STRING: MD5 digest as 32 hex digits", func(s string) string { return hexDigest(md5.New(), s) })
	strUnary("sha1", "sha1(s) → STRING: SHA-1 digest as 40 hex digits", func(s string) string { return hexDigest(sha1.New(), s) }, "sha")

	// The parser maps TRIM([BOTH|LEADING|TRAILING] chars FROM s) to
	// trim/ltrim/rtrim(s, chars): Spark's StringTrim(srcStr, trimStr) order.
	// Spark's two-argument trim, ltrim and rtrim take the characters
	// first (StringTrim's this(trimStr, srcStr)); btrim takes the string
	// first. SQL's trim(BOTH chars FROM s) is trim(chars, s).
	for _, tr := range []struct {
		name, doc  string
		fn         func(s, cut string) string
		charsFirst bool
	}{
		{"trim", "trim(s) → STRING: s without leading and trailing spaces; trim(chars, s): without the characters of chars (SQL's trim(BOTH chars FROM s))", strings.Trim, true},
		{"ltrim", "ltrim(s) → STRING: s without leading spaces; ltrim(chars, s): without the leading characters of chars (trim(LEADING chars FROM s))", strings.TrimLeft, true},
		{"rtrim", "rtrim(s) → STRING: s without trailing spaces; rtrim(chars, s): without the trailing characters of chars (trim(TRAILING chars FROM s))", strings.TrimRight, true},
		{"btrim", "btrim(s[, chars]) → STRING: s without leading and trailing chars (default: spaces only)", strings.Trim, false},
	} {
		fn, charsFirst := tr.fn, tr.charsFirst
		register(&Func{Name: tr.name, MinArgs: 1, MaxArgs: 2, Check: fixed(types.String, anyArg), Doc: tr.doc,
			Eval: func(a []types.Value) (types.Value, error) {
				s, cut := a[0], " "
				if len(a) > 1 {
					if charsFirst {
						s, cut = a[1], ToString(a[0])
					} else {
						cut = ToString(a[1])
					}
					if a[0].IsNull() || a[1].IsNull() {
						return types.NullValue, nil
					}
				}
				return str(fn(ToString(s), cut)), nil
			}})
	}
	register(&Func{Name: "quote", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "quote(s) → STRING: s in single quotes, its quotes and backslashes escaped with a backslash",
		Eval: func(a []types.Value) (types.Value, error) {
			r := strings.NewReplacer(`\`, `\\`, "'", `\'`)
			return str("'" + r.Replace(ToString(a[0])) + "'"), nil
		}})
	register(&Func{Name: "length", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Int, anyArg),
		Doc: "length(s) → BIGINT: number of characters (not bytes); of a BINARY, its bytes",
		Eval: func(a []types.Value) (types.Value, error) {
			if a[0].K == types.Binary {
				return types.IntValue(int64(len(a[0].S))), nil
			}
			return types.IntValue(int64(utf8.RuneCountInString(ToString(a[0])))), nil
		}}, "char_length", "character_length", "len")
	register(&Func{Name: "octet_length", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Int, anyArg),
		Doc: "octet_length(s) → BIGINT: number of UTF-8 bytes",
		Eval: func(a []types.Value) (types.Value, error) {
			return types.IntValue(int64(len(ToString(a[0])))), nil
		}})
	register(&Func{Name: "hex", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, anyArg),
		Doc: "hex(x) → STRING: upper-case hex of a BIGINT's value, a BINARY's bytes or a string's UTF-8 bytes",
		Eval: func(a []types.Value) (types.Value, error) {
			if a[0].K == types.Int {
				return str(strings.ToUpper(fmt.Sprintf("%x", uint64(a[0].I)))), nil
			}
			return str(strings.ToUpper(hex.EncodeToString([]byte(ToString(a[0]))))), nil
		}})
	register(&Func{Name: "sha2", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, anyArg, numArg),
		Doc: "sha2(s, bits) → STRING: SHA-2 digest in hex; bits 224, 256 (or 0), 384, 512; other bits give NULL",
		Eval: func(a []types.Value) (types.Value, error) {
			bits, err := ToInt(a[1])
			if err != nil {
				return types.NullValue, nil
			}
			var h hash.Hash
			switch bits {
			case 0, 256:
				h = sha256.New()
			case 224:
				h = sha256.New224()
			case 384:
				h = sha512.New384()
			case 512:
				h = sha512.New()
			default:
				return types.NullValue, nil
			}
			return str(hexDigest(h, ToString(a[0]))), nil
		}})
	register(&Func{Name: "lpad", MinArgs: 2, MaxArgs: 3, Check: padCheck,
		Doc:  "lpad(s, len[, pad]) → STRING: s left-padded with pad (default space) to len characters, or truncated to len; of BINARY s and pad, BINARY padded by bytes (default X'00')",
		Eval: func(a []types.Value) (types.Value, error) { return pad(a, true) }})
	register(&Func{Name: "rpad", MinArgs: 2, MaxArgs: 3, Check: padCheck,
		Doc:  "rpad(s, len[, pad]) → STRING: s right-padded with pad (default space) to len characters, or truncated to len; of BINARY s and pad, BINARY padded by bytes (default X'00')",
		Eval: func(a []types.Value) (types.Value, error) { return pad(a, false) }})
	register(&Func{Name: "substring", MinArgs: 2, MaxArgs: 3, Check: func(args []types.Kind) (types.Kind, error) {
		if _, err := fixed(types.String, anyArg, numArg, numArg)(args); err != nil {
			return types.Null, err
		}
		if args[0] == types.Binary {
			return types.Binary, nil
		}
		return types.String, nil
	},
		Doc: "substring(s, pos[, len]) → STRING: len characters from 1-based pos; a negative pos counts from the end; of a BINARY, len bytes as a BINARY",
		Eval: func(a []types.Value) (types.Value, error) {
			pos, err := ToInt(a[1])
			if err != nil {
				return types.NullValue, nil
			}
			n := int64(1<<62 - 1)
			if len(a) > 2 {
				if n, err = ToInt(a[2]); err != nil {
					return types.NullValue, nil
				}
			}
			if a[0].K == types.Binary {
				start, end := substringBounds(int64(len(a[0].S)), pos, n)
				if start >= end {
					return bin(nil), nil
				}
				return bin([]byte(a[0].S[start:end])), nil
			}
			return str(substringSQL(ToString(a[0]), pos, n)), nil
		}}, "substr")
	register(&Func{Name: "left", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, anyArg, numArg),
		Doc: "left(s, n) → STRING: the first n characters",
		Eval: func(a []types.Value) (types.Value, error) {
			n, err := ToInt(a[1])
			if err != nil {
				return types.NullValue, nil
			}
			if n <= 0 {
				return str(""), nil
			}
			return str(substringSQL(ToString(a[0]), 1, n)), nil
		}})
	register(&Func{Name: "right", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, anyArg, numArg),
		Doc: "right(s, n) → STRING: the last n characters",
		Eval: func(a []types.Value) (types.Value, error) {
			n, err := ToInt(a[1])
			if err != nil {
				return types.NullValue, nil
			}
			if n <= 0 {
				return str(""), nil
			}
			return str(substringSQL(ToString(a[0]), -n, 1<<62)), nil
		}})
	register(&Func{Name: "concat", MinArgs: 0, MaxArgs: -1, Check: concatCheck,
		Doc: "concat(s, …) → STRING: the arguments joined; NULL if any is NULL. concat(a, …) of ARRAYs → ARRAY: their elements in turn",
		Eval: func(a []types.Value) (types.Value, error) {
			if len(a) > 0 && a[0].K.IsArray() {
				return concatArrays(a)
			}
			var b strings.Builder
			binary := len(a) > 0
			for _, v := range a {
				b.WriteString(ToString(v))
				binary = binary && v.K == types.Binary
			}
			if binary {
				return types.Value{K: types.Binary, S: b.String()}, nil
			}
			return str(b.String()), nil
		}})
	register(&Func{Name: "concat_ws", MinArgs: 1, MaxArgs: -1, Check: fixed(types.String, anyArg), NullSafe: true,
		Doc: "concat_ws(sep, s, …) → STRING: the non-NULL arguments joined by sep; NULL only if sep is NULL",
		Eval: func(a []types.Value) (types.Value, error) {
			if a[0].K == types.Null {
				return types.NullValue, nil
			}
			sep := ToString(a[0])
			var b strings.Builder
			first := true
			for _, v := range a[1:] {
				if v.K == types.Null {
					continue
				}
				if !first {
					b.WriteString(sep)
				}
				first = false
				b.WriteString(ToString(v))
			}
			return str(b.String()), nil
		}})
	register(&Func{Name: "replace", MinArgs: 2, MaxArgs: 3, Check: fixed(types.String, anyArg),
		Doc: "replace(s, search[, with]) → STRING: every occurrence of search replaced (default: removed)",
		Eval: func(a []types.Value) (types.Value, error) {
			s, old := ToString(a[0]), ToString(a[1])
			if old == "" {
				return str(s), nil // Go would insert between every rune; Spark leaves s alone
			}
			with := ""
			if len(a) > 2 {
				with = ToString(a[2])
			}
			return str(strings.ReplaceAll(s, old, with)), nil
		}})
	register(&Func{Name: "split_part", MinArgs: 3, MaxArgs: 3, Check: fixed(types.String, anyArg, anyArg, numArg),
		Doc: "split_part(s, delim, n) → STRING: the nth field (1-based, negative from the end) of s split by delim; '' when out of range",
		Eval: func(a []types.Value) (types.Value, error) {
			n, err := ToInt(a[2])
			if err != nil {
				return types.NullValue, nil
			}
			if n == 0 {
				return types.NullValue, fmt.Errorf("%w: split_part field index must not be 0", ErrInvalidArg)
			}
			s, delim := ToString(a[0]), ToString(a[1])
			var parts []string
			if delim == "" {
				parts = []string{s}
			} else {
				parts = strings.Split(s, delim)
			}
			if n < 0 {
				n += int64(len(parts)) + 1
			}
			if n < 1 || n > int64(len(parts)) {
				return str(""), nil
			}
			return str(parts[n-1]), nil
		}})
	register(&Func{Name: "luhn_check", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Bool, anyArg),
		Doc: "luhn_check(s) → BOOLEAN: whether s is a non-empty string of digits that passes the Luhn checksum (card numbers); any other character makes it false",
		Eval: func(a []types.Value) (types.Value, error) {
			ok, err := luhn(ToString(a[0]))
			if err != nil {
				return types.NullValue, err
			}
			return types.BoolValue(ok), nil
		}})
	register(&Func{Name: "instr", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Int, anyArg),
		Doc: "instr(s, sub) → BIGINT: 1-based character position of the first sub in s, 0 if absent",
		Eval: func(a []types.Value) (types.Value, error) {
			return types.IntValue(locate(ToString(a[0]), ToString(a[1]), 1)), nil
		}})
	register(&Func{Name: "locate", MinArgs: 2, MaxArgs: 3, Check: fixed(types.Int, anyArg, anyArg, numArg), NullSafe: true,
		Doc: "locate(sub, s[, pos]) → BIGINT: 1-based position of sub in s searching from pos, 0 if absent or pos < 1",
		Eval: func(a []types.Value) (types.Value, error) {
			pos := int64(1)
			if len(a) > 2 {
				// Spark returns 0, not NULL, for a NULL start position.
				p, err := ToInt(a[2])
				if a[2].K == types.Null || err != nil {
					return types.IntValue(0), nil
				}
				pos = p
			}
			if a[0].K == types.Null || a[1].K == types.Null {
				return types.NullValue, nil
			}
			if pos < 1 {
				return types.IntValue(0), nil
			}
			return types.IntValue(locate(ToString(a[1]), ToString(a[0]), pos)), nil
		}}, "position")
	register(&Func{Name: "repeat", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, anyArg, numArg),
		Doc: "repeat(s, n) → STRING: s repeated n times",
		Eval: func(a []types.Value) (types.Value, error) {
			n, err := ToInt(a[1])
			if err != nil {
				return types.NullValue, nil
			}
			s := ToString(a[0])
			if n <= 0 || s == "" {
				return str(""), nil
			}
			if n > maxResultLen/int64(len(s)) {
				return types.NullValue, fmt.Errorf("%w: repeat result would exceed %d bytes", ErrInvalidArg, maxResultLen)
			}
			return str(strings.Repeat(s, int(n))), nil
		}})
	boolStr := func(name, doc string, fn func(s, t string) bool, aliases ...string) {
		register(&Func{Name: name, MinArgs: 2, MaxArgs: 2, Check: fixed(types.Bool, anyArg), Doc: doc,
			Eval: func(a []types.Value) (types.Value, error) {
				return types.BoolValue(fn(ToString(a[0]), ToString(a[1]))), nil
			}}, aliases...)
	}
	boolStr("startswith", "startswith(s, prefix) → BOOLEAN", strings.HasPrefix, "starts_with")
	boolStr("endswith", "endswith(s, suffix) → BOOLEAN", strings.HasSuffix, "ends_with")
	boolStr("contains", "contains(s, sub) → BOOLEAN", strings.Contains)
	register(&Func{Name: "ascii", MinArgs: 1, MaxArgs: 1, Check: fixed(types.Int, anyArg),
		Doc: "ascii(s) → BIGINT: code point of the first character, 0 for ''",
		Eval: func(a []types.Value) (types.Value, error) {
			r, n := utf8.DecodeRuneInString(ToString(a[0]))
			if n == 0 {
				return types.IntValue(0), nil
			}
			return types.IntValue(int64(r)), nil
		}})
	register(&Func{Name: "chr", MinArgs: 1, MaxArgs: 1, Check: fixed(types.String, numArg),
		Doc: "chr(n) → STRING: the character with code n mod 256; '' for negative n",
		Eval: func(a []types.Value) (types.Value, error) {
			n, err := ToInt(a[0])
			if err != nil {
				return types.NullValue, nil
			}
			if n < 0 {
				return str(""), nil
			}
			return str(string(rune(n & 0xFF))), nil
		}}, "char")
	register(&Func{Name: "format_number", MinArgs: 2, MaxArgs: 2, Check: fixed(types.String, numArg, numArg),
		Doc:  "format_number(x, d) → STRING: x with thousands separators and d decimals (HALF_EVEN); NULL for d < 0",
		Eval: evalFormatNumber})
	register(&Func{Name: "format_string", MinArgs: 1, MaxArgs: -1, Check: fixed(types.String, anyArg), NullSafe: true,
		Doc:  "format_string(fmt, x, …) → STRING: printf-style formatting (%s %d %f %e %g %x %o %c %b %%, flags, width, precision, n$)",
		Eval: evalFormatString}, "printf")
}

func hexDigest(h hash.Hash, s string) string {
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

func reverseString(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// initcap follows Spark: lower-case everything, then title-case the first
// letter and each letter after a space (only ' ' separates words).
func initcap(s string) string {
	r := []rune(strings.ToLower(s))
	for i := range r {
		if i == 0 || r[i-1] == ' ' {
			r[i] = unicode.ToTitle(r[i])
		}
	}
	return string(r)
}

// substringSQL is Spark's UTF8String.substringSQL: 1-based pos, 0 acting as
// 1, negative pos counting from the end, and a window clipped to the string.
func substringSQL(s string, pos, length int64) string {
	start, end := substringBounds(int64(utf8.RuneCountInString(s)), pos, length)
	if start >= end {
		return ""
	}
	return runeSlice(s, start, end)
}

// substringBounds is the [start, end) of SQL's substring(pos, length) in
// a text of n characters (or bytes).
func substringBounds(n, pos, length int64) (int64, int64) {
	var start int64
	switch {
	case pos > 0:
		start = pos - 1
	case pos < 0:
		start = n + pos
	}
	var end int64
	if length > 1<<62-start || start > 1<<62 {
		end = 1 << 62
	} else {
		end = start + length
	}
	start = max(start, 0)
	end = min(end, n)
	return start, end
}

// runeSlice returns characters [from, to) of s.
func runeSlice(s string, from, to int64) string {
	bFrom, bTo := len(s), len(s)
	var i int64
	for b := range s {
		if i == from {
			bFrom = b
		}
		if i == to {
			bTo = b
			break
		}
		i++
	}
	return s[bFrom:bTo]
}

// luhn is Spark's ExpressionImplUtils.isLuhnNumber: from the last digit,
// every second one doubled (less 9 above 9), the sum a multiple of 10.
// Java's Character.isDigit also takes the digits of other scripts; nectar
// refuses those rather than guess their values.
func luhn(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	sum, second := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c >= 0x80 {
			if r, _ := utf8.DecodeLastRuneInString(s[:i+1]); unicode.IsDigit(r) {
				return false, fmt.Errorf("%w: luhn_check: %q has a digit outside 0-9", ErrInvalidArg, s)
			}
			return false, nil
		}
		if c < '0' || c > '9' {
			return false, nil
		}
		d := int(c - '0')
		if second {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		second = !second
	}
	return sum%10 == 0, nil
}

// locate is the 1-based character index of sub in s at or after character
// pos (≥ 1), 0 if absent. An empty sub is found at pos, as in Spark.
func locate(s, sub string, pos int64) int64 {
	if sub == "" {
		return 1
	}
	var i int64
	for b := range s {
		if i+1 >= pos {
			if k := strings.Index(s[b:], sub); k >= 0 {
				return i + 1 + int64(utf8.RuneCountInString(s[b:b+k]))
			}
			return 0
		}
		i++
	}
	return 0
}

// padCheck types lpad and rpad: BINARY when s and pad are.
func padCheck(args []types.Kind) (types.Kind, error) {
	if err := checkArgs(args, anyArg, numArg, anyArg); err != nil {
		return types.Null, err
	}
	if args[0] == types.Binary && (len(args) < 3 || allBinary(args[2])) {
		return types.Binary, nil
	}
	return types.String, nil
}

func pad(a []types.Value, left bool) (types.Value, error) {
	n, err := ToInt(a[1])
	if err != nil {
		return types.NullValue, nil
	}
	if a[0].K == types.Binary && (len(a) < 3 || a[2].K == types.Binary) {
		return padBytes(a, n, left)
	}
	s := ToString(a[0])
	p := " "
	if len(a) > 2 {
		p = ToString(a[2])
	}
	if n <= 0 {
		return str(""), nil
	}
	if n > maxResultLen {
		return types.NullValue, fmt.Errorf("%w: pad length %d exceeds %d", ErrInvalidArg, n, maxResultLen)
	}
	have := int64(utf8.RuneCountInString(s))
	if have >= n {
		return str(runeSlice(s, 0, n)), nil
	}
	if p == "" {
		return str(s), nil
	}
	need := n - have
	pr := []rune(p)
	fill := make([]rune, need)
	for i := range fill {
		fill[i] = pr[i%len(pr)]
	}
	if left {
		return str(string(fill) + s), nil
	}
	return str(s + string(fill)), nil
}

// concatCheck: concat joins strings, or, when every argument is an ARRAY
// (or NULL), arrays, as Spark's concat does.
func concatCheck(args []types.Kind) (types.Kind, error) {
	elem, arrays := types.Null, 0
	for _, k := range args {
		if k.IsArray() {
			arrays++
			elem = types.Widen(elem, k.Elem())
		}
	}
	if arrays == 0 {
		if allBinary(args...) {
			return types.Binary, nil
		}
		return fixed(types.String, anyArg)(args)
	}
	for i, k := range args {
		if k != types.Null && !k.IsArray() {
			return types.Null, &ArgTypeError{Arg: i + 1, Want: "an ARRAY, as the other arguments are", Got: k}
		}
	}
	return types.ArrayOf(elem), nil
}

// concatArrays is concat of ARRAYs (none NULL: concat is not NullSafe).
func concatArrays(a []types.Value) (types.Value, error) {
	var parts []types.Value
	k := types.Null
	for _, v := range a {
		var err error
		if parts, err = types.Parts(parts, v); err != nil {
			return types.NullValue, err
		}
		k = types.Widen(k, v.K.Elem())
	}
	for i, p := range parts {
		parts[i] = castTo(p, k)
	}
	return types.ArrayValue(types.ArrayOf(k), parts), nil
}

// padBytes is lpad and rpad of BINARY: by bytes, with X'00' by default.
func padBytes(a []types.Value, n int64, left bool) (types.Value, error) {
	s, p := a[0].S, "\x00"
	if len(a) > 2 {
		p = a[2].S
	}
	if n <= 0 {
		return bin(nil), nil
	}
	if n > maxResultLen {
		return types.NullValue, fmt.Errorf("%w: pad length %d exceeds %d", ErrInvalidArg, n, maxResultLen)
	}
	if int64(len(s)) >= n {
		return bin([]byte(s[:n])), nil
	}
	if p == "" {
		return bin([]byte(s)), nil
	}
	fill := make([]byte, n-int64(len(s)))
	for i := range fill {
		fill[i] = p[i%len(p)]
	}
	if left {
		return bin(append(fill, s...)), nil
	}
	return bin(append([]byte(s), fill...)), nil
}
