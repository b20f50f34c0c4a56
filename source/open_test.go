package source

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestOpenDetectsCompressionByMagic(t *testing.T) {
	plain := events(50)
	multi := append(gzipBytes(t, plain[:len(plain)/2]), gzipBytes(t, plain[len(plain)/2:])...)
	bom := append([]byte{0xef, 0xbb, 0xbf}, plain...)
	leadingSpace := append([]byte("\n\n  \r\n"), plain...)
	tests := []struct {
		name string
		file string // extensions deliberately lie
		data []byte
		want []byte
	}{
		{"plain", "a.json", plain, plain},
		{"gzip named .json", "a.json", gzipBytes(t, plain), plain},
		{"zstd named .gz", "a.gz", zstdBytes(t, plain), plain},
		{"plain named .gz", "a.gz", plain, plain},
		{"gzip named .zst", "a.zst", gzipBytes(t, plain), plain},
		{"multi-member gzip", "cat.gz", multi, plain},
		{"multi-frame zstd", "cat.zst", append(zstdBytes(t, plain[:100]), zstdBytes(t, plain[100:])...), plain},
		{"byte order mark dropped", "bom.json", bom, plain},
		{"leading blank lines kept", "ws.json", leadingSpace, leadingSpace},
		{"gzip of leading blank lines", "ws.gz", gzipBytes(t, leadingSpace), leadingSpace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, t.TempDir(), map[string][]byte{tt.file: tt.data})
			got := readAll(t, File{Path: filepath.ToSlash(filepath.Join(dir, tt.file))})
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("got %d bytes, want %d; first diff near %q", len(got), len(tt.want), firstDiff(got, tt.want))
			}
		})
	}
}

func readAll(t *testing.T, f File) []byte {
	t.Helper()
	rc, err := Open(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func firstDiff(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return string(a[max(0, i-10):min(len(a), i+10)])
		}
	}
	return ""
}

func TestOpenRejectsNonLogs(t *testing.T) {
	parquet := append([]byte("PAR1\x15\x04\x15"), make([]byte, 64)...)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty file", nil, ErrNotLog},
		{"empty gzip", gzipBytes(t, nil), ErrNotLog},
		{"empty zstd", zstdBytes(t, nil), ErrNotLog},
		{"whitespace only", []byte(" \n\r\n\t\n"), ErrNotLog},
		// Segment writes this object when the destination is set up.
		{"dummy-object.txt", []byte("This is a dummy object created by Segment to verify access.\n"), ErrNotLog},
		{"parquet", parquet, ErrNotLog},
		{"gzipped parquet", gzipBytes(t, parquet), ErrNotLog},
		{"json array", []byte(`[{"a":1}]`), ErrNotLog},
		{"gzip header cut", gzipBytes(t, events(3))[:5], ErrTruncated},
		{"more whitespace than the sniff window", bytes.Repeat([]byte("\n"), sniffSize+10), ErrNotLog},
		{"an object line only past the sniff window", append(bytes.Repeat([]byte("garbage\n"), sniffSize/8+1), `{"a":1}`+"\n"...), ErrNotLog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, t.TempDir(), map[string][]byte{"f.gz": tt.data})
			rc, err := Open(context.Background(), File{Path: dir + "/f.gz"})
			if err == nil {
				rc.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestOpenReadsDamagedFirstLines: a log whose first lines are damaged is
// read whole, its bad lines left for the scan to count, rather than
// dropped as a non-log file with its good lines.
func TestOpenReadsDamagedFirstLines(t *testing.T) {
	for _, data := range [][]byte{
		[]byte("garbage\n{\"id\":1}\n{\"id\":2}\n"),
		[]byte("\n  not json\r\n\t{\"id\":1}\n"),
		gzipBytes(t, []byte("[1,2]\n{\"id\":1}\n")),
		append(bytes.Repeat([]byte("x\n"), 20000), `{"id":1}`+"\n"...), // found past the first peeks
	} {
		dir := writeTree(t, t.TempDir(), map[string][]byte{"f.json": data})
		rc, err := Open(context.Background(), File{Path: dir + "/f.json"})
		if err != nil {
			t.Fatalf("Open of %.20q: %v", data, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Contains(got, []byte(`{"id":1}`)) {
			t.Errorf("read %.30q, %v", got, err)
		}
	}
}

func TestOpenTruncatedReturnsDecodedPrefix(t *testing.T) {
	plain := events(4000) // several deflate blocks, several zstd blocks
	tests := []struct {
		name string
		data []byte
	}{
		{"gzip", gzipBytes(t, plain)},
		{"zstd", zstdBytes(t, plain)},
		{"second gzip member cut", append(gzipBytes(t, plain[:len(plain)/2]), gzipBytes(t, plain[len(plain)/2:])...)},
	}
	for _, tt := range tests {
		for _, frac := range []float64{0.3, 0.7, 0.999} {
			cut := tt.data[:int(float64(len(tt.data))*frac)]
			dir := writeTree(t, t.TempDir(), map[string][]byte{"cut.gz": cut})
			rc, err := Open(context.Background(), File{Path: dir + "/cut.gz"})
			if err != nil {
				t.Fatalf("%s cut at %.3f: Open: %v", tt.name, frac, err)
			}
			lr := NewLineReader(rc, 0)
			var good int64
			var last error
			for {
				line, n, err := lr.Next()
				if err != nil {
					last = err
					break
				}
				if !bytes.HasPrefix(plain[len(plain)/4000*int(n-1):], line) || len(line) == 0 {
					t.Fatalf("%s: line %d is not the original line: %q", tt.name, n, line)
				}
				good = n
			}
			rc.Close()
			if !errors.Is(last, ErrTruncated) {
				t.Errorf("%s cut at %.3f: final error %v, want ErrTruncated", tt.name, frac, last)
			}
			// Not every byte before the cut is decodable (the codec may
			// hold back a block), but most of it must come out.
			if minGood := int64(frac*4000) / 2; good < minGood {
				t.Errorf("%s cut at %.3f: %d good lines, want at least %d", tt.name, frac, good, minGood)
			}
		}
	}
}

func TestOpenContextCancelStopsReading(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string][]byte{"big.gz": gzipBytes(t, events(20000))})
	ctx, cancel := context.WithCancel(context.Background())
	rc, err := Open(ctx, File{Path: dir + "/big.gz"})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	cancel()
	_, err = io.Copy(io.Discard, rc)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v, want context.Canceled", err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		path string
		want error
	}{
		{"s3 without bucket", "s3:///segment-logs/x.gz", ErrBadS3URL},
		{"s3a without bucket", "S3A:///x.gz", ErrBadS3URL},
		{"missing", filepath.ToSlash(t.TempDir()) + "/missing.gz", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(context.Background(), File{Path: tt.path})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open(%s) = %v, want %v", tt.path, err, tt.want)
			}
		})
	}
}
