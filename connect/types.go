package connect

import (
	"encoding/json"
	"fmt"
	"strings"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/types"
)

// dataType is a nectar kind as Spark Connect's DataType. nectar computes
// integers as BIGINT and decimals as DOUBLE, so those are the types
// clients see (Spark says INT for a literal 1, nectar BIGINT).
func dataType(k types.Kind) *pb.DataType {
	switch k {
	case types.Bool:
		return &pb.DataType{Kind: &pb.DataType_Boolean_{Boolean: &pb.DataType_Boolean{}}}
	case types.Int:
		return &pb.DataType{Kind: &pb.DataType_Long_{Long: &pb.DataType_Long{}}}
	case types.Float:
		return &pb.DataType{Kind: &pb.DataType_Double_{Double: &pb.DataType_Double{}}}
	case types.Timestamp:
		return &pb.DataType{Kind: &pb.DataType_Timestamp_{Timestamp: &pb.DataType_Timestamp{}}}
	case types.Date:
		return &pb.DataType{Kind: &pb.DataType_Date_{Date: &pb.DataType_Date{}}}
	case types.Binary:
		return &pb.DataType{Kind: &pb.DataType_Binary_{Binary: &pb.DataType_Binary{}}}
	case types.Null:
		// parquetfile.Records sends a VOID column as Arrow strings (all
		// NULL), so the schema says STRING too: pyspark converts the
		// Arrow column by the schema's type.
		return &pb.DataType{Kind: &pb.DataType_String_{String_: &pb.DataType_String{}}}
	}
	// Nested kinds travel as Arrow LIST, MAP and STRUCT columns
	// (parquetfile.Records), so the schema names the same types.
	switch {
	case k.IsArray():
		return &pb.DataType{Kind: &pb.DataType_Array_{Array: &pb.DataType_Array{ElementType: dataType(k.Elem()), ContainsNull: true}}}
	case k.IsMap():
		return &pb.DataType{Kind: &pb.DataType_Map_{Map: &pb.DataType_Map{KeyType: dataType(k.MapKey()), ValueType: dataType(k.MapValue()), ValueContainsNull: true}}}
	case k.IsStruct():
		fields := make([]*pb.DataType_StructField, len(k.Fields()))
		for i, f := range k.Fields() {
			fields[i] = &pb.DataType_StructField{Name: f.Name, DataType: dataType(f.Kind), Nullable: true}
		}
		return &pb.DataType{Kind: &pb.DataType_Struct_{Struct: &pb.DataType_Struct{Fields: fields}}}
	}
	return &pb.DataType{Kind: &pb.DataType_String_{String_: &pb.DataType_String{}}}
}

// structType is a schema as Spark's StructType; every column is nullable.
func structType(s types.Schema) *pb.DataType {
	fields := make([]*pb.DataType_StructField, len(s))
	for i, c := range s {
		fields[i] = &pb.DataType_StructField{Name: c.Name, DataType: dataType(c.Kind), Nullable: true}
	}
	return &pb.DataType{Kind: &pb.DataType_Struct_{Struct: &pb.DataType_Struct{Fields: fields}}}
}

// kindOf reads a client's DataType (a cast's target, a typed NULL).
func kindOf(dt *pb.DataType) (types.Type, error) {
	switch k := dt.GetKind().(type) {
	case *pb.DataType_Null:
		return types.Type{Kind: types.Null}, nil
	case *pb.DataType_Boolean_:
		return types.Type{Kind: types.Bool}, nil
	case *pb.DataType_Byte_:
		return types.Type{Kind: types.Int, Bits: 8}, nil
	case *pb.DataType_Short_:
		return types.Type{Kind: types.Int, Bits: 16}, nil
	case *pb.DataType_Integer_:
		return types.Type{Kind: types.Int, Bits: 32}, nil
	case *pb.DataType_Long_:
		return types.Type{Kind: types.Int}, nil
	case *pb.DataType_Float_, *pb.DataType_Double_, *pb.DataType_Decimal_:
		return types.Type{Kind: types.Float}, nil
	case *pb.DataType_String_, *pb.DataType_Char_, *pb.DataType_VarChar_:
		return types.Type{Kind: types.String}, nil
	case *pb.DataType_Date_:
		return types.Type{Kind: types.Date}, nil
	case *pb.DataType_Timestamp_, *pb.DataType_TimestampNtz:
		return types.Type{Kind: types.Timestamp}, nil
	case *pb.DataType_Unparsed_:
		t, ok := types.ParseType(strings.TrimSpace(k.Unparsed.GetDataTypeString()))
		if !ok {
			return types.Type{}, unsupported("type %q", k.Unparsed.GetDataTypeString())
		}
		return t, nil
	case nil:
		return types.Type{}, invalid("a data type with no kind")
	}
	return types.Type{}, unsupported("type %s (nectar has BOOLEAN, BIGINT, DOUBLE, STRING, DATE and TIMESTAMP)", typeName(dt))
}

// typeName names a DataType's kind for messages: "array", "map", ….
func typeName(dt *pb.DataType) string {
	name := fmt.Sprintf("%T", dt.GetKind())
	name = strings.TrimPrefix(name, "*sparkpb.DataType_")
	return strings.ToLower(strings.TrimSuffix(name, "_"))
}

// simpleTypeName is a Spark type name as DDL and JSON schemas write it.
func simpleTypeName(name string) (types.Kind, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if i := strings.IndexByte(n, '('); i > 0 { // decimal(10,2), varchar(5)
		n = n[:i]
	}
	switch n {
	case "long", "integer", "short", "byte":
		return types.Int, nil
	case "float":
		return types.Float, nil
	case "void", "null":
		return types.Null, nil
	}
	k, ok := types.ParseKind(n)
	if !ok {
		return types.Null, unsupported("type %q (nectar has BOOLEAN, BIGINT, DOUBLE, STRING, DATE and TIMESTAMP)", name)
	}
	return k, nil
}

// parseSchemaString reads a schema as pyspark sends it: Spark's JSON
// form of a StructType ({"type":"struct","fields":[…]}), or DDL
// ("a BIGINT, b STRING", also "struct<a:bigint>"). Nested types are
// refused: nectar's columns are flat.
func parseSchemaString(s string) (types.Schema, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var st struct {
			Type   string `json:"type"`
			Fields []struct {
				Name string          `json:"name"`
				Type json.RawMessage `json:"type"`
			} `json:"fields"`
		}
		if err := json.Unmarshal([]byte(s), &st); err != nil {
			return nil, invalid("schema: %v", err)
		}
		if st.Type != "struct" {
			return nil, unsupported("a schema of type %q (a struct is expected)", st.Type)
		}
		out := make(types.Schema, len(st.Fields))
		for i, f := range st.Fields {
			var name string
			if err := json.Unmarshal(f.Type, &name); err != nil {
				return nil, unsupported("column %s of a nested type (nectar's columns are flat)", f.Name)
			}
			k, err := simpleTypeName(name)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", f.Name, err)
			}
			out[i] = types.Column{Name: f.Name, Kind: k}
		}
		return out, nil
	}
	return parseDDL(s)
}

// parseDDL reads "name TYPE, name TYPE" (a colon may stand between them,
// and the list may be wrapped in struct<…>).
func parseDDL(s string) (types.Schema, error) {
	s = strings.TrimSpace(s)
	if l := strings.ToLower(s); strings.HasPrefix(l, "struct<") && strings.HasSuffix(l, ">") {
		s = s[len("struct<") : len(s)-1]
	}
	if strings.ContainsAny(s, "<>") {
		return nil, unsupported("nested types in %q (nectar's columns are flat)", s)
	}
	var out types.Schema
	for _, part := range splitTopLevel(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var name, typ string
		if part[0] == '`' {
			end := strings.Index(part[1:], "`")
			if end < 0 {
				return nil, invalid("DDL %q: unterminated backquote", s)
			}
			name, typ = part[1:end+1], part[end+2:]
		} else {
			i := strings.IndexAny(part, " :\t")
			if i < 0 {
				// A bare type: the schema of a single column named value.
				k, err := simpleTypeName(part)
				if err != nil {
					return nil, err
				}
				out = append(out, types.Column{Name: "value", Kind: k})
				continue
			}
			name, typ = part[:i], part[i:]
		}
		typ = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(typ), ":"))
		if f := strings.Fields(typ); len(f) > 1 && strings.EqualFold(f[len(f)-2], "not") && strings.EqualFold(f[len(f)-1], "null") {
			typ = strings.Join(f[:len(f)-2], " ")
		}
		k, err := simpleTypeName(typ)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		out = append(out, types.Column{Name: name, Kind: k})
	}
	if len(out) == 0 {
		return nil, invalid("empty schema %q", s)
	}
	return out, nil
}

// splitTopLevel splits on commas outside parentheses (decimal(10,2)).
func splitTopLevel(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// treeString is printSchema's text, as Spark's StructType.treeString.
func treeString(s types.Schema) string {
	var b strings.Builder
	b.WriteString("root\n")
	for _, c := range s {
		fmt.Fprintf(&b, " |-- %s: %s (nullable = true)\n", c.Name, sparkSimpleName(c.Kind))
	}
	return b.String()
}

// sparkSimpleName is Spark's DataType.simpleString of a kind.
func sparkSimpleName(k types.Kind) string {
	switch k {
	case types.Bool:
		return "boolean"
	case types.Int:
		return "long"
	case types.Float:
		return "double"
	case types.Timestamp:
		return "timestamp"
	case types.Date:
		return "date"
	case types.Binary:
		return "binary"
	}
	switch {
	case k.IsArray():
		return "array<" + sparkSimpleName(k.Elem()) + ">"
	case k.IsMap():
		return "map<" + sparkSimpleName(k.MapKey()) + "," + sparkSimpleName(k.MapValue()) + ">"
	case k.IsStruct():
		parts := make([]string, len(k.Fields()))
		for i, f := range k.Fields() {
			parts[i] = f.Name + ":" + sparkSimpleName(f.Kind)
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return "string"
}
