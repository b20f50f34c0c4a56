package types

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// The encoding of a nested value (held in Value.S). It is binary and
// canonical: equal values of one kind have equal bytes, except for the
// doubles -0 and NaN, which AppendKey folds. Reading a part gives a Value
// whose S is a substring of its parent's, so taking an array apart
// allocates nothing.
//
//	ARRAY  : count (uvarint), then count items
//	MAP    : count (uvarint), then count pairs of items, key then value
//	STRUCT : one item per field, in the type's order
//	item   : 0 for NULL, or 1 then the payload:
//	         BOOLEAN 1 byte; BIGINT, TIMESTAMP, DATE a zig-zag varint;
//	         DOUBLE 8 bytes little-endian; STRING its length (uvarint)
//	         and bytes; a nested kind its length (uvarint) and encoding;
//	         VOID nothing (an item of kind VOID is always NULL)

// ErrNested is wrapped when bytes given as a nested value are not one of
// its kind: a bug, or a spilled batch damaged on disk.
var ErrNested = errors.New("corrupt nested value")

// appendItem appends v, of kind k or NULL, as an item.
func appendItem(dst []byte, k Kind, v Value) []byte {
	if v.K == Null || k == Null {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	switch {
	case k == Bool:
		return append(dst, byte(v.I&1))
	case intItem(k):
		return binary.AppendVarint(dst, v.I)
	case k == Float:
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.AsFloat()))
	}
	dst = binary.AppendUvarint(dst, uint64(len(v.S)))
	return append(dst, v.S...)
}

// intItem reports whether an item of kind k is an integer: BIGINT, the
// times and the intervals.
func intItem(k Kind) bool { return k == Int || k == Timestamp || k == Date || k.IsInterval() }

// readItem reads one item of kind k from the front of s.
func readItem(s string, k Kind) (Value, string, error) {
	if len(s) == 0 {
		return NullValue, s, ErrNested
	}
	if s[0] == 0 {
		return NullValue, s[1:], nil
	}
	s = s[1:]
	switch {
	case k == Null:
		return NullValue, s, ErrNested
	case k == Bool:
		if len(s) < 1 {
			return NullValue, s, ErrNested
		}
		return Value{K: Bool, I: int64(s[0] & 1)}, s[1:], nil
	case intItem(k):
		i, n := binary.Varint(unsafe.Slice(unsafe.StringData(s), len(s)))
		if n <= 0 {
			return NullValue, s, ErrNested
		}
		return Value{K: k, I: i}, s[n:], nil
	case k == Float:
		if len(s) < 8 {
			return NullValue, s, ErrNested
		}
		return Value{K: Float, F: math.Float64frombits(binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s), 8)))}, s[8:], nil
	}
	l, rest, err := readLen(s)
	if err != nil {
		return NullValue, s, err
	}
	return Value{K: k, S: rest[:l]}, rest[l:], nil
}

func readLen(s string) (int, string, error) {
	if len(s) == 0 {
		return 0, s, ErrNested
	}
	l, n := binary.Uvarint(unsafe.Slice(unsafe.StringData(s), len(s)))
	if n <= 0 || l > uint64(len(s)-n) {
		return 0, s, ErrNested
	}
	return int(l), s[n:], nil
}

// NestedBuilder encodes nested values. Its buffer is reused: the string a
// Finish call returns is a copy.
type NestedBuilder struct {
	buf []byte
}

// Array encodes the array of kind k (an ARRAY kind) holding elems, each
// NULL or of k's element kind.
func (nb *NestedBuilder) Array(k Kind, elems []Value) Value {
	e := k.Elem()
	nb.buf = binary.AppendUvarint(nb.buf[:0], uint64(len(elems)))
	for _, v := range elems {
		nb.buf = appendItem(nb.buf, e, v)
	}
	return Value{K: k, S: string(nb.buf)}
}

// Struct encodes the struct of kind k with one value per field.
func (nb *NestedBuilder) Struct(k Kind, fields []Value) Value {
	fs := k.Fields()
	nb.buf = nb.buf[:0]
	for i, f := range fs {
		nb.buf = appendItem(nb.buf, f.Kind, fields[i])
	}
	return Value{K: k, S: string(nb.buf)}
}

// Map encodes the map of kind k with the given keys and values (equal
// lengths; keys never NULL).
func (nb *NestedBuilder) Map(k Kind, keys, vals []Value) Value {
	kk, vk := k.MapKey(), k.MapValue()
	nb.buf = binary.AppendUvarint(nb.buf[:0], uint64(len(keys)))
	for i := range keys {
		nb.buf = appendItem(nb.buf, kk, keys[i])
		nb.buf = appendItem(nb.buf, vk, vals[i])
	}
	return Value{K: k, S: string(nb.buf)}
}

// ArrayValue encodes an array; see NestedBuilder.Array.
func ArrayValue(k Kind, elems []Value) Value { var nb NestedBuilder; return nb.Array(k, elems) }

// StructValue encodes a struct; see NestedBuilder.Struct.
func StructValue(k Kind, fields []Value) Value { var nb NestedBuilder; return nb.Struct(k, fields) }

// MapValue encodes a map; see NestedBuilder.Map.
func MapValue(k Kind, keys, vals []Value) Value { var nb NestedBuilder; return nb.Map(k, keys, vals) }

// ArrayWriter encodes one array element by element, for callers that
// produce elements one at a time (the JSON reader). Start, then Append
// each element, then Finish.
type ArrayWriter struct {
	elem  Kind
	n     int
	items []byte
	buf   []byte
}

// Start begins an array of kind k, forgetting any unfinished one.
func (w *ArrayWriter) Start(k Kind) { w.elem, w.n, w.items = k.Elem(), 0, w.items[:0] }

// Append adds one element.
func (w *ArrayWriter) Append(v Value) {
	w.items = appendItem(w.items, w.elem, v)
	w.n++
}

// AppendEncoded adds one element from its item bytes (AppendItem's).
func (w *ArrayWriter) AppendEncoded(item []byte) {
	w.items = append(w.items, item...)
	w.n++
}

// Bytes returns the array's encoding so far, valid until the next call.
func (w *ArrayWriter) Bytes() []byte {
	w.buf = binary.AppendUvarint(w.buf[:0], uint64(w.n))
	w.buf = append(w.buf, w.items...)
	return w.buf
}

// AppendItem appends v (NULL or of kind k) as an item of a nested
// encoding, for encoders outside this package (scan's JSON reader).
func AppendItem(dst []byte, k Kind, v Value) []byte { return appendItem(dst, k, v) }

// AppendNestedItem appends a present item of nested kind whose encoding
// is enc.
func AppendNestedItem(dst []byte, enc []byte) []byte {
	dst = append(dst, 1)
	dst = binary.AppendUvarint(dst, uint64(len(enc)))
	return append(dst, enc...)
}

// AppendCount appends the element count that starts an array's or a
// map's encoding.
func AppendCount(dst []byte, n int) []byte { return binary.AppendUvarint(dst, uint64(n)) }

// Elements reads nested values part by part without allocating. For an
// ARRAY it yields the elements, for a MAP the keys and values in turn
// (key, value, key, …), for a STRUCT the fields.
type Elements struct {
	kinds []Field // STRUCT: the fields
	k1    Kind    // ARRAY: element; MAP: key
	k2    Kind    // MAP: value
	isMap bool
	rest  string
	n     int // items left
	i     int // items read
	err   error
}

// Iter starts reading v, a non-NULL nested value.
func Iter(v Value) Elements {
	in := info(v.K)
	if in == nil {
		return Elements{err: fmt.Errorf("%w: %s is not nested", ErrNested, v.K)}
	}
	it := Elements{rest: v.S}
	switch in.class {
	case classStruct:
		it.kinds, it.n = in.fields, len(in.fields)
		return it
	case classMap:
		it.isMap, it.k2 = true, in.value
	}
	it.k1 = in.elem
	l, n := binary.Uvarint(unsafe.Slice(unsafe.StringData(v.S), len(v.S)))
	if n <= 0 || l > uint64(len(v.S)) {
		it.err, it.n = ErrNested, 0
		return it
	}
	it.rest, it.n = v.S[n:], int(l)
	if it.isMap {
		it.n *= 2
	}
	return it
}

// Len is the number of elements of an array, pairs of a map or fields of
// a struct.
func (it *Elements) Len() int {
	if it.isMap {
		return (it.n + it.i) / 2
	}
	return it.n + it.i
}

// Next returns the next part, and false after the last (or on damage,
// which Err then reports).
func (it *Elements) Next() (Value, bool) {
	if it.n == 0 || it.err != nil {
		return NullValue, false
	}
	var k Kind
	switch {
	case it.kinds != nil:
		k = it.kinds[it.i].Kind
	case it.isMap && it.i%2 == 1:
		k = it.k2
	default:
		k = it.k1
	}
	v, rest, err := readItem(it.rest, k)
	if err != nil {
		it.err = err
		return NullValue, false
	}
	it.rest = rest
	it.n--
	it.i++
	return v, true
}

// Err reports damage met by Next.
func (it *Elements) Err() error { return it.err }

// Parts appends v's parts (see Elements) to dst.
func Parts(dst []Value, v Value) ([]Value, error) {
	it := Iter(v)
	for {
		x, ok := it.Next()
		if !ok {
			break
		}
		dst = append(dst, x)
	}
	return dst, it.Err()
}

// Count is the number of elements of an array or entries of a map,
// read from the front of its encoding.
func Count(v Value) int {
	l, n := binary.Uvarint(unsafe.Slice(unsafe.StringData(v.S), len(v.S)))
	if n <= 0 {
		return 0
	}
	return int(l)
}

// At returns part i of v (an array's element, a struct's field), or NULL
// when there is no such part.
func At(v Value, i int) Value {
	if i < 0 {
		return NullValue
	}
	it := Iter(v)
	for j := 0; ; j++ {
		x, ok := it.Next()
		if !ok {
			return NullValue
		}
		if j == i {
			return x
		}
	}
}

// appendNestedString appends v as Spark's CAST(v AS STRING) gives it:
// arrays [1, null, 3], structs {1, a}, maps {a -> 1}; strings inside are
// bare and NULLs are null.
func appendNestedString(b *strings.Builder, v Value) {
	if v.K == Null {
		b.WriteString("null")
		return
	}
	in := info(v.K)
	if in == nil {
		b.WriteString(v.String())
		return
	}
	it := Iter(v)
	switch in.class {
	case classArray:
		b.WriteByte('[')
		for j := 0; ; j++ {
			x, ok := it.Next()
			if !ok {
				break
			}
			if j > 0 {
				b.WriteString(", ")
			}
			appendNestedString(b, x)
		}
		b.WriteByte(']')
	case classMap:
		b.WriteByte('{')
		for j := 0; ; j++ {
			key, ok := it.Next()
			if !ok {
				break
			}
			val, _ := it.Next()
			if j > 0 {
				b.WriteString(", ")
			}
			appendNestedString(b, key)
			b.WriteString(" -> ")
			appendNestedString(b, val)
		}
		b.WriteByte('}')
	default:
		b.WriteByte('{')
		for j := 0; ; j++ {
			x, ok := it.Next()
			if !ok {
				break
			}
			if j > 0 {
				b.WriteString(", ")
			}
			appendNestedString(b, x)
		}
		b.WriteByte('}')
	}
}

func nestedString(v Value) string {
	var b strings.Builder
	appendNestedString(&b, v)
	return b.String()
}

// compareNested orders two values of one nested kind as Spark does:
// arrays element by element, a NULL element first, a shorter array
// first when one is a prefix of the other; structs field by field. Maps
// are not ordered (the binder refuses them); they compare by encoding.
func compareNested(a, b Value) int {
	in := info(a.K)
	if in == nil || in.class == classMap {
		return strings.Compare(a.S, b.S)
	}
	ia, ib := Iter(a), Iter(b)
	for {
		x, okx := ia.Next()
		y, oky := ib.Next()
		switch {
		case !okx && !oky:
			return 0
		case !okx:
			return -1
		case !oky:
			return 1
		}
		switch {
		case x.K == Null && y.K == Null:
			continue
		case x.K == Null:
			return -1
		case y.K == Null:
			return 1
		}
		if c := Compare(x, y); c != 0 {
			return c
		}
	}
}

// appendNestedKey appends the canonical bytes of a nested value for
// hashing: its encoding, rebuilt with -0 folded into 0 and every NaN into
// one when the kind holds doubles.
func appendNestedKey(dst []byte, v Value) []byte {
	in := info(v.K)
	if in == nil || !in.hasFloat {
		dst = binary.AppendUvarint(dst, uint64(len(v.S)))
		return append(dst, v.S...)
	}
	enc := canonical(nil, v)
	dst = binary.AppendUvarint(dst, uint64(len(enc)))
	return append(dst, enc...)
}

// canonical re-encodes v with its doubles folded for equality.
func canonical(dst []byte, v Value) []byte {
	in := info(v.K)
	it := Iter(v)
	if in.class != classStruct {
		dst = binary.AppendUvarint(dst, uint64(it.Len()))
	}
	for j := 0; ; j++ {
		x, ok := it.Next()
		if !ok {
			return dst
		}
		var k Kind
		switch in.class {
		case classStruct:
			k = in.fields[j].Kind
		case classMap:
			k = in.elem
			if j%2 == 1 {
				k = in.value
			}
		default:
			k = in.elem
		}
		switch {
		case x.K == Float:
			f := x.F
			if f == 0 {
				f = 0
			}
			if math.IsNaN(f) {
				f = math.NaN()
			}
			dst = appendItem(dst, k, FloatValue(f))
		case x.K != Null && k.IsNested():
			dst = AppendNestedItem(dst, canonical(nil, x))
		default:
			dst = appendItem(dst, k, x)
		}
	}
}
