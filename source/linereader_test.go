package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

type lineResult struct {
	line string
	no   int64
	err  error // nil, or the sentinel the error must wrap
}

// collectLines drains lr, stopping after the first error that is neither
// ErrLineTooLong nor nil.
func collectLines(t *testing.T, lr *LineReader) []lineResult {
	t.Helper()
	var out []lineResult
	for range 10000 {
		line, no, err := lr.Next()
		r := lineResult{line: string(line), no: no}
		switch {
		case err == nil:
		case errors.Is(err, ErrLineTooLong):
			r.err = ErrLineTooLong
		case errors.Is(err, ErrTruncated):
			r.err = ErrTruncated
		case err == io.EOF:
			return out
		default:
			t.Fatalf("unexpected error %v", err)
		}
		out = append(out, r)
		if r.err == ErrTruncated {
			// The error must stick.
			if _, _, err := lr.Next(); !errors.Is(err, ErrTruncated) {
				t.Fatalf("after ErrTruncated, Next returned %v", err)
			}
			return out
		}
	}
	t.Fatal("reader never ended")
	return nil
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", 40)
	tests := []struct {
		name    string
		in      string
		maxLine int
		want    []lineResult
	}{
		{"lf", "a\nb\n", 0, []lineResult{{"a", 1, nil}, {"b", 2, nil}}},
		{"crlf", "a\r\nb\r\n", 0, []lineResult{{"a", 1, nil}, {"b", 2, nil}}},
		{"lone cr stays", "a\rb\n", 0, []lineResult{{"a\rb", 1, nil}}},
		{"last line without newline", "a\nb", 0, []lineResult{{"a", 1, nil}, {"b", 2, nil}}},
		{"last line with cr only", "a\nb\r", 0, []lineResult{{"a", 1, nil}, {"b", 2, nil}}},
		{"blank lines counted not returned", "\n\na\n \t\r\n\nb\n\n", 0, []lineResult{{"a", 3, nil}, {"b", 6, nil}}},
		{"only blank", "\n\r\n  ", 0, nil},
		{"empty", "", 0, nil},
		{"exactly max", "abcd\nabcd\r\n", 4, []lineResult{{"abcd", 1, nil}, {"abcd", 2, nil}}},
		{"one over max", "abcde\nok\n", 4, []lineResult{{"", 1, ErrLineTooLong}, {"ok", 2, nil}}},
		{"one over max with crlf", "abcde\r\nok\n", 4, []lineResult{{"", 1, ErrLineTooLong}, {"ok", 2, nil}}},
		{"long line skipped then continue", "a\n" + long + "\nb\n" + long + "\n", 10,
			[]lineResult{{"a", 1, nil}, {"", 2, ErrLineTooLong}, {"b", 3, nil}, {"", 4, ErrLineTooLong}}},
		{"long last line without newline", "a\n" + long, 10, []lineResult{{"a", 1, nil}, {"", 2, ErrLineTooLong}}},
		{"long line beyond the buffer", "a\n" + strings.Repeat("y", 3*lineBufSize) + "\nb", 1000,
			[]lineResult{{"a", 1, nil}, {"", 2, ErrLineTooLong}, {"b", 3, nil}}},
		{"line larger than the first buffer fits the limit", strings.Repeat("z", lineBufSize+5) + "\nq\n", 2 * lineBufSize,
			[]lineResult{{strings.Repeat("z", lineBufSize+5), 1, nil}, {"q", 2, nil}}},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"one byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			if rd.name == "one byte" && len(tt.in) > 10000 {
				continue // too slow to be worth it
			}
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				got := collectLines(t, NewLineReader(rd.wrap(strings.NewReader(tt.in)), tt.maxLine))
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Fatalf("\n got %v\nwant %v", trimResults(got), trimResults(tt.want))
				}
			})
		}
	}
}

func trimResults(rs []lineResult) []lineResult {
	out := slices.Clone(rs)
	for i := range out {
		if len(out[i].line) > 20 {
			out[i].line = out[i].line[:20] + "..."
		}
	}
	return out
}

// cutReader yields data, then the error, as a decompressor does at a cut.
type cutReader struct {
	data []byte
	err  error
}

func (c *cutReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, c.err
	}
	n := copy(p, c.data)
	c.data = c.data[n:]
	return n, nil
}

func TestLineReaderTruncated(t *testing.T) {
	truncated := fmt.Errorf("read x.gz: %w", ErrTruncated)
	tests := []struct {
		name string
		in   string
		want []lineResult
	}{
		{"cut mid line", "a\nb\npart", []lineResult{{"a", 1, nil}, {"b", 2, nil}, {"part", 3, ErrTruncated}}},
		{"cut after newline", "a\nb\n", []lineResult{{"a", 1, nil}, {"b", 2, nil}, {"", 2, ErrTruncated}}},
		{"cut before anything", "", []lineResult{{"", 0, ErrTruncated}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collectLines(t, NewLineReader(&cutReader{[]byte(tt.in), truncated}, 0))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestLineReaderNoProgress(t *testing.T) {
	_, _, err := NewLineReader(zeroReader{}, 0).Next()
	if !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("got %v, want io.ErrNoProgress", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestLineReaderAllocs(t *testing.T) {
	data := events(5000)
	lr := NewLineReader(bytes.NewReader(data), 0)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, _, err := lr.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per line, want 0", allocs)
	}
}

func BenchmarkLineReaderGzip(b *testing.B) {
	data := events(20000)
	dir := writeTree(b, b.TempDir(), map[string][]byte{"events.gz": gzipBytes(b, data)})
	f := File{Path: dir + "/events.gz"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rc, err := Open(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		lr := NewLineReader(rc, 0)
		n := 0
		for {
			_, _, err := lr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		rc.Close()
		if n != 20000 {
			b.Fatalf("%d lines", n)
		}
	}
}

// FuzzLineReader checks LineReader against a plain split of the input.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("a\nb\r\n\n  \nlong line here\nlast"), 4)
	f.Add([]byte("{\"a\":1}\r\n\r\n{\"b\":2}"), 100)
	f.Add([]byte("\r\r\n\n\r"), 1)
	f.Fuzz(func(t *testing.T, in []byte, maxLine int) {
		if maxLine <= 0 || maxLine > 1<<20 {
			return
		}
		var want []lineResult
		parts := bytes.Split(in, []byte("\n"))
		if len(parts) > 0 && len(parts[len(parts)-1]) == 0 {
			parts = parts[:len(parts)-1] // text ends with a newline
		}
		for i, p := range parts {
			p = bytes.TrimSuffix(p, []byte("\r"))
			switch {
			case len(p) > maxLine:
				want = append(want, lineResult{"", int64(i + 1), ErrLineTooLong})
			case len(bytes.Trim(p, " \t\r")) == 0:
			default:
				want = append(want, lineResult{string(p), int64(i + 1), nil})
			}
		}
		got := collectLines(t, NewLineReader(iotest.HalfReader(bytes.NewReader(in)), maxLine))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("input %q max %d\n got %v\nwant %v", in, maxLine, got, want)
		}
	})
}
