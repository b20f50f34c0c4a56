//go:build libdeflate && cgo

package source

import (
	"bytes"
	"testing"
)

// The shared tests in gzip_test.go would pass even if every file fell back
// to the streaming decoder; these check that libdeflate really does the
// work and that the fallbacks happen where designed.

func TestLibdeflatePathIsTaken(t *testing.T) {
	plain := noisyEvents(3000)
	// The last member, whose ISIZE is the hint, is the smaller: the first
	// does not fit the buffer sized by it.
	cut := len(plain) * 2 / 3
	multi := append(gzipBytes(t, plain[:cut]), gzipBytes(t, plain[cut:])...)
	cases := []struct {
		name                      string
		data                      []byte
		hint                      func([]byte) int
		inflated, retry, fallback bool
	}{
		{"one member, exact ISIZE", gzipBytes(t, plain), gzipSizeHint, true, false, false},
		{"one member, hint too small", gzipBytes(t, plain), func([]byte) int { return 1 }, true, true, false},
		{"two members", multi, gzipSizeHint, true, true, false},
		{"cut", gzipBytes(t, plain)[:5000], gzipSizeHint, false, false, true},
		{"corrupt CRC", func() []byte { b := gzipBytes(t, plain); b[len(b)-8] ^= 1; return b }(), gzipSizeHint, false, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			withSizeHint(t, c.hint)
			// An empty pool makes the output buffer's size the hint's.
			drain(outBufs)
			inflated, retries, fallbacks := wholeStats.inflated.Load(), wholeStats.retries.Load(), wholeStats.fallbacks.Load()
			_, got, err := openBytes(t, c.data)
			if c.inflated && (err != nil || !bytes.Equal(got, plain)) {
				t.Fatalf("got %d bytes, err %v; want %d bytes", len(got), err, len(plain))
			}
			if d := wholeStats.inflated.Load() - inflated; (d > 0) != c.inflated {
				t.Errorf("inflated by libdeflate: %d files, want %v", d, c.inflated)
			}
			if d := wholeStats.retries.Load() - retries; (d > 0) != c.retry {
				t.Errorf("grow-and-retry: %d times, want %v", d, c.retry)
			}
			if d := wholeStats.fallbacks.Load() - fallbacks; (d > 0) != c.fallback {
				t.Errorf("fallback to streaming: %d files, want %v", d, c.fallback)
			}
		})
	}
}

func TestLibdeflateOutputCapFallsBackToStreaming(t *testing.T) {
	plain := events(3000)
	old := maxWholeOut
	maxWholeOut = len(plain) / 2
	t.Cleanup(func() { maxWholeOut = old })
	fallbacks := wholeStats.fallbacks.Load()
	_, got, err := openBytes(t, gzipBytes(t, plain))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("got %d bytes, err %v; want %d bytes", len(got), err, len(plain))
	}
	if wholeStats.fallbacks.Load() == fallbacks {
		t.Error("an output past maxWholeOut did not fall back to streaming")
	}
}

func TestLibdeflateLargeInputStreams(t *testing.T) {
	plain := events(3000)
	old := maxWholeIn
	maxWholeIn = 100
	t.Cleanup(func() { maxWholeIn = old })
	inflated := wholeStats.inflated.Load()
	_, got, err := openBytes(t, gzipBytes(t, plain))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("got %d bytes, err %v; want %d bytes", len(got), err, len(plain))
	}
	if wholeStats.inflated.Load() != inflated {
		t.Error("a file past maxWholeIn was inflated whole")
	}
}

func drain(list chan []byte) {
	for {
		select {
		case <-list:
		default:
			return
		}
	}
}
