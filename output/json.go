package output

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"strconv"

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
		dst = types.AppendJSONString(dst, c.Name)
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
			return types.AppendJSONString(dst, types.FormatFloat(v.F))
		}
		return appendFloat(dst, v.F)
	case types.String:
		return types.AppendJSONString(dst, v.S)
	case types.Binary:
		// Base64, as Spark's JSON writer writes BINARY.
		return types.AppendJSONString(dst, base64.StdEncoding.EncodeToString([]byte(v.S)))
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
	if v.K.IsNested() {
		return types.AppendJSON(dst, v, false)
	}
	return types.AppendJSONString(dst, v.String())
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
