package output

import (
	"encoding/json"
	"io"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/types"
)

func benchRows(n int) *types.Batch {
	b := types.NewBatch(testSchema, n)
	for i := range n {
		b.AppendRow(testRows[i%len(testRows)])
	}
	return b
}

func BenchmarkJSONWriter(b *testing.B) {
	batch := benchRows(types.BatchSize)
	w := newJSONWriter(io.Discard, testSchema)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(batch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCSVWriter(b *testing.B) {
	batch := benchRows(types.BatchSize)
	w, err := newCSVWriter(io.Discard, testSchema)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(batch); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzJSONRow checks that any string renders as valid JSON that decodes
// back to the same text (after invalid UTF-8 becomes U+FFFD).
func FuzzJSONRow(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00\n\u2028", "日本", "\xff\xfe"} {
		f.Add(s)
	}
	sch := types.Schema{{Name: "s", Kind: types.String}}
	f.Fuzz(func(t *testing.T, s string) {
		out := JSONRow(nil, sch, []types.Value{types.StringValue(s)})
		var m map[string]string
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("JSONRow(%q) = %s: %v", s, out, err)
		}
		want := s
		if !utf8.ValidString(s) {
			want = string([]rune(s))
		}
		if m["s"] != want {
			t.Fatalf("round trip of %q gave %q", s, m["s"])
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, x := range []float64{0, math.Copysign(0, -1), 2, 0.1, 1e15, 1e-5, 123456789012345678, 1e21, 5e-324, -1.5e300} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		if got, want := string(appendFloat(nil, x)), types.FormatFloat(x); got != want {
			t.Fatalf("appendFloat(%v) = %s, FormatFloat = %s", x, got, want)
		}
	})
}
