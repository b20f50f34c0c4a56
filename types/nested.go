package types

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Nested kinds: ARRAY<elem>, MAP<key, value> and STRUCT<name: kind, …>,
// as Spark names them. A nested Kind is an interned handle: two kinds are
// the same type exactly when they are equal, so a Kind stays a comparable
// number that every switch, map key and Column holds as before, and the
// element and field types are looked up by the handle. The table of
// nested types only grows; a program meets few distinct nested types (one
// per shape of data or constructor call), so it stays small.
//
// A nested value is held in Value.S (and a nested Vector's S) as its
// encoding, an immutable byte string (see nestedvalue.go), so that every
// generic path (copying rows, spooling, hashing, memory accounting) moves
// nested values as it moves strings.

// Field is one field of a STRUCT.
type Field struct {
	Name string
	Kind Kind
}

// firstNested is the first Kind number that names a nested type.
const firstNested Kind = 64

type nestedClass uint8

const (
	classArray nestedClass = iota + 1
	classMap
	classStruct
)

// nestedInfo describes one interned nested type.
type nestedInfo struct {
	class    nestedClass
	elem     Kind // ARRAY's element; MAP's key
	value    Kind // MAP's value
	fields   []Field
	name     string // the Spark SQL spelling, as Kind.String gives it
	hasFloat bool   // a DOUBLE somewhere inside: keys must fold -0 and NaN
}

var nested struct {
	mu    sync.Mutex
	byKey map[string]Kind
	infos atomic.Pointer[[]*nestedInfo] // copied on write: readers take no lock
}

func info(k Kind) *nestedInfo {
	p := nested.infos.Load()
	if p == nil || k < firstNested || int(k-firstNested) >= len(*p) {
		return nil
	}
	return (*p)[k-firstNested]
}

// intern returns the Kind of the type in, creating it on first use.
func intern(in nestedInfo) Kind {
	key := in.name
	nested.mu.Lock()
	defer nested.mu.Unlock()
	if k, ok := nested.byKey[key]; ok {
		return k
	}
	if nested.byKey == nil {
		nested.byKey = map[string]Kind{}
	}
	var old []*nestedInfo
	if p := nested.infos.Load(); p != nil {
		old = *p
	}
	all := make([]*nestedInfo, len(old), len(old)+1)
	copy(all, old)
	all = append(all, &in)
	k := firstNested + Kind(len(old))
	nested.infos.Store(&all)
	nested.byKey[key] = k
	return k
}

// ArrayOf is ARRAY<elem>.
func ArrayOf(elem Kind) Kind {
	return intern(nestedInfo{class: classArray, elem: elem, name: "ARRAY<" + elem.String() + ">", hasFloat: elem.hasFloat()})
}

// MapOf is MAP<key, value>.
func MapOf(key, value Kind) Kind {
	return intern(nestedInfo{class: classMap, elem: key, value: value,
		name: "MAP<" + key.String() + ", " + value.String() + ">", hasFloat: key.hasFloat() || value.hasFloat()})
}

// StructOf is STRUCT<name: kind, …> with the fields in the order given.
// Names keep their case (Spark's struct types do); lookups by name are
// case-insensitive (FieldIndex).
func StructOf(fields ...Field) Kind {
	var b strings.Builder
	b.WriteString("STRUCT<")
	hasFloat := false
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteFieldName(f.Name))
		b.WriteString(": ")
		b.WriteString(f.Kind.String())
		hasFloat = hasFloat || f.Kind.hasFloat()
	}
	b.WriteByte('>')
	return intern(nestedInfo{class: classStruct, fields: slices.Clone(fields), name: b.String(), hasFloat: hasFloat})
}

// quoteFieldName backquotes a struct field name unless it is a plain
// name, as Spark's StructType.sql does (quoteIfNeeded).
func quoteFieldName(s string) string {
	plain := s != ""
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// IsNested reports whether k is an ARRAY, MAP or STRUCT.
func (k Kind) IsNested() bool { return info(k) != nil }

// IsArray reports whether k is an ARRAY.
func (k Kind) IsArray() bool { i := info(k); return i != nil && i.class == classArray }

// IsMap reports whether k is a MAP.
func (k Kind) IsMap() bool { i := info(k); return i != nil && i.class == classMap }

// IsStruct reports whether k is a STRUCT.
func (k Kind) IsStruct() bool { i := info(k); return i != nil && i.class == classStruct }

// Elem is an ARRAY's element kind (Null for any other kind).
func (k Kind) Elem() Kind {
	if i := info(k); i != nil && i.class == classArray {
		return i.elem
	}
	return Null
}

// MapKey is a MAP's key kind (Null for any other kind).
func (k Kind) MapKey() Kind {
	if i := info(k); i != nil && i.class == classMap {
		return i.elem
	}
	return Null
}

// MapValue is a MAP's value kind (Null for any other kind).
func (k Kind) MapValue() Kind {
	if i := info(k); i != nil && i.class == classMap {
		return i.value
	}
	return Null
}

// Fields are a STRUCT's fields (nil for any other kind). The slice is
// shared: do not modify it.
func (k Kind) Fields() []Field {
	if i := info(k); i != nil && i.class == classStruct {
		return i.fields
	}
	return nil
}

// FieldIndex finds a STRUCT's field by name: the field of exactly that
// name, else the only one equal to it ignoring case (Spark resolves names
// case-insensitively). It returns -1 when there is none, or when several
// fields differ from name only in case.
func (k Kind) FieldIndex(name string) int {
	fs := k.Fields()
	for i, f := range fs {
		if f.Name == name {
			return i
		}
	}
	found := -1
	for i, f := range fs {
		if strings.EqualFold(f.Name, name) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// hasFloat reports whether a value of k holds a DOUBLE anywhere.
func (k Kind) hasFloat() bool {
	if k == Float {
		return true
	}
	if i := info(k); i != nil {
		return i.hasFloat
	}
	return false
}

// Orderable reports whether values of k can be compared and sorted:
// every kind but MAP and kinds holding one (Spark refuses to compare maps).
func (k Kind) Orderable() bool {
	i := info(k)
	if i == nil {
		return true
	}
	switch i.class {
	case classMap:
		return false
	case classArray:
		return i.elem.Orderable()
	}
	for _, f := range i.fields {
		if !f.Kind.Orderable() {
			return false
		}
	}
	return true
}

// parseNested reads a type name with parameters: ARRAY<…>, MAP<…, …> and
// STRUCT<name: type, …> (the colon optional, names possibly backquoted),
// around any of ParseKind's scalar names. Spaces are allowed anywhere.
func parseNested(s string) (Kind, bool) {
	p := typeParser{s: s}
	k, ok := p.typ()
	p.skip()
	return k, ok && p.i == len(p.s)
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *typeParser) accept(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *typeParser) word() string {
	p.skip()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

// name reads a field name: a word or a backquoted name.
func (p *typeParser) name() (string, bool) {
	p.skip()
	if !p.accept('`') {
		w := p.word()
		return w, w != ""
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		if c == '`' {
			if p.i < len(p.s) && p.s[p.i] == '`' {
				b.WriteByte('`')
				p.i++
				continue
			}
			return b.String(), true
		}
		b.WriteByte(c)
	}
	return "", false
}

func (p *typeParser) typ() (Kind, bool) {
	w := strings.ToUpper(p.word())
	switch w {
	case "ARRAY":
		if !p.accept('<') {
			return Null, false
		}
		e, ok := p.typ()
		if !ok || !p.accept('>') {
			return Null, false
		}
		return ArrayOf(e), true
	case "MAP":
		if !p.accept('<') {
			return Null, false
		}
		k, ok := p.typ()
		if !ok || !p.accept(',') {
			return Null, false
		}
		v, ok := p.typ()
		if !ok || !p.accept('>') {
			return Null, false
		}
		return MapOf(k, v), true
	case "STRUCT":
		if !p.accept('<') {
			return Null, false
		}
		var fields []Field
		if p.accept('>') {
			return StructOf(), true
		}
		for {
			n, ok := p.name()
			if !ok {
				return Null, false
			}
			p.accept(':')
			k, ok := p.typ()
			if !ok {
				return Null, false
			}
			fields = append(fields, Field{Name: n, Kind: k})
			if p.accept('>') {
				return StructOf(fields...), true
			}
			if !p.accept(',') {
				return Null, false
			}
		}
	}
	k, ok := scalarKind(w)
	if !ok {
		return Null, false
	}
	// DECIMAL(p, s), VARCHAR(n), CHAR(n): the parameters change nothing here.
	if p.accept('(') {
		for p.i < len(p.s) && p.s[p.i] != ')' {
			p.i++
		}
		if !p.accept(')') {
			return Null, false
		}
	}
	return k, true
}

// MustParseKind is ParseKind for names known to be valid (tests, tables
// of constants); it panics on any other.
func MustParseKind(name string) Kind {
	k, ok := ParseKind(name)
	if !ok {
		panic(fmt.Sprintf("types: bad type %q", name))
	}
	return k
}
