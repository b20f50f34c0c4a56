package parquetfile

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/nectar-dev/nectar/types"
)

// binaryLike is what String, LargeString, Binary and LargeBinary share.
type binaryLike interface {
	ValueLen(int) int
	ValueBytes() []byte
	ValueOffset64(int) int64
}

// appendColumn converts rows [off, off+n) of column c of rec onto v.
func appendColumn(v *types.Vector, rec arrow.RecordBatch, c column, off, n int) error {
	var parentBuf [4]*array.Struct
	arr, parents := leafArray(rec, c, parentBuf[:0])
	// Extension types that read as text (UUID, JSON) print their own
	// form; the rest are read through their storage.
	var extText arrow.Array
	if ext, ok := arr.(array.ExtensionArray); ok {
		if c.kind == types.String && !c.json {
			extText = arr
		}
		arr = ext.Storage()
	}
	null := func(i int) bool {
		if arr.IsNull(i) {
			return true
		}
		for _, p := range parents {
			if p.IsNull(i) {
				return true
			}
		}
		return false
	}
	end := off + n
	if c.kind.IsNested() {
		var nr nestedReader
		for i := off; i < end; i++ {
			if null(i) {
				v.AppendNull()
				continue
			}
			x, err := nr.value(arr, i, c.kind, 0)
			if err != nil {
				return err
			}
			v.Append(x)
		}
		return nil
	}
	if c.json {
		var buf []byte
		for i := off; i < end; i++ {
			if null(i) {
				v.AppendNull()
				continue
			}
			buf = appendJSON(buf[:0], arr, i)
			v.Append(types.StringValue(string(buf)))
		}
		return nil
	}
	switch c.kind {
	case types.Null:
		for range n {
			v.AppendNull()
		}
		return nil
	case types.String:
		if extText != nil {
			for i := off; i < end; i++ {
				if null(i) {
					v.AppendNull()
					continue
				}
				v.Append(types.StringValue(extText.ValueStr(i)))
			}
			return nil
		}
		if d, ok := arr.(*array.Dictionary); ok {
			// Each dictionary value becomes one string, shared by its rows.
			words, ok := d.Dictionary().(binaryLike)
			if !ok {
				return fmt.Errorf("dictionary of %s, want strings", d.Dictionary().DataType())
			}
			strs := make([]string, d.Dictionary().Len())
			for i := range strs {
				if words.ValueLen(i) > 0 {
					o := words.ValueOffset64(i) - words.ValueOffset64(0)
					strs[i] = string(words.ValueBytes()[o : o+int64(words.ValueLen(i))])
				}
			}
			mayBeNull := arr.NullN() > 0 || len(parents) > 0
			for i := off; i < end; i++ {
				if mayBeNull && null(i) {
					v.AppendNull()
					continue
				}
				v.Nulls = append(v.Nulls, false)
				v.S = append(v.S, strs[d.GetValueIndex(i)])
			}
			return nil
		}
		if a, ok := arr.(binaryLike); ok && n > 0 {
			// One copy of the batch's bytes, sliced per row: the strings
			// outlive the Arrow buffers without an allocation per row.
			first := a.ValueOffset64(off)
			last := a.ValueOffset64(end-1) + int64(a.ValueLen(end-1))
			base := a.ValueOffset64(0)
			whole := string(a.ValueBytes()[first-base : last-base])
			for i := off; i < end; i++ {
				if null(i) {
					v.AppendNull()
					continue
				}
				s := a.ValueOffset64(i) - first
				v.Append(types.StringValue(whole[s : s+int64(a.ValueLen(i))]))
			}
			return nil
		}
		for i := off; i < end; i++ {
			if null(i) {
				v.AppendNull()
				continue
			}
			v.Append(types.StringValue(valueText(arr, i)))
		}
		return nil
	}
	get, err := scalarGetter(arr)
	if err != nil {
		return err
	}
	for i := off; i < end; i++ {
		if null(i) {
			v.AppendNull()
			continue
		}
		v.Append(get(i))
	}
	return nil
}

// scalarGetter returns a function reading row i of a non-string scalar
// array as a Value.
func scalarGetter(arr arrow.Array) (func(int) types.Value, error) {
	switch a := arr.(type) {
	case *array.Boolean:
		return func(i int) types.Value { return types.BoolValue(a.Value(i)) }, nil
	case *array.Int8:
		return func(i int) types.Value { return types.IntValue(int64(a.Value(i))) }, nil
	case *array.Int16:
		return func(i int) types.Value { return types.IntValue(int64(a.Value(i))) }, nil
	case *array.Int32:
		return func(i int) types.Value { return types.IntValue(int64(a.Value(i))) }, nil
	case *array.Int64:
		return func(i int) types.Value { return types.IntValue(a.Value(i)) }, nil
	case *array.Uint8:
		return func(i int) types.Value { return types.IntValue(int64(a.Value(i))) }, nil
	case *array.Uint16:
		return func(i int) types.Value { return types.IntValue(int64(a.Value(i))) }, nil
	case *array.Uint32:
		return func(i int) types.Value { return types.IntValue(int64(a.Value(i))) }, nil
	case *array.Uint64:
		// Values above MaxInt64 wrap; BIGINT has no room for them.
		return func(i int) types.Value { return types.IntValue(int64(a.Value(i))) }, nil
	case *array.Float16:
		return func(i int) types.Value { return types.FloatValue(float64(a.Value(i).Float32())) }, nil
	case *array.Float32:
		return func(i int) types.Value { return types.FloatValue(float64(a.Value(i))) }, nil
	case *array.Float64:
		return func(i int) types.Value { return types.FloatValue(a.Value(i)) }, nil
	case *array.Decimal32:
		sc := a.DataType().(*arrow.Decimal32Type).Scale
		return func(i int) types.Value { return types.FloatValue(scaledFloat(int64(a.Value(i)), sc)) }, nil
	case *array.Decimal64:
		sc := a.DataType().(*arrow.Decimal64Type).Scale
		return func(i int) types.Value { return types.FloatValue(scaledFloat(int64(a.Value(i)), sc)) }, nil
	case *array.Decimal128:
		sc := a.DataType().(*arrow.Decimal128Type).Scale
		return func(i int) types.Value {
			n := a.Value(i)
			if lo := int64(n.LowBits()); n.HighBits() == lo>>63 {
				return types.FloatValue(scaledFloat(lo, sc))
			}
			return types.FloatValue(parseDecimal(n.ToString(sc), n.ToFloat64(sc)))
		}, nil
	case *array.Decimal256:
		sc := a.DataType().(*arrow.Decimal256Type).Scale
		return func(i int) types.Value {
			n := a.Value(i)
			return types.FloatValue(parseDecimal(n.ToString(sc), n.ToFloat64(sc)))
		}, nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(i int) types.Value {
			return types.Value{K: types.Timestamp, I: toMicros(int64(a.Value(i)), unit)}
		}, nil
	case *array.Date32:
		return func(i int) types.Value { return types.DateValue(int64(a.Value(i))) }, nil
	case *array.Date64:
		return func(i int) types.Value { return types.DateValue(floorDiv(int64(a.Value(i)), 86400000)) }, nil
	}
	return nil, fmt.Errorf("unsupported arrow type %s", arr.DataType())
}

// scaledFloat is unscaled·10^-scale rounded once, so DECIMAL 19.99 reads as
// the double 19.99 (arrow's ToFloat64 multiplies by a rounded power of ten
// and can land one ulp off).
func scaledFloat(unscaled int64, scale int32) float64 {
	if scale >= 0 && scale < int32(len(pow10)) && unscaled <= 1<<53 && unscaled >= -(1<<53) {
		// Both operands are exact doubles, so IEEE division rounds once.
		return float64(unscaled) / pow10[scale]
	}
	return parseDecimal(strconv.FormatInt(unscaled, 10)+"e"+strconv.Itoa(int(-scale)), math.NaN())
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func parseDecimal(s string, fallback float64) float64 {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return fallback
}

func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return floorDiv(v, 1e3)
	}
	return v
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// valueText is the text of a value with no nectar kind of its own (time of
// day, interval, view types).
func valueText(arr arrow.Array, i int) string {
	return rawString(arr, i)
}

// rawString is a text or binary value's bytes as a string; Arrow's ValueStr
// would base64 binary, but Parquet files often carry text in un-annotated
// BYTE_ARRAY columns.
func rawString(arr arrow.Array, i int) string {
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.StringView:
		return a.Value(i)
	case *array.Binary:
		return string(a.Value(i))
	case *array.LargeBinary:
		return string(a.Value(i))
	case *array.BinaryView:
		return string(a.Value(i))
	case *array.FixedSizeBinary:
		return string(a.Value(i))
	}
	return arr.ValueStr(i)
}

// appendJSON renders row i of arr as JSON the way nectar's JSON output
// renders values: timestamps as ISO strings, NaN and infinities as strings,
// maps as objects.
func appendJSON(dst []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(dst, "null"...)
	}
	if ext, ok := arr.(array.ExtensionArray); ok {
		if k, js := kindOf(ext.DataType()); k == types.String && !js {
			return types.AppendJSONString(dst, arr.ValueStr(i))
		}
		return appendJSON(dst, ext.Storage(), i)
	}
	switch a := arr.(type) {
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		dst = append(dst, '{')
		for j := 0; j < a.NumField(); j++ {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = types.AppendJSONString(dst, st.Field(j).Name)
			dst = append(dst, ':')
			dst = appendJSON(dst, a.Field(j), i)
		}
		return append(dst, '}')
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		dst = append(dst, '{')
		for k := start; k < end; k++ {
			if k > start {
				dst = append(dst, ',')
			}
			if _, ok := keys.(binaryLike); ok {
				dst = types.AppendJSONString(dst, rawString(keys, int(k)))
			} else {
				// JSON keys are strings: quote the key's own JSON text.
				dst = types.AppendJSONString(dst, string(appendJSON(nil, keys, int(k))))
			}
			dst = append(dst, ':')
			dst = appendJSON(dst, items, int(k))
		}
		return append(dst, '}')
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		dst = append(dst, '[')
		for k := start; k < end; k++ {
			if k > start {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, vals, int(k))
		}
		return append(dst, ']')
	case *array.String, *array.LargeString, *array.Binary, *array.LargeBinary, *array.StringView, *array.BinaryView, *array.FixedSizeBinary:
		return types.AppendJSONString(dst, rawString(arr, i))
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i))
	}
	if get, err := scalarGetter(arr); err == nil {
		v := get(i)
		switch v.K {
		case types.Int:
			return strconv.AppendInt(dst, v.I, 10)
		case types.Float:
			if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
				return types.AppendJSONString(dst, types.FormatFloat(v.F))
			}
			return append(dst, types.FormatFloat(v.F)...)
		default:
			return types.AppendJSONString(dst, v.String())
		}
	}
	if b, err := json.Marshal(arr.GetOneForMarshal(i)); err == nil {
		return append(dst, b...)
	}
	return types.AppendJSONString(dst, arr.ValueStr(i))
}
