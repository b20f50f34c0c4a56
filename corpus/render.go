package corpus

import (
	"strconv"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// Result is what a Harness returns: the last statement's columns and rows.
type Result struct {
	Schema types.Schema
	Rows   [][]types.Value
}

// Render turns r into the canonical lines the corpus stores: one JSON object
// per row, keys in column order, values as nectar's JSON output prints them.
// The one buffer is reused across rows so rendering large results stays
// cheap.
func Render(r *Result) []string {
	lines := make([]string, 0, len(r.Rows))
	var buf []byte
	for _, row := range r.Rows {
		buf = AppendRow(buf[:0], r.Schema, row)
		lines = append(lines, string(buf))
	}
	return lines
}

// AppendRow appends row as one JSON object. Numbers follow the value model:
// BIGINT as an integer, DOUBLE via types.FormatFloat (always with a fraction
// or exponent, so the two never look alike); TIMESTAMP and DATE as quoted
// ISO text. NaN and ±Infinity, which JSON cannot hold, are quoted.
func AppendRow(dst []byte, schema types.Schema, row []types.Value) []byte {
	dst = append(dst, '{')
	for i, v := range row {
		if i > 0 {
			dst = append(dst, ',')
		}
		name := ""
		if i < len(schema) {
			name = schema[i].Name
		}
		dst = appendString(dst, name)
		dst = append(dst, ':')
		dst = AppendValue(dst, v)
	}
	return append(dst, '}')
}

// AppendValue appends one value as JSON.
func AppendValue(dst []byte, v types.Value) []byte {
	switch v.K {
	case types.Null:
		return append(dst, "null"...)
	case types.Bool:
		return strconv.AppendBool(dst, v.I != 0)
	case types.Int:
		return strconv.AppendInt(dst, v.I, 10)
	case types.Float:
		s := types.FormatFloat(v.F)
		switch s {
		case "NaN", "Infinity", "-Infinity":
			return appendString(dst, s)
		}
		return append(dst, s...)
	case types.String:
		return appendString(dst, v.S)
	default: // Timestamp, Date
		return appendString(dst, v.String())
	}
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as JSON without HTML escaping (Spark and nectar
// print '<' and '&' as is), keeping non-ASCII UTF-8 unescaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
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
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
