package types

import (
	"encoding/base64"
	"math"
	"unicode/utf8"
)

// AppendJSONString quotes s as a JSON string. Unlike encoding/json it leaves <, >
// and & as they are (the output is data, not HTML) but, like it, escapes
// U+2028 and U+2029 (JavaScript line terminators) and replaces invalid
// UTF-8 with U+FFFD so every line is valid JSON.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendJSON appends v as JSON: numbers as numbers (a DOUBLE as
// FormatFloat prints it; NaN and ±Infinity, which JSON lacks, as the
// strings "NaN", "Infinity" and "-Infinity"), strings, timestamps and
// dates as strings in nectar's layouts, NULL as null, arrays as arrays,
// structs as objects keyed by field name and maps as objects keyed by the
// keys' text, as Spark's JSON writer shows them. omitNullFields leaves out
// a struct's NULL fields, as Spark's to_json and JSON files do
// (ignoreNullFields); nectar's JSON output keeps them, as it keeps a
// row's NULL columns.
func AppendJSON(dst []byte, v Value, omitNullFields bool) []byte {
	switch v.K {
	case Null:
		return append(dst, "null"...)
	case Bool, Int:
		return append(dst, v.String()...)
	case Float:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return AppendJSONString(dst, FormatFloat(v.F))
		}
		return append(dst, FormatFloat(v.F)...)
	case String, Timestamp, Date:
		return AppendJSONString(dst, v.String())
	case Binary:
		// Base64, as Spark's JSON writer (to_json) writes BINARY.
		return AppendJSONString(dst, base64.StdEncoding.EncodeToString([]byte(v.S)))
	}
	in := info(v.K)
	if in == nil {
		return AppendJSONString(dst, v.String())
	}
	it := Iter(v)
	switch in.class {
	case classArray:
		dst = append(dst, '[')
		for j := 0; ; j++ {
			x, ok := it.Next()
			if !ok {
				break
			}
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSON(dst, x, omitNullFields)
		}
		return append(dst, ']')
	case classMap:
		dst = append(dst, '{')
		for j := 0; ; j++ {
			key, ok := it.Next()
			if !ok {
				break
			}
			val, _ := it.Next()
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, key.String())
			dst = append(dst, ':')
			dst = AppendJSON(dst, val, omitNullFields)
		}
		return append(dst, '}')
	}
	dst = append(dst, '{')
	first := true
	for j := 0; ; j++ {
		x, ok := it.Next()
		if !ok {
			break
		}
		if x.K == Null && omitNullFields {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendJSONString(dst, in.fields[j].Name)
		dst = append(dst, ':')
		dst = AppendJSON(dst, x, omitNullFields)
	}
	return append(dst, '}')
}
