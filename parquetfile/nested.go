package parquetfile

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/nectar-dev/nectar/types"
)

// ARRAY, MAP and STRUCT between nectar and Arrow: an ARRAY is an Arrow
// list, a MAP an Arrow map, a STRUCT an Arrow struct, part by part, so a
// Parquet file holds them as real nested columns (LIST, MAP and groups)
// that Spark, DuckDB and pandas read as such.

// nestedArrowType is the Arrow type of a nested kind.
func nestedArrowType(k types.Kind) arrow.DataType {
	switch {
	case k.IsArray():
		return arrow.ListOf(arrowType(k.Elem()))
	case k.IsMap():
		return arrow.MapOf(arrowType(k.MapKey()), arrowType(k.MapValue()))
	}
	fs := k.Fields()
	fields := make([]arrow.Field, len(fs))
	for i, f := range fs {
		fields[i] = arrow.Field{Name: f.Name, Type: arrowType(f.Kind), Nullable: true}
	}
	return arrow.StructOf(fields...)
}

// appendNestedVector appends n rows of a nested vector to its builder.
func appendNestedVector(bl array.Builder, k types.Kind, v *types.Vector, n int) error {
	for i := 0; i < n; i++ {
		if err := appendValue(bl, k, v.Get(i)); err != nil {
			return err
		}
	}
	return nil
}

// appendValue appends one value of kind k (or NULL) to a builder of
// arrowType(k).
func appendValue(bl array.Builder, k types.Kind, v types.Value) error {
	if v.IsNull() || k == types.Null {
		bl.AppendNull()
		return nil
	}
	switch b := bl.(type) {
	case *array.BooleanBuilder:
		b.Append(v.I != 0)
	case *array.Int64Builder:
		b.Append(v.I)
	case *array.Float64Builder:
		b.Append(v.AsFloat())
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.I))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.I))
	case *array.StringBuilder:
		if v.K.IsInterval() {
			b.Append(v.String())
		} else {
			b.Append(v.S)
		}
	case *array.BinaryBuilder:
		b.Append([]byte(v.S))
	case *array.ListBuilder:
		b.Append(true)
		it := types.Iter(v)
		for {
			x, ok := it.Next()
			if !ok {
				break
			}
			if err := appendValue(b.ValueBuilder(), k.Elem(), x); err != nil {
				return err
			}
		}
		return it.Err()
	case *array.MapBuilder:
		b.Append(true)
		it := types.Iter(v)
		for {
			key, ok := it.Next()
			if !ok {
				break
			}
			val, _ := it.Next()
			if err := appendValue(b.KeyBuilder(), k.MapKey(), key); err != nil {
				return err
			}
			if err := appendValue(b.ItemBuilder(), k.MapValue(), val); err != nil {
				return err
			}
		}
		return it.Err()
	case *array.StructBuilder:
		b.Append(true)
		it := types.Iter(v)
		for j, f := range k.Fields() {
			x, _ := it.Next()
			if err := appendValue(b.FieldBuilder(j), f.Kind, x); err != nil {
				return err
			}
		}
		return it.Err()
	default:
		return fmt.Errorf("no builder for kind %s", k)
	}
	return nil
}

// nestedKindOf maps an Arrow list, map or struct type to the nested kind
// it reads as; parts with no kind of their own read as text, as columns
// of those types do.
func nestedKindOf(t arrow.DataType) (types.Kind, bool) {
	if ext, ok := t.(arrow.ExtensionType); ok {
		return nestedKindOf(ext.StorageType())
	}
	switch tt := t.(type) {
	case *arrow.ListType:
		return types.ArrayOf(partKind(tt.Elem())), true
	case *arrow.LargeListType:
		return types.ArrayOf(partKind(tt.Elem())), true
	case *arrow.FixedSizeListType:
		return types.ArrayOf(partKind(tt.Elem())), true
	case *arrow.MapType:
		return types.MapOf(partKind(tt.KeyType()), partKind(tt.ItemType())), true
	case *arrow.StructType:
		fields := make([]types.Field, tt.NumFields())
		for i, f := range tt.Fields() {
			fields[i] = types.Field{Name: f.Name, Kind: partKind(f.Type)}
		}
		return types.StructOf(fields...), true
	}
	return types.Null, false
}

// partKind is the kind a part of a nested Arrow value reads as.
func partKind(t arrow.DataType) types.Kind {
	if k, ok := nestedKindOf(t); ok {
		return k
	}
	k, _ := kindOf(t)
	return k
}

// nestedReader converts rows of nested Arrow arrays to nested values.
type nestedReader struct {
	parts [][]types.Value // per depth, reused
}

// value reads row i of arr (not NULL) as a value of kind k.
func (r *nestedReader) value(arr arrow.Array, i int, k types.Kind, depth int) (types.Value, error) {
	if arr.IsNull(i) {
		return types.NullValue, nil
	}
	if ext, ok := arr.(array.ExtensionArray); ok {
		if !k.IsNested() && k == types.String {
			return types.StringValue(arr.ValueStr(i)), nil
		}
		arr = ext.Storage()
	}
	if d, ok := arr.(*array.Dictionary); ok {
		return r.value(d.Dictionary(), d.GetValueIndex(i), k, depth)
	}
	if !k.IsNested() {
		switch k {
		case types.String:
			return types.StringValue(rawString(arr, i)), nil
		case types.Null:
			return types.NullValue, nil
		}
		get, err := scalarGetter(arr)
		if err != nil {
			return types.StringValue(valueText(arr, i)), nil
		}
		return get(i), nil
	}
	for len(r.parts) <= depth {
		r.parts = append(r.parts, nil)
	}
	parts := r.parts[depth][:0]
	defer func() { r.parts[depth] = parts[:0] }()
	add := func(a arrow.Array, j int, pk types.Kind) error {
		x, err := r.value(a, j, pk, depth+1)
		parts = append(parts, x)
		return err
	}
	switch a := arr.(type) {
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		var ks, vs []types.Value
		for j := start; j < end; j++ {
			kv, err := r.value(keys, int(j), k.MapKey(), depth+1)
			if err != nil {
				return types.NullValue, err
			}
			vv, err := r.value(items, int(j), k.MapValue(), depth+1)
			if err != nil {
				return types.NullValue, err
			}
			ks, vs = append(ks, kv), append(vs, vv)
		}
		return types.MapValue(k, ks, vs), nil
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		for j := start; j < end; j++ {
			if err := add(vals, int(j), k.Elem()); err != nil {
				return types.NullValue, err
			}
		}
		return types.ArrayValue(k, parts), nil
	case *array.Struct:
		for j, f := range k.Fields() {
			if err := add(a.Field(j), i, f.Kind); err != nil {
				return types.NullValue, err
			}
		}
		return types.StructValue(k, parts), nil
	}
	return types.NullValue, fmt.Errorf("arrow %s does not read as %s", arr.DataType(), k)
}
