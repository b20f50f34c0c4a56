package syntax

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// DataType is a Spark SQL type as a schema writes it: a name, with its
// parameters (DECIMAL(10, 2), VARCHAR(8)) or the types inside it
// (ARRAY<…>, MAP<…, …>, STRUCT<…>).
type DataType struct {
	Name       string      // upper case: STRING, BIGINT, ARRAY, MAP, STRUCT, …
	Params     []int       // DECIMAL(10, 2) → [10 2]
	Elem       *DataType   // ARRAY's element type
	Key, Value *DataType   // MAP's key and value types
	Fields     []ColumnDef // STRUCT fields
}

// ColumnDef is one column of a schema, or one field of a STRUCT.
type ColumnDef struct {
	Name    string
	Type    *DataType
	NotNull bool
	Comment string
}

// ParseSchema reads a schema in Spark's DDL form, as
// DataFrameReader.schema and from_json take it:
//
//	event STRING, properties STRUCT<price: DOUBLE, products: ARRAY<STRUCT<sku: STRING>>>
//
// A struct field's colon is optional, as in Spark; NOT NULL and COMMENT
// '…' may follow a type. Errors are *Error with the offset in ddl.
func ParseSchema(ddl string) (fields []ColumnDef, err error) {
	p := &ddlParser{s: ddl}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			fields, err = nil, e
		}
	}()
	p.skip()
	fields = p.fields(false)
	if p.i < len(p.s) {
		p.fail("expected ',' or the end of the schema")
	}
	if len(fields) == 0 {
		p.fail("a schema needs at least one column")
	}
	return fields, nil
}

// ddlParser is a small recursive-descent reader of DDL schemas. Its errors
// panic with an *Error and are recovered by ParseSchema.
type ddlParser struct {
	s string
	i int
}

func (p *ddlParser) fail(format string, args ...any) {
	found := "the end of the schema"
	if p.i < len(p.s) {
		found = strconv.Quote(p.s[p.i:min(len(p.s), p.i+20)])
	}
	panic(&Error{Pos: Pos(p.i), Msg: fmt.Sprintf(format, args...) + ", found " + found})
}

func (p *ddlParser) skip() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *ddlParser) accept(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		p.skip()
		return true
	}
	return false
}

func (p *ddlParser) expect(c byte) {
	if !p.accept(c) {
		p.fail("expected '%c'", c)
	}
}

// name reads a bare word or a backquoted identifier.
func (p *ddlParser) name() string {
	if p.accept('`') {
		var b strings.Builder
		for {
			j := strings.IndexByte(p.s[p.i:], '`')
			if j < 0 {
				p.fail("unterminated backquote")
			}
			b.WriteString(p.s[p.i : p.i+j])
			p.i += j + 1
			if p.i < len(p.s) && p.s[p.i] == '`' {
				b.WriteByte('`')
				p.i++
				continue
			}
			p.skip()
			return b.String()
		}
	}
	start := p.i
	for p.i < len(p.s) && (isIdentChar(p.s[p.i]) || p.s[p.i] == '$') {
		p.i++
	}
	if start == p.i {
		p.fail("expected a name")
	}
	w := p.s[start:p.i]
	p.skip()
	return w
}

func isIdentChar(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// word reports whether the next word is kw (case-insensitively) and takes it.
func (p *ddlParser) word(kw string) bool {
	end := p.i + len(kw)
	if end <= len(p.s) && strings.EqualFold(p.s[p.i:end], kw) && (end == len(p.s) || !isIdentChar(p.s[end])) {
		p.i = end
		p.skip()
		return true
	}
	return false
}

// fields reads name type pairs separated by commas; in a STRUCT (inStruct)
// a colon may separate name and type, and the list ends at '>'.
func (p *ddlParser) fields(inStruct bool) []ColumnDef {
	var out []ColumnDef
	if p.i == len(p.s) || inStruct && p.s[p.i] == '>' {
		return nil // STRUCT<>, or an empty schema ParseSchema refuses
	}
	for {
		f := ColumnDef{Name: p.name()}
		if inStruct {
			p.accept(':')
		}
		f.Type = p.dataType()
		if p.word("NOT") {
			if !p.word("NULL") {
				p.fail("expected NULL after NOT")
			}
			f.NotNull = true
		}
		if p.word("COMMENT") {
			f.Comment = p.quoted()
		}
		out = append(out, f)
		if !p.accept(',') {
			return out
		}
	}
}

func (p *ddlParser) quoted() string {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		p.fail("expected a quoted comment")
	}
	q := p.s[p.i]
	j := strings.IndexByte(p.s[p.i+1:], q)
	if j < 0 {
		p.fail("unterminated comment")
	}
	c := p.s[p.i+1 : p.i+1+j]
	p.i += j + 2
	p.skip()
	return c
}

func (p *ddlParser) dataType() *DataType {
	t := &DataType{Name: strings.ToUpper(p.name())}
	switch t.Name {
	case "ARRAY":
		p.expect('<')
		t.Elem = p.dataType()
		p.expect('>')
	case "MAP":
		p.expect('<')
		t.Key = p.dataType()
		p.expect(',')
		t.Value = p.dataType()
		p.expect('>')
	case "STRUCT":
		p.expect('<')
		t.Fields = p.fields(true)
		p.expect('>')
	default:
		if p.accept('(') {
			for {
				start := p.i
				for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
					p.i++
				}
				n, err := strconv.Atoi(p.s[start:p.i])
				if err != nil {
					p.fail("expected a number")
				}
				p.skip()
				t.Params = append(t.Params, n)
				if !p.accept(',') {
					break
				}
			}
			p.expect(')')
		}
	}
	return t
}

// String is the type in canonical DDL; ParseSchema reads it back.
func (t *DataType) String() string {
	switch t.Name {
	case "ARRAY":
		return "ARRAY<" + t.Elem.String() + ">"
	case "MAP":
		return "MAP<" + t.Key.String() + ", " + t.Value.String() + ">"
	case "STRUCT":
		return "STRUCT<" + fieldsString(t.Fields, ": ") + ">"
	}
	if len(t.Params) == 0 {
		return t.Name
	}
	ps := make([]string, len(t.Params))
	for i, n := range t.Params {
		ps[i] = strconv.Itoa(n)
	}
	return t.Name + "(" + strings.Join(ps, ", ") + ")"
}

// SchemaString is a schema in canonical DDL; ParseSchema reads it back.
func SchemaString(fields []ColumnDef) string { return fieldsString(fields, " ") }

func fieldsString(fields []ColumnDef, sep string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		s := QuoteIdent(f.Name) + sep + f.Type.String()
		if f.NotNull {
			s += " NOT NULL"
		}
		if f.Comment != "" {
			s += " COMMENT " + QuoteString(f.Comment)
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

// Kind is the nectar kind of t: its scalar kind (every integer width is a
// BIGINT, DECIMAL and FLOAT are DOUBLE), or the ARRAY, MAP or STRUCT kind
// of its parts, a STRUCT's fields in the order written.
func (t *DataType) Kind() (types.Kind, error) {
	switch t.Name {
	case "ARRAY":
		e, err := t.Elem.Kind()
		if err != nil {
			return types.Null, err
		}
		return types.ArrayOf(e), nil
	case "MAP":
		k, err := t.Key.Kind()
		if err != nil {
			return types.Null, err
		}
		v, err := t.Value.Kind()
		if err != nil {
			return types.Null, err
		}
		return types.MapOf(k, v), nil
	case "STRUCT":
		fields := make([]types.Field, len(t.Fields))
		for i, f := range t.Fields {
			k, err := f.Type.Kind()
			if err != nil {
				return types.Null, fmt.Errorf("field %s: %w", QuoteIdent(f.Name), err)
			}
			fields[i] = types.Field{Name: f.Name, Kind: k}
		}
		return types.StructOf(fields...), nil
	}
	k, ok := types.ParseKind(t.Name)
	if !ok {
		return types.Null, fmt.Errorf("unknown type %s", t)
	}
	return k, nil
}
