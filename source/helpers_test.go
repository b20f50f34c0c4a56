package source

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// writeTree creates files (slash paths relative to dir) with the given
// contents and returns dir.
func writeTree(t testing.TB, dir string, files map[string][]byte) string {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// events returns n NDJSON lines shaped like Segment events, numbered so
// tests can check order.
func events(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		b.WriteString(`{"type":"track","event":"Product Viewed","messageId":"ajs-`)
		b.WriteString(pad(i))
		b.WriteString(`","properties":{"sku":"A-1","price":19.99},"context":{"library":{"name":"analytics.js"}}}` + "\n")
	}
	return b.Bytes()
}

func pad(i int) string {
	const digits = "0123456789"
	s := make([]byte, 8)
	for k := 7; k >= 0; k-- {
		s[k] = digits[i%10]
		i /= 10
	}
	return string(s)
}
