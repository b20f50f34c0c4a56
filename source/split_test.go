package source

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenRangeReadsExactlyTheRange(t *testing.T) {
	dir := t.TempDir()
	data := []byte("{\"a\":1}\n{\"a\":2}\r\n\n{\"a\":3}")
	p := filepath.Join(dir, "x.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f := File{Path: p, Size: int64(len(data))}
	for _, rg := range []Range{{0, 8}, {8, 17}, {17, -1}, {0, -1}, {int64(len(data)), -1}} {
		rc, err := OpenRange(context.Background(), f, rg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.Close(); err != nil {
			t.Fatal(err)
		}
		end := rg.End
		if end < 0 {
			end = int64(len(data))
		}
		if string(got) != string(data[rg.Start:end]) {
			t.Errorf("range %v: %q, want %q", rg, got, data[rg.Start:end])
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	rc, err := OpenRange(ctx, f, Range{0, -1})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	cancel()
	if _, err := io.ReadAll(rc); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v, want context.Canceled", err)
	}
	if _, err := OpenRange(context.Background(), File{Path: "s3://b/k.json"}, Range{0, -1}); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("OpenRange on S3: %v, want ErrUnsupported", err)
	}
	if _, err := OpenRange(context.Background(), File{Path: filepath.Join(dir, "missing")}, Range{0, -1}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenRange on a missing file: %v, want ErrNotExist", err)
	}
}

// TestLinesCountsEveryLine: the count a split file's ranges add up must
// include blank and over-long lines and a last line without newline, or
// the line numbers of later ranges drift.
func TestLinesCountsEveryLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"", 0},
		{"a\n", 1},
		{"a", 1},
		{"a\n\n  \nb", 4},
		{"a\r\n" + strings.Repeat("x", 50) + "\nb\n", 3},
		{"a\n" + strings.Repeat("x", 50), 2},
		{"\n\n", 2},
	} {
		lr := NewLineReader(strings.NewReader(tc.in), 10)
		for {
			_, _, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil && !errors.Is(err, ErrLineTooLong) {
				t.Fatal(err)
			}
		}
		if got := lr.Lines(); got != tc.want {
			t.Errorf("%q: Lines() = %d, want %d", tc.in, got, tc.want)
		}
	}
}
