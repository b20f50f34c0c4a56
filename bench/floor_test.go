package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInflateCountsDecodedBytes(t *testing.T) {
	dir := t.TempDir()
	want := 0
	for i := range 5 {
		var plain bytes.Buffer
		for j := range 100 * (i + 1) {
			fmt.Fprintf(&plain, `{"file":%d,"line":%d}`+"\n", i, j)
		}
		want += plain.Len()
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(plain.Bytes())
		zw.Close()
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.gz", i)), gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, threads := range []int{1, 2, 8} {
		var out strings.Builder
		if err := Inflate(context.Background(), filepath.Join(dir, "*.gz"), threads, &out); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != fmt.Sprintf("bytes\n%d\n", want) {
			t.Fatalf("threads=%d: %q, want %d bytes", threads, got, want)
		}
	}
	// A cut file is an error, not a smaller floor.
	os.WriteFile(filepath.Join(dir, "cut.gz"), []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1, 2}, 0o644)
	if err := Inflate(context.Background(), filepath.Join(dir, "*.gz"), 2, &strings.Builder{}); err == nil {
		t.Fatal("no error for a cut file")
	}
}
