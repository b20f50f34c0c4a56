//go:build cgo

package zlibng

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

func gz(t *testing.T, parts ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, p := range parts {
		w := gzip.NewWriter(&out)
		if _, err := w.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func lines(n int) []byte {
	var b bytes.Buffer
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		b.WriteString(`{"event":"Added to Cart","n":`)
		b.WriteString(string(rune('0' + i%10)))
		b.WriteString(`,"r":"`)
		for range r.IntN(40) {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		b.WriteString("\"}\n")
	}
	return b.Bytes()
}

// inflate reads all of data through a Reader, with reads of size step
// (0: io.ReadAll's) over a source that returns one byte at a time when
// oneByte is set.
func inflate(t *testing.T, data []byte, oneByte bool, step int) ([]byte, error) {
	t.Helper()
	var src io.Reader = bytes.NewReader(data)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	r, err := NewReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if step == 0 {
		return io.ReadAll(r)
	}
	var out []byte
	buf := make([]byte, step)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestInflateMatchesCompressGzip(t *testing.T) {
	plain := lines(5000)
	third := len(plain) / 3
	cases := map[string][]byte{
		"one member":  gz(t, plain),
		"three":       gz(t, plain[:third], plain[third:2*third], plain[2*third:]),
		"empty first": gz(t, nil, plain),
		"empty last":  gz(t, plain, nil),
		"only empty":  gz(t, nil),
		"incompressible": gz(t, func() []byte {
			b := make([]byte, 300<<10)
			_, _ = rand.NewChaCha8([32]byte{3}).Read(b)
			return b
		}()),
	}
	for name, data := range cases {
		want, err := io.ReadAll(must(gzip.NewReader(bytes.NewReader(data))))
		if err != nil {
			t.Fatal(err)
		}
		for _, oneByte := range []bool{false, true} {
			for _, step := range []int{0, 1, 7, 4096} {
				if oneByte && step == 1 && len(data) > 100<<10 {
					continue
				}
				got, err := inflate(t, data, oneByte, step)
				if err != nil {
					t.Fatalf("%s (one byte %v, step %d): %v", name, oneByte, step, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s (one byte %v, step %d): got %d bytes, want %d", name, oneByte, step, len(got), len(want))
				}
			}
		}
	}
}

func TestCutStreamIsUnexpectedEOFAfterItsBytes(t *testing.T) {
	plain := lines(2000)
	data := gz(t, plain)
	for _, cut := range []int{1, 5, 10, 11, 100, len(data) / 2, len(data) - 8, len(data) - 1} {
		got, err := inflate(t, data[:cut], false, 0)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d of %d: err %v, want io.ErrUnexpectedEOF", cut, len(data), err)
		}
		if !bytes.HasPrefix(plain, got) {
			t.Fatalf("cut at %d: the bytes before the cut are not a prefix of the data", cut)
		}
	}
}

func TestCorruptStreamIsAnError(t *testing.T) {
	good := gz(t, lines(2000))
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x55; return b }
	for name, data := range map[string][]byte{
		"bad magic":      flip(0),
		"bad method":     flip(2),
		"bad CRC":        flip(len(good) - 8),
		"bad ISIZE":      flip(len(good) - 4),
		"garbage after":  append(bytes.Clone(good), "not gzip at all"...),
		"flipped middle": flip(len(good) / 2),
	} {
		_, err := inflate(t, data, false, 0)
		if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: err %v, want a corruption error", name, err)
		}
	}
}

// Fewer bytes than a member's header after the last member read as a cut
// stream, as compress/gzip and klauspost/compress read them.
func TestShortJunkAfterLastMemberIsUnexpectedEOF(t *testing.T) {
	plain := lines(500)
	for _, junk := range []string{"\n", "\x00\x00", "not gzip", "\x1f\x8b\x08"} {
		got, err := inflate(t, append(gz(t, plain), junk...), false, 0)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(got, plain) {
			t.Errorf("junk %q: got %d bytes and %v, want all %d and io.ErrUnexpectedEOF", junk, len(got), err, len(plain))
		}
		_, want := io.ReadAll(must(gzip.NewReader(bytes.NewReader(append(gz(t, plain), junk...)))))
		if !errors.Is(want, io.ErrUnexpectedEOF) {
			t.Fatalf("compress/gzip gives %v for junk %q: the test's premise is wrong", want, junk)
		}
	}
}

func TestReadAfterErrorAndClose(t *testing.T) {
	r, err := NewReader(bytes.NewReader([]byte("not gzip at all")))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	_, err1 := r.Read(buf)
	_, err2 := r.Read(buf)
	if err1 == nil || err1 != err2 {
		t.Fatalf("errors %v then %v, want the same error twice", err1, err2)
	}
	r.Close()
	r.Close()
	if _, err := r.Read(buf); err == nil {
		t.Fatal("read after close succeeded")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
