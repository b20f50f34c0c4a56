package types

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is a column's SQL type. Names follow Spark SQL so that the same query
// text and the same DESCRIBE output mean the same on both engines.
type Kind uint32

const (
	// Null is the type of the NULL literal and of columns never seen with a
	// value; it widens to any other kind.
	Null Kind = iota
	Bool
	Int       // BIGINT: 64-bit signed
	Float     // DOUBLE
	String    // STRING: UTF-8 text
	Timestamp // TIMESTAMP: microseconds since the Unix epoch, UTC
	Date      // DATE: days since the Unix epoch
	Binary    // BINARY: bytes, held in a string
)

var kindNames = [...]string{
	Null:      "VOID",
	Bool:      "BOOLEAN",
	Int:       "BIGINT",
	Float:     "DOUBLE",
	String:    "STRING",
	Timestamp: "TIMESTAMP",
	Date:      "DATE",
	Binary:    "BINARY",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	if k.IsInterval() {
		return intervalName(k)
	}
	if i := info(k); i != nil {
		return i.name
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Short is the abbreviation glimpse prints, as dplyr does (<chr>, <dbl>, …).
func (k Kind) Short() string {
	switch k {
	case Bool:
		return "lgl"
	case Int:
		return "int"
	case Float:
		return "dbl"
	case String:
		return "chr"
	case Timestamp:
		return "dttm"
	case Date:
		return "date"
	case Binary:
		return "blob"
	}
	if k.IsInterval() {
		return "intrvl"
	}
	if i := info(k); i != nil {
		return [...]string{classArray: "list", classMap: "map", classStruct: "struct"}[i.class]
	}
	return "void"
}

// IsNumeric reports whether arithmetic applies to k directly.
func (k Kind) IsNumeric() bool { return k == Int || k == Float }

// ParseKind reads a type name as written in CAST(x AS …), accepting Spark's
// synonyms, and nested types as Kind.String spells them (ARRAY<BIGINT>,
// MAP<STRING, BIGINT>, STRUCT<a: BIGINT, `b c`: STRING>), so that a kind
// written to a checkpoint or manifest reads back as the same kind.
func ParseKind(name string) (Kind, bool) {
	if k, ok := scalarKind(strings.TrimSpace(name)); ok {
		return k, true
	}
	if strings.ContainsRune(name, '<') {
		return parseNested(name)
	}
	return parseIntervalKind(name)
}

func scalarKind(name string) (Kind, bool) {
	switch strings.ToUpper(name) {
	case "BOOLEAN", "BOOL":
		return Bool, true
	case "BIGINT", "INT", "INTEGER", "LONG", "SMALLINT", "TINYINT", "SHORT", "BYTE":
		return Int, true
	case "DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC":
		return Float, true
	case "STRING", "VARCHAR", "CHAR", "TEXT":
		return String, true
	case "TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ":
		return Timestamp, true
	case "DATE":
		return Date, true
	case "BINARY":
		return Binary, true
	case "VOID", "NULL":
		return Null, true
	}
	return Null, false
}

// Type is a type as CAST names it. nectar computes every integer as a
// BIGINT, but a cast to INT, SMALLINT or TINYINT must still reject a value
// that does not fit the narrower type, as Spark does, so the name's width
// travels with the cast (and only there: the result is a BIGINT).
type Type struct {
	Kind Kind
	// Bits narrows an integer kind: 8 (TINYINT), 16 (SMALLINT) or 32
	// (INT). 0 for BIGINT and every other kind.
	Bits uint8
	// Precision and Scale are a DECIMAL's (Precision 0: not a DECIMAL).
	// nectar computes a DECIMAL as a DOUBLE, but a cast to DECIMAL(p, s)
	// rounds to s digits, half up, and refuses a value of more than p - s
	// whole digits, as Spark does.
	Precision, Scale uint8
}

// ParseType reads a type name as written in CAST(x AS …), keeping the
// width of a narrow integer type.
func ParseType(name string) (Type, bool) {
	k, ok := ParseKind(name)
	t := Type{Kind: k}
	switch strings.ToUpper(name) {
	case "DECIMAL", "NUMERIC", "DEC":
		t.Kind, ok = Float, true
		t.Precision = 10 // Spark's DECIMAL is DECIMAL(10, 0)
	case "INT", "INTEGER":
		t.Bits = 32
	case "SMALLINT", "SHORT":
		t.Bits = 16
	case "TINYINT", "BYTE":
		t.Bits = 8
	}
	return t, ok
}

// String is the type's Spark name.
func (t Type) String() string {
	if t.Precision > 0 {
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	}
	switch t.Bits {
	case 8:
		return "TINYINT"
	case 16:
		return "SMALLINT"
	case 32:
		return "INT"
	}
	return t.Kind.String()
}

// Widen returns the narrowest kind both a and b convert to without loss of
// meaning: NULL widens to anything, BIGINT to DOUBLE, DATE to TIMESTAMP,
// arrays and maps element by element, structs with the same field names
// field by field, intervals of one family to the fields of both, and
// every other conflict to STRING. Schema inference uses it, so a type
// conflict never fails a read (set operations follow Spark's stricter
// rule: plan.setOpKind). (Inference merges
// structs with different fields too: see Merge.)
func Widen(a, b Kind) Kind {
	switch {
	case a == b:
		return a
	case a == Null:
		return b
	case b == Null:
		return a
	case a.IsNumeric() && b.IsNumeric():
		return Float
	case (a == Date && b == Timestamp) || (a == Timestamp && b == Date):
		return Timestamp
	}
	if k, ok := WidenInterval(a, b); ok {
		return k
	}
	if k, ok := widenNested(a, b, Widen); ok {
		return k
	}
	return String
}

// Merge is Widen as schema inference needs it, Spark's JSON inference
// (JsonInferSchema.compatibleType): two structs merge into one with the
// fields of both, ordered by name (an inferred struct's fields always
// are), each field's kinds merged. A key seen in some objects only is a
// field that is NULL in the others.
func Merge(a, b Kind) Kind {
	if a.IsStruct() && b.IsStruct() && a != b {
		return mergeStructs(a, b)
	}
	switch {
	case a == b:
		return a
	case a == Null:
		return b
	case b == Null:
		return a
	}
	if k, ok := widenNested(a, b, Merge); ok {
		return k
	}
	return Widen(a, b)
}

// widenNested widens two nested kinds of one class part by part with w.
func widenNested(a, b Kind, w func(a, b Kind) Kind) (Kind, bool) {
	ia, ib := info(a), info(b)
	if ia == nil || ib == nil || ia.class != ib.class {
		return Null, false
	}
	switch ia.class {
	case classArray:
		return ArrayOf(w(ia.elem, ib.elem)), true
	case classMap:
		return MapOf(w(ia.elem, ib.elem), w(ia.value, ib.value)), true
	}
	if len(ia.fields) != len(ib.fields) {
		return Null, false
	}
	fields := make([]Field, len(ia.fields))
	for i, f := range ia.fields {
		if !strings.EqualFold(f.Name, ib.fields[i].Name) {
			return Null, false
		}
		fields[i] = Field{Name: f.Name, Kind: w(f.Kind, ib.fields[i].Kind)}
	}
	return StructOf(fields...), true
}

// mergeStructs merges two structs' fields by name (exactly, as Spark's
// inference compares keys), in name order.
func mergeStructs(a, b Kind) Kind {
	fa, fb := a.Fields(), b.Fields()
	byName := map[string]int{}
	var out []Field
	for _, f := range fa {
		byName[f.Name] = len(out)
		out = append(out, f)
	}
	for _, f := range fb {
		if i, ok := byName[f.Name]; ok {
			out[i].Kind = Merge(out[i].Kind, f.Kind)
			continue
		}
		byName[f.Name] = len(out)
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(x, y Field) int { return strings.Compare(x.Name, y.Name) })
	return StructOf(out...)
}

// Column names and types one column of a schema.
type Column struct {
	Name string
	Kind Kind
}

// Schema is the ordered list of a relation's columns.
type Schema []Column

// Index returns the position of the column named name (case-insensitively,
// as Spark resolves names), or -1.
func (s Schema) Index(name string) int {
	for i, c := range s {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

func (s Schema) String() string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
		b.WriteByte(' ')
		b.WriteString(c.Kind.String())
	}
	return b.String()
}
