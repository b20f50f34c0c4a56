package footer

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// enc builds thrift compact bytes by hand, for footers no Parquet writer
// makes: long field headers, fields out of order, maps, sets and doubles.
type enc struct{ b []byte }

func (e *enc) field(delta int, typ byte) *enc {
	e.b = append(e.b, byte(delta)<<4|typ)
	return e
}

// longField writes a header with the field id spelt out.
func (e *enc) longField(id int16, typ byte) *enc {
	e.b = append(e.b, typ)
	e.b = binary.AppendUvarint(e.b, uint64(uint16(id<<1^id>>15)))
	return e
}

func (e *enc) i64(v int64) *enc {
	e.b = binary.AppendUvarint(e.b, uint64(v<<1^v>>63))
	return e
}

func (e *enc) bin(s string) *enc {
	e.b = append(binary.AppendUvarint(e.b, uint64(len(s))), s...)
	return e
}

func (e *enc) list(elem byte, n int) *enc {
	if n < 15 {
		e.b = append(e.b, byte(n)<<4|elem)
	} else {
		e.b = binary.AppendUvarint(append(e.b, 0xf0|elem), uint64(n))
	}
	return e
}

func (e *enc) raw(b ...byte) *enc {
	e.b = append(e.b, b...)
	return e
}

func (e *enc) stop() *enc { return e.raw(tStop) }

// rowGroup encodes a RowGroup whose column c has statistics min c, max
// c+"z" and c null values, preceded by fields the walker must skip.
func rowGroup(rows int64, cols int) []byte {
	e := &enc{}
	e.field(rgColumns, tList).list(tStruct, cols)
	for c := range cols {
		e.field(2, tI64).i64(4)                       // ColumnChunk.file_offset
		e.field(1, tStruct)                           // meta_data
		e.field(1, tI32).i64(6)                       // type
		e.field(1, tList).list(tI32, 2).i64(0).i64(8) // encodings
		e.field(1, tList).list(tBinary, 1).bin("c")   // path_in_schema
		e.field(2, tI64).i64(100)                     // num_values
		e.longField(12, tStruct)                      // statistics, long header
		e.field(stNullCount, tI64).i64(int64(c))
		e.field(2, tBinary).bin("z") // max_value
		e.longField(stMinValue, tBinary).bin(string(rune('a' + c)))
		e.field(1, tTrue) // is_max_value_exact
		e.stop()
		e.field(1, tList).list(tStruct, 1).field(1, tI32).i64(0).field(1, tI32).i64(8).field(1, tI32).i64(1).stop() // encoding_stats
		e.field(2, tMap).raw(1, tBinary<<4|tDouble).bin("k").raw(1, 2, 3, 4, 5, 6, 7, 8)                            // a map no writer uses
		e.stop()
		e.stop()
	}
	e.field(1, tI64).i64(999) // total_byte_size
	e.field(1, tI64).i64(rows)
	e.field(1, tSet).list(tTrue, 2).raw(1, 2)
	return e.stop().b
}

func fileMeta(groups ...[]byte) []byte {
	e := &enc{}
	e.field(1, tI32).i64(2)                                                   // version
	e.field(1, tList).list(tStruct, 1).field(4, tBinary).bin("schema").stop() // schema
	e.field(1, tI64).i64(12345)                                               // num_rows
	e.field(1, tList).list(tStruct, len(groups))
	for _, g := range groups {
		e.raw(g...)
	}
	e.field(2, tBinary).bin("created by someone") // created_by
	e.field(1, tDouble).raw(0, 0, 0, 0, 0, 0, 0, 0)
	return e.stop().b
}

func TestParseHandBuiltFooter(t *testing.T) {
	var groups [][]byte
	for g := range 17 { // more than 14: the long list header
		groups = append(groups, rowGroup(int64(10+g), 3))
	}
	buf := fileMeta(groups...)
	ix, err := Parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	if ix.NumGroups() != 17 {
		t.Fatalf("%d row groups, want 17", ix.NumGroups())
	}
	out := make([]Stats, 3)
	for g := range 17 {
		rows, err := ix.GroupStats(g, []int{2, -1, 0}, out)
		if err != nil {
			t.Fatal(err)
		}
		if rows != int64(10+g) {
			t.Errorf("group %d: %d rows", g, rows)
		}
		for i, c := range []int{2, -1, 0} {
			s := out[i]
			s.TypeDefined = true
			if c < 0 {
				if s.Set {
					t.Errorf("group %d: statistics for leaf -1", g)
				}
				continue
			}
			if !s.Set || s.NumValues != 100 || !s.IsSetNullCount() || s.GetNullCount() != int64(c) ||
				!s.IsSetMin() || string(s.GetMin()) != string(rune('a'+c)) || !s.IsSetMax() || string(s.GetMax()) != "z" {
				t.Errorf("group %d leaf %d: %+v", g, c, s)
			}
			s.TypeDefined = false
			if s.IsSetMin() || s.IsSetMax() {
				t.Errorf("group %d leaf %d: deprecated min/max set", g, c)
			}
		}
	}

	kept := ix.WithGroups([]int{16, 3}, 29)
	want := fileMeta(groups[16], groups[3])
	want = bytes.Replace(want, (&enc{}).field(1, tI64).i64(12345).b, (&enc{}).field(1, tI64).i64(29).b, 1)
	if !bytes.Equal(kept, want) {
		t.Fatalf("WithGroups:\n got %x\nwant %x", kept, want)
	}
	if none := ix.WithGroups(nil, 0); !bytes.Equal(none, bytes.Replace(fileMeta(), (&enc{}).field(1, tI64).i64(12345).b, (&enc{}).field(1, tI64).i64(0).b, 1)) {
		t.Fatalf("WithGroups(nil): %x", none)
	}
}

func TestParseRefuses(t *testing.T) {
	good := fileMeta(rowGroup(1, 1))
	tests := map[string][]byte{
		"empty":                   nil,
		"cut":                     good[:len(good)-3],
		"no num_rows":             (&enc{}).field(4, tList).list(tStruct, 0).stop().b,
		"no row groups":           (&enc{}).field(3, tI64).i64(1).stop().b,
		"row groups not structs":  (&enc{}).field(3, tI64).i64(1).field(1, tList).list(tI32, 1).i64(1).stop().b,
		"encrypted":               append(append([]byte(nil), good[:len(good)-1]...), (&enc{}).longField(fmEncryption, tStruct).stop().stop().b...),
		"bad type":                (&enc{}).field(3, tI64).i64(1).field(1, 13).stop().b,
		"list longer than footer": (&enc{}).field(3, tI64).i64(1).field(1, tList).list(tStruct, 1000).stop().b,
		"deep nesting":            deep(good, 100),
	}
	for name, buf := range tests {
		if _, err := Parse(buf); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// deep appends a field nested n structs deep to a footer.
func deep(footer []byte, n int) []byte {
	e := &enc{b: append([]byte(nil), footer[:len(footer)-1]...)}
	e.longField(20, tStruct)
	for range n {
		e.field(1, tStruct)
	}
	for range n + 2 {
		e.stop()
	}
	return e.b
}

func TestParseNesting(t *testing.T) {
	good := fileMeta(rowGroup(1, 1))
	if _, err := Parse(deep(good, 20)); err != nil {
		t.Fatalf("20 levels: %v", err)
	}
}

// FuzzParse feeds the walker damaged footers (seeds: real footers in
// testdata, written by parquetfile's TestWriteFuzzSeeds). It must never
// panic, and whatever it accepts it must rewrite into a footer it reads
// back with the same row groups.
func FuzzParse(f *testing.F) {
	f.Add(fileMeta(rowGroup(5, 2), rowGroup(7, 1)))
	f.Fuzz(func(t *testing.T, buf []byte) {
		ix, err := Parse(buf)
		if err != nil {
			return
		}
		out := make([]Stats, 3)
		all := make([]int, ix.NumGroups())
		for g := range all {
			all[g] = g
			ix.GroupStats(g, []int{0, 2, -1}, out)
		}
		again, err := Parse(ix.WithGroups(all, 7))
		if err != nil {
			t.Fatalf("rewritten footer not readable: %v", err)
		}
		if again.NumGroups() != ix.NumGroups() {
			t.Fatalf("rewritten footer has %d groups, want %d", again.NumGroups(), ix.NumGroups())
		}
		for g := range all {
			a := again.buf[again.groups[g].start:again.groups[g].end]
			b := ix.buf[ix.groups[g].start:ix.groups[g].end]
			if !bytes.Equal(a, b) {
				t.Fatalf("group %d changed", g)
			}
		}
	})
}
