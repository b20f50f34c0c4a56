package spark

import (
	"context"
	"fmt"

	st "github.com/apache/spark-connect-go/spark/sql/types"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/types"
)

// Leaf is one scalar column of a result's schema with nested structs
// flattened: Path is nectar's path text (properties.recommender.variant).
type Leaf struct {
	Path string
	Kind types.Kind
}

// Leaves returns the flattened schema of q without running it. Arrays and
// maps are leaves of their nested kinds, as nectar reads them.
func (s *Session) Leaves(ctx context.Context, q string) ([]Leaf, error) {
	df, err := s.s.Sql(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("spark: %w", err)
	}
	schema, err := df.Schema(ctx)
	if err != nil {
		return nil, fmt.Errorf("spark: schema: %w", err)
	}
	var out []Leaf
	flatten(nil, *schema, &out)
	return out, nil
}

func flatten(prefix jsonpath.Path, t st.StructType, out *[]Leaf) {
	for _, f := range t.Fields {
		p := append(append(jsonpath.Path{}, prefix...), jsonpath.Step{Key: f.Name})
		if sub, ok := f.DataType.(st.StructType); ok && len(sub.Fields) > 0 {
			flatten(p, sub, out)
			continue
		}
		*out = append(*out, Leaf{Path: p.String(), Kind: KindOf(f.DataType)})
	}
}

// KindOf maps a Spark type to the nectar kind that holds its values.
func KindOf(t st.DataType) types.Kind {
	switch t := t.(type) {
	case st.BooleanType:
		return types.Bool
	case st.ByteType, st.ShortType, st.IntegerType, st.LongType:
		return types.Int
	case st.FloatType, st.DoubleType, st.DecimalType:
		return types.Float
	case st.DateType:
		return types.Date
	case st.TimestampType, st.TimestampNtzType:
		return types.Timestamp
	case st.ArrayType:
		return types.ArrayOf(KindOf(t.ElementType))
	case st.MapType:
		return types.MapOf(KindOf(t.KeyType), KindOf(t.ValueType))
	case st.StructType:
		fields := make([]types.Field, len(t.Fields))
		for i, f := range t.Fields {
			fields[i] = types.Field{Name: f.Name, Kind: KindOf(f.DataType)}
		}
		return types.StructOf(fields...)
	}
	return types.String
}
