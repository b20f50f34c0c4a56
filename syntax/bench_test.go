package syntax

import "testing"

// BenchmarkParse measures parsing the seed analysis; parsing happens once
// per query, so this guards against accidental blow-ups, not per-row cost.
func BenchmarkParse(b *testing.B) {
	src := acceptedCases[0].src + ";\n" + acceptedCases[1].src + ";\n" + acceptedCases[5].src
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := ParseScript(src); err != nil {
			b.Fatal(err)
		}
	}
}
