package types

import (
	"bytes"
	"math"
	"testing"
)

func TestNestedKindsIntern(t *testing.T) {
	a := ArrayOf(Int)
	if a != ArrayOf(Int) || a == ArrayOf(Float) {
		t.Fatal("ARRAY kinds are not interned by element")
	}
	s := StructOf(Field{"b", String}, Field{"a b", ArrayOf(Float)})
	m := MapOf(String, s)
	for _, k := range []Kind{a, s, m, ArrayOf(ArrayOf(Date)), StructOf()} {
		back, ok := ParseKind(k.String())
		if !ok || back != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), back, ok)
		}
	}
	if got := m.String(); got != "MAP<STRING, STRUCT<b: STRING, `a b`: ARRAY<DOUBLE>>>" {
		t.Errorf("String = %q", got)
	}
	if k, ok := ParseKind("array< struct<x int, `y`:decimal(10, 2)> >"); !ok || k != ArrayOf(StructOf(Field{"x", Int}, Field{"y", Float})) {
		t.Errorf("lenient parse = %v %v", k, ok)
	}
	for _, bad := range []string{"ARRAY<>", "ARRAY<INT", "MAP<INT>", "STRUCT<a INT,>", "ARRAY<FOO>"} {
		if _, ok := ParseKind(bad); ok {
			t.Errorf("ParseKind(%q) accepted", bad)
		}
	}
	if s.FieldIndex("A B") != 1 || s.FieldIndex("c") != -1 {
		t.Error("FieldIndex")
	}
	if StructOf(Field{"a", Int}, Field{"A", Int}).FieldIndex("a") != 0 || StructOf(Field{"a", Int}, Field{"A", Int}).FieldIndex("x") != -1 {
		t.Error("FieldIndex exact match first")
	}
	if m.Orderable() || !s.Orderable() || ArrayOf(m).Orderable() {
		t.Error("Orderable")
	}
	if a.Storage() != String || Date.Storage() != Int {
		t.Error("Storage")
	}
}

func TestNestedValues(t *testing.T) {
	elem := StructOf(Field{"id", String}, Field{"price", Float}, Field{"tags", ArrayOf(String)})
	k := ArrayOf(elem)
	tags := ArrayValue(ArrayOf(String), []Value{StringValue("x"), NullValue})
	p1 := StructValue(elem, []Value{StringValue("a"), FloatValue(1.5), tags})
	p2 := StructValue(elem, []Value{StringValue("b"), NullValue, NullValue})
	arr := ArrayValue(k, []Value{p1, NullValue, p2})
	if Count(arr) != 3 {
		t.Fatalf("Count = %d", Count(arr))
	}
	if got := arr.String(); got != "[{a, 1.5, [x, null]}, null, {b, null, null}]" {
		t.Errorf("String = %q", got)
	}
	if got := At(At(arr, 2), 0); got.S != "b" || got.K != String {
		t.Errorf("At = %v", got)
	}
	if !At(arr, 1).IsNull() || !At(arr, 3).IsNull() || !At(arr, -1).IsNull() {
		t.Error("At out of range or NULL element")
	}
	parts, err := Parts(nil, At(arr, 0))
	if err != nil || len(parts) != 3 || parts[1].F != 1.5 || parts[2].String() != "[x, null]" {
		t.Errorf("Parts = %v %v", parts, err)
	}
	mk := MapOf(String, Int)
	m := MapValue(mk, []Value{StringValue("a"), StringValue("b")}, []Value{IntValue(1), NullValue})
	if got := m.String(); got != "{a -> 1, b -> null}" {
		t.Errorf("map String = %q", got)
	}
	it := Iter(m)
	if it.Len() != 2 {
		t.Errorf("map Len = %d", it.Len())
	}
	// Damage is reported, never a panic.
	bad := Value{K: k, S: arr.S[:len(arr.S)-3]}
	if _, err := Parts(nil, bad); err == nil {
		t.Error("cut value read without error")
	}
	if _, err := Parts(nil, Value{K: k, S: "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"}); err == nil {
		t.Error("huge count read without error")
	}
}

func TestNestedCompareAndKeys(t *testing.T) {
	ak := ArrayOf(Int)
	arr := func(xs ...any) Value {
		vs := make([]Value, len(xs))
		for i, x := range xs {
			if x != nil {
				vs[i] = IntValue(int64(x.(int)))
			}
		}
		return ArrayValue(ak, vs)
	}
	order := []Value{arr(), arr(nil), arr(nil, 1), arr(1), arr(1, 2), arr(2)}
	for i := range order {
		for j := range order {
			c := Compare(order[i], order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if c != want {
				t.Errorf("Compare(%v, %v) = %d, want %d", order[i], order[j], c, want)
			}
		}
	}
	fk := ArrayOf(Float)
	z := ArrayValue(fk, []Value{FloatValue(0), FloatValue(math.NaN())})
	nz := ArrayValue(fk, []Value{FloatValue(math.Copysign(0, -1)), FloatValue(-math.NaN())})
	if !bytes.Equal(AppendKey(nil, z), AppendKey(nil, nz)) {
		t.Error("keys of arrays with 0/-0 and NaNs differ")
	}
	for _, v := range []Value{z, arr(1, nil), StructValue(StructOf(Field{"a", ak}), []Value{arr(3)})} {
		key := append(AppendKey(nil, v), 'x')
		back, rest, err := DecodeKey(key)
		if err != nil || string(rest) != "x" || back.K != v.K || !Equal(back, v) {
			t.Errorf("DecodeKey(%v) = %v %q %v", v, back, rest, err)
		}
	}
}

func TestNestedCastAndWiden(t *testing.T) {
	ai, ad, as := ArrayOf(Int), ArrayOf(Float), ArrayOf(String)
	v := ArrayValue(ai, []Value{IntValue(1), NullValue})
	got, err := Cast(v, ad)
	if err != nil || got.String() != "[1.0, null]" {
		t.Errorf("cast to ARRAY<DOUBLE> = %v %v", got, err)
	}
	if got, err := Cast(v, String); err != nil || got.S != "[1, null]" {
		t.Errorf("cast to STRING = %v %v", got, err)
	}
	if _, err := Cast(ArrayValue(as, []Value{StringValue("x")}), ai); err == nil {
		t.Error("cast of 'x' to BIGINT inside an array succeeded")
	}
	if CanCast(String, ai) || CanCast(ai, Int) || !CanCast(ai, as) || CanCast(ai, MapOf(Int, Int)) {
		t.Error("CanCast")
	}
	sa := StructOf(Field{"a", Int})
	sb := StructOf(Field{"b", Float})
	if w := Widen(ai, ad); w != ad {
		t.Errorf("Widen arrays = %v", w)
	}
	if w := Widen(sa, sb); w != String {
		t.Errorf("Widen of structs with other names = %v", w)
	}
	if w := Merge(ArrayOf(sa), ArrayOf(StructOf(Field{"a", Float}, Field{"B", String}))); w.String() != "ARRAY<STRUCT<B: STRING, a: DOUBLE>>" {
		t.Errorf("Merge = %v", w)
	}
	if w := Merge(ai, String); w != String {
		t.Errorf("Merge array with string = %v", w)
	}
	if w := Merge(Null, sa); w != sa {
		t.Errorf("Merge null = %v", w)
	}
}

func TestNestedCodec(t *testing.T) {
	k := ArrayOf(StructOf(Field{"a", Int}))
	b := NewBatch(Schema{{Name: "x", Kind: k}}, 2)
	b.AppendRow([]Value{ArrayValue(k, []Value{StructValue(k.Elem(), []Value{IntValue(7)})})})
	b.AppendRow([]Value{NullValue})
	back, rest, err := DecodeBatch(AppendBatch(nil, b))
	if err != nil || len(rest) != 0 || back.Cols[0].Kind != k || back.Cols[0].Get(0).String() != "[{7}]" || !back.Cols[0].Get(1).IsNull() {
		t.Fatalf("codec round trip: %v %v", back, err)
	}
}
