package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// These tests run in both builds with the same expectations (scripts/
// libdeflate-test.sh runs them with -tags libdeflate): whichever decoder
// decodeGzip picks, Open must return the same bytes and the same errors.

// withSizeHint replaces the ISIZE hint for one test, so the libdeflate
// build starts with a wrong output size and must grow and retry.
func withSizeHint(t *testing.T, hint func([]byte) int) {
	t.Helper()
	old := gzipSizeHint
	gzipSizeHint = hint
	t.Cleanup(func() { gzipSizeHint = old })
}

// openBytes writes data to a temp file and reads it through Open, returning
// what came out before the first error.
func openBytes(t *testing.T, data []byte) (path string, got []byte, err error) {
	t.Helper()
	dir := writeTree(t, t.TempDir(), map[string][]byte{"f.gz": data})
	path = dir + "/f.gz"
	rc, err := Open(context.Background(), File{Path: path})
	if err != nil {
		return path, nil, err
	}
	defer rc.Close()
	got, err = io.ReadAll(rc)
	return path, got, err
}

func TestGzipDecodesWithAnySizeHint(t *testing.T) {
	plain := events(3000)
	third := len(plain) / 3
	multi := append(gzipBytes(t, plain[:third]), gzipBytes(t, plain[third:2*third])...)
	multi = append(multi, gzipBytes(t, plain[2*third:])...)
	emptyFirst := append(gzipBytes(t, nil), gzipBytes(t, plain)...)
	emptyMiddle := append(gzipBytes(t, plain[:third]), gzipBytes(t, nil)...)
	emptyMiddle = append(emptyMiddle, gzipBytes(t, plain[third:])...)
	emptyLast := append(gzipBytes(t, plain), gzipBytes(t, nil)...)
	files := []struct {
		name string
		data []byte
	}{
		{"one member", gzipBytes(t, plain)},
		{"three members", multi},
		{"empty first member", emptyFirst},
		{"empty middle member", emptyMiddle},
		{"empty last member", emptyLast},
	}
	hints := []struct {
		name string
		hint func([]byte) int
	}{
		{"trailer ISIZE", gzipSizeHint},
		{"hint of one byte", func([]byte) int { return 1 }},
		{"hint of zero", func([]byte) int { return 0 }},
		{"hint one short", func(in []byte) int { return len(plain) - 1 }},
		{"hint far too large", func([]byte) int { return 1 << 31 }},
	}
	for _, h := range hints {
		for _, f := range files {
			t.Run(h.name+"/"+f.name, func(t *testing.T) {
				withSizeHint(t, h.hint)
				_, got, err := openBytes(t, f.data)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, plain) {
					t.Fatalf("got %d bytes, want %d; first diff near %q", len(got), len(plain), firstDiff(got, plain))
				}
			})
		}
	}
}

func TestGzipOnlyEmptyMembersIsNotALog(t *testing.T) {
	for _, data := range [][]byte{
		gzipBytes(t, nil),
		append(gzipBytes(t, nil), gzipBytes(t, nil)...),
	} {
		if _, _, err := openBytes(t, data); !errors.Is(err, ErrNotLog) {
			t.Fatalf("Open of empty gzip members: %v, want ErrNotLog", err)
		}
	}
}

func TestGzipCutGivesWholeLinesThenTruncated(t *testing.T) {
	plain := events(4000)
	lineLen := len(plain) / 4000
	data := append(gzipBytes(t, plain[:len(plain)/2]), gzipBytes(t, plain[len(plain)/2:])...)
	for _, frac := range []float64{0.25, 0.5, 0.75, 0.999} {
		withSizeHint(t, func([]byte) int { return 1 })
		dir := writeTree(t, t.TempDir(), map[string][]byte{"cut.gz": data[:int(float64(len(data))*frac)]})
		rc, err := Open(context.Background(), File{Path: dir + "/cut.gz"})
		if err != nil {
			t.Fatalf("cut at %.3f: Open: %v", frac, err)
		}
		lr := NewLineReader(rc, 0)
		var lines int64
		var last error
		for {
			line, n, err := lr.Next()
			if err != nil {
				last = err
				break
			}
			// Every line before the error is a whole original line.
			if want := plain[lineLen*int(n-1) : lineLen*int(n)-1]; !bytes.Equal(line, want) {
				t.Fatalf("cut at %.3f: line %d = %q, want %q", frac, n, line, want)
			}
			lines = n
		}
		rc.Close()
		if !errors.Is(last, ErrTruncated) {
			t.Fatalf("cut at %.3f: final error %v, want ErrTruncated", frac, last)
		}
		// The streaming decoder holds back at most a block or so.
		if minLines := int64(frac*4000) / 2; lines < minLines {
			t.Errorf("cut at %.3f: %d lines before the cut, want at least %d", frac, lines, minLines)
		}
	}
}

// A few bytes after the last member (a newline, padding) are too short to
// be a member's header: the file reads as cut, in every build, its lines
// kept and ErrTruncated after them.
func TestGzipShortTailIsTruncated(t *testing.T) {
	plain := events(300)
	for _, tail := range []string{"\n", "\x00\x00\x00\x00", "garbage"} {
		_, got, err := openBytes(t, append(gzipBytes(t, plain), tail...))
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("tail %q: err %v, want ErrTruncated", tail, err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("tail %q: got %d bytes, want all %d", tail, len(got), len(plain))
		}
	}
}

func TestGzipCorruptIsAnErrorNamingTheFile(t *testing.T) {
	plain := events(3000)
	good := gzipBytes(t, plain)
	flipped := bytes.Clone(good)
	for i := len(flipped) / 2; i < len(flipped)/2+16; i++ {
		flipped[i] ^= 0xff
	}
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-8] ^= 0x01 // CRC32 of the trailer (RFC 1952, 2.3.1)
	badSize := bytes.Clone(good)
	badSize[len(badSize)-4] ^= 0x01 // ISIZE
	tests := []struct {
		name string
		data []byte
	}{
		{"flipped bytes mid-stream", flipped},
		{"wrong CRC", badCRC},
		{"wrong ISIZE", badSize},
		{"garbage after the last member", append(bytes.Clone(good), "not gzip at all"...)},
		{"bad second member header", append(bytes.Clone(good), 0x1f, 0x8b, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, _, err := openBytes(t, tt.data)
			if err == nil {
				t.Fatal("no error for corrupt gzip")
			}
			if errors.Is(err, ErrTruncated) || errors.Is(err, ErrNotLog) {
				t.Fatalf("error %v: corrupt data must not read as truncated or not-a-log", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name %s", err, path)
			}
		})
	}
}

func TestGzipNotALogSniffedAfterInflation(t *testing.T) {
	for _, data := range [][]byte{
		gzipBytes(t, []byte("[1,2,3]\n")),
		append(gzipBytes(t, []byte(" \n")), gzipBytes(t, []byte("PAR1"))...),
	} {
		if _, _, err := openBytes(t, data); !errors.Is(err, ErrNotLog) {
			t.Fatalf("Open: %v, want ErrNotLog", err)
		}
	}
}

// noisyEvents are events with a random field, so they compress about as
// well as real logs (a few times), not the hundreds of times events(n)
// does, which would pass maxHintRatio and force a retry.
func noisyEvents(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"type":"track","messageId":"ajs-%08d","anonymousId":"%016x%016x"}`+"\n", i, rng.Uint64(), rng.Uint64())
	}
	return b.Bytes()
}

// BenchmarkOpenGzip reads a gzip file of Segment-shaped events through Open
// in whichever build is under test; compare `go test -bench OpenGzip` with
// and without -tags libdeflate. b.SetBytes counts decoded bytes.
func BenchmarkOpenGzip(b *testing.B) {
	plain := noisyEvents(200_000)
	dir := writeTree(b, b.TempDir(), map[string][]byte{"b.gz": gzipBytes(b, plain)})
	f := File{Path: dir + "/b.gz"}
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		rc, err := Open(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		if err != nil || n != int64(len(plain)) {
			b.Fatalf("read %d bytes, err %v; want %d", n, err, len(plain))
		}
		rc.Close()
	}
}
