package output

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

// JSONRow appends row as one JSON object, keys in column order, without a
// trailing newline. BIGINT prints as an integer, DOUBLE via
// types.FormatFloat (so 2.0 keeps its ".0", and NaN and ±Infinity become
// the strings "NaN", "Infinity", "-Infinity"), TIMESTAMP and DATE as ISO
// strings, NULL as null. The conformance corpus compares this exact text.
func JSONRow(dst []byte, schema types.Schema, row []types.Value) []byte {
	dst = append(dst, '{')
	for j, c := range schema {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, c.Name)
		dst = append(dst, ':')
		dst = appendJSONValue(dst, row[j])
	}
	return append(dst, '}')
}

func appendJSONValue(dst []byte, v types.Value) []byte {
	switch v.K {
	case types.Null:
		return append(dst, "null"...)
	case types.Bool:
		return strconv.AppendBool(dst, v.I != 0)
	case types.Int:
		return strconv.AppendInt(dst, v.I, 10)
	case types.Float:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return appendJSONString(dst, types.FormatFloat(v.F))
		}
		return appendFloat(dst, v.F)
	case types.String:
		return appendJSONString(dst, v.S)
	case types.Timestamp:
		// AppendFormat rather than v.String(): no allocation per row.
		dst = append(dst, '"')
		dst = v.Time().AppendFormat(dst, types.TimestampLayout)
		return append(dst, '"')
	case types.Date:
		dst = append(dst, '"')
		dst = v.Time().AppendFormat(dst, types.DateLayout)
		return append(dst, '"')
	}
	return appendJSONString(dst, v.String())
}

// appendFloat appends types.FormatFloat(f) for finite f, without the
// intermediate string in the common range where that is plain decimal
// notation; other values go through FormatFloat itself. FuzzAppendFloat
// keeps the two equal.
func appendFloat(dst []byte, f float64) []byte {
	if a := math.Abs(f); a != 0 && (a >= 1e15 || a < 1e-4) {
		return append(dst, types.FormatFloat(f)...)
	}
	if f == math.Trunc(f) {
		return strconv.AppendFloat(dst, f, 'f', 1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// appendJSONString quotes s as JSON. Unlike encoding/json it leaves <, >
// and & as they are (the output is data, not HTML) but, like it, escapes
// U+2028 and U+2029 (JavaScript line terminators) and replaces invalid
// UTF-8 with U+FFFD so every line is valid JSON.
func appendJSONString(dst []byte, s string) []byte {
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

type jsonWriter struct {
	w      *bufio.Writer
	schema types.Schema
	row    []types.Value
	buf    []byte
}

func newJSONWriter(w io.Writer, schema types.Schema) *jsonWriter {
	return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), schema: schema}
}

func (j *jsonWriter) Write(b *types.Batch) error {
	if err := checkBatch(b, j.schema); err != nil {
		return err
	}
	for i := 0; i < b.Len; i++ {
		j.row = b.Row(j.row[:0], i)
		j.buf = JSONRow(j.buf[:0], j.schema, j.row)
		j.buf = append(j.buf, '\n')
		if _, err := j.w.Write(j.buf); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
	}
	return nil
}

func (j *jsonWriter) Close() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
