package types

import (
	"errors"
	"math"
	"testing"
)

func TestBatchCodecRoundTrip(t *testing.T) {
	schema := Schema{{"b", Bool}, {"i", Int}, {"f", Float}, {"s", String}, {"t", Timestamp}, {"d", Date}, {"n", Null}}
	b := NewBatch(schema, 4)
	b.AppendRow([]Value{BoolValue(true), IntValue(math.MinInt64), FloatValue(math.Inf(-1)), StringValue(""), {K: Timestamp, I: -1}, {K: Date, I: 19000}, NullValue})
	b.AppendRow([]Value{NullValue, NullValue, NullValue, NullValue, NullValue, NullValue, NullValue})
	b.AppendRow([]Value{BoolValue(false), IntValue(42), FloatValue(-0.5), StringValue("héllo\x00"), {K: Timestamp, I: 1700000000000000}, {K: Date, I: -1}, NullValue})
	enc := AppendBatch([]byte("prefix"), b)[len("prefix"):]
	enc = append(enc, "rest"...)
	got, rest, err := DecodeBatch(enc)
	if err != nil {
		t.Fatal(err)
	}
	if string(rest) != "rest" || got.Len != 3 {
		t.Fatalf("rest %q, len %d", rest, got.Len)
	}
	for r := range b.Len {
		for j := range schema {
			w, g := b.Cols[j].Get(r), got.Cols[j].Get(r)
			if w.K != g.K || w.I != g.I || w.S != g.S || !(w.F == g.F || math.IsNaN(w.F) && math.IsNaN(g.F)) {
				t.Errorf("row %d column %s: got %v, want %v", r, schema[j].Name, g, w)
			}
		}
	}
	// Every cut of the encoding is an error, never a panic.
	for i := range len(enc) - len("rest") {
		if _, _, err := DecodeBatch(enc[:i]); !errors.Is(err, ErrCodec) {
			t.Fatalf("cut at %d: %v", i, err)
		}
	}
}
