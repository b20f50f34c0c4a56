package source

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"testing"
	"testing/iotest"
	"time"
)

func init() {
	if os.Getenv("NECTAR_TEST_READAHEAD") != "" {
		alwaysReadAhead = true
	}
}

// errAfter yields data in uneven reads, then err.
type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p[:min(len(p), 7777)], e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReadAheadSameBytesThenError(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 3*aheadBlockSize/17+5) // past several blocks
	boom := errors.New("boom")
	for _, end := range []error{io.EOF, io.ErrUnexpectedEOF, boom} {
		closed := 0
		r, closeFn := readAhead(&errAfter{data: data, err: end}, func() error { closed++; return nil })
		// Small reads: blocks are handed on across many Read calls.
		got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(r, 1000)))
		if err != nil || !bytes.Equal(got, data[:1000]) {
			t.Fatalf("%v: first bytes %q, %v", end, got, err)
		}
		rest, err := io.ReadAll(r)
		if end == io.EOF {
			if err != nil {
				t.Fatalf("ReadAll: %v", err)
			}
		} else if err != end {
			t.Fatalf("error %v, want %v", err, end)
		}
		if !bytes.Equal(append(got, rest...), data) {
			t.Fatalf("%v: %d bytes, want %d", end, len(got)+len(rest), len(data))
		}
		if _, err := r.Read(make([]byte, 1)); err != end && !(end == io.EOF && err == io.EOF) {
			t.Fatalf("%v: read after the end: %v", end, err)
		}
		if err := closeFn(); err != nil || closed != 1 {
			t.Fatalf("close: %v, decoder closed %d times", err, closed)
		}
		if _, err := r.Read(make([]byte, 1)); !errors.Is(err, errAheadClosed) {
			t.Fatalf("read after close: %v", err)
		}
	}
}

// endless never ends and counts its reads.
type endless struct{ reads int }

func (e *endless) Read(p []byte) (int, error) {
	e.reads++
	return len(p), nil
}

func TestReadAheadCloseMidStreamStopsTheInflater(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		dec := &endless{}
		closeErr := errors.New("closed")
		r, closeFn := readAhead(dec, func() error { return closeErr })
		if _, err := io.ReadFull(r, make([]byte, aheadBlockSize+1)); err != nil {
			t.Fatal(err)
		}
		if err := closeFn(); err != closeErr {
			t.Fatalf("close returned %v, want the decoder's error", err)
		}
		// It read ahead by the few blocks it may hold, no further.
		if dec.reads > aheadBlocks+2 {
			t.Fatalf("%d reads of %d-byte blocks ahead of a reader that took two", dec.reads, aheadBlockSize)
		}
		if closeFn() != nil {
			t.Fatal("second close must be a no-op")
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines left behind", n-before)
	}
}

// hesitant returns 0, nil before every byte it gives.
type hesitant struct {
	data  []byte
	empty bool
}

func (h *hesitant) Read(p []byte) (int, error) {
	if h.empty = !h.empty; h.empty {
		return 0, nil
	}
	if len(h.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:1], h.data)
	h.data = h.data[n:]
	return n, nil
}

// A decoder that now and then returns 0, nil is slow, not stuck: only
// aheadMaxEmpty such reads in a row are.
func TestReadAheadEmptyReadsInARowOnly(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 3*aheadMaxEmpty)
	r, closeFn := readAhead(&hesitant{data: data}, func() error { return nil })
	defer closeFn()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, %v; want %d", len(got), err, len(data))
	}
}

// stuck returns 0, nil forever.
type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }

func TestReadAheadStuckDecoderIsNoProgress(t *testing.T) {
	r, closeFn := readAhead(stuck{}, func() error { return nil })
	defer closeFn()
	if _, err := io.ReadAll(r); err != io.ErrNoProgress {
		t.Fatalf("got %v, want io.ErrNoProgress", err)
	}
}
