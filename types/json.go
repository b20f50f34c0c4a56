package types

import (
	"encoding/base64"
	"math"
	"strings"
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
			dst = AppendJSONString(dst, jsonKey(key))
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

// jsonKey is a map key as Spark's JSON writer names it: its text, and a
// struct's fields' texts as [a,b] (the catalyst row's toString, as
// to_json(map(named_struct('a', 1, 'b', 2), …)) gives {"[1,2]":…}).
// JSONKeyWritable says which keys have such a name.
func jsonKey(key Value) string {
	if !key.K.IsStruct() {
		return key.String()
	}
	var b strings.Builder
	b.WriteByte('[')
	it := Iter(key)
	for j := 0; ; j++ {
		x, ok := it.Next()
		if !ok {
			break
		}
		if j > 0 {
			b.WriteByte(',')
		}
		if x.IsNull() {
			b.WriteString("null")
		} else {
			b.WriteString(x.String())
		}
	}
	b.WriteByte(']')
	return b.String()
}

// JSONKeyWritable reports whether every map inside k has keys jsonKey
// names as Spark does: scalars, or structs of scalars. Spark names an
// ARRAY or MAP key, or a struct holding one, by its internal object.
func JSONKeyWritable(k Kind) bool {
	switch {
	case k.IsArray():
		return JSONKeyWritable(k.Elem())
	case k.IsMap():
		key := k.MapKey()
		if key.IsArray() || key.IsMap() {
			return false
		}
		if key.IsStruct() {
			for _, f := range key.Fields() {
				if f.Kind.IsNested() {
					return false
				}
			}
		}
		return JSONKeyWritable(k.MapValue())
	case k.IsStruct():
		for _, f := range k.Fields() {
			if !JSONKeyWritable(f.Kind) {
				return false
			}
		}
	}
	return true
}
