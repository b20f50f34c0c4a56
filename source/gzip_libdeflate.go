//go:build libdeflate && cgo

package source

/*
#cgo LDFLAGS: -ldeflate
#include <libdeflate.h>
*/
import "C"

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Whole-file inflation holds a file's compressed and decoded bytes at once,
// per scan worker. These bounds keep that from growing without limit: a
// larger local file, or one whose output would pass maxWholeOut, streams
// through klauspost as in the default build. Variables so tests can lower
// them.
var (
	maxWholeIn  int64 = 256 << 20
	maxWholeOut       = min(2<<30, math.MaxInt) // 2 GiB, less where int is 32 bits
)

// maxHintRatio caps the first output buffer at this many times the input.
// A cut or corrupt file ends in arbitrary bytes, so its "ISIZE" may claim
// up to 4 GiB; NDJSON event logs compress about 6-10x, so a real file past
// 32x only costs one grow-and-retry.
const maxHintRatio = 32

// wholeStats counts what the whole-file path did, for tests.
var wholeStats struct {
	inflated  atomic.Int64 // files decoded by libdeflate
	retries   atomic.Int64 // members retried with a larger output buffer
	fallbacks atomic.Int64 // files handed to the streaming decoder
}

// inBufs and outBufs recycle the compressed and decoded buffers of
// whole-file inflation, so a worker decoding file after file reuses its
// memory. They are bounded free lists, not sync.Pools: a Pool keeps every
// buffer Put until two GCs pass, and with files of varying size that held
// several times the working set (peak RSS 358 MB against 49 MB streaming on
// the 3M-event benchmark). Two lists, because a compressed buffer is too
// small for the next file's output and would only be thrown away. C memory
// (malloc and free per file, outside the GC's accounting) was tried and did
// worse: 184-209 MB peak RSS and 0.5 s more system time in page faults.
var inBufs, outBufs = make(chan []byte, freeBufs), make(chan []byte, freeBufs)

// freeBufs is how many idle buffers each list keeps: one per worker
// (scan.Options.Workers defaults to GOMAXPROCS).
var freeBufs = runtime.GOMAXPROCS(0)

// getBuf returns an empty buffer with room for n bytes, reusing a free one
// when it is large enough. A new buffer gets a quarter more room, so files a
// little larger than the last do not each allocate again.
func getBuf(list chan []byte, n int) *[]byte {
	select {
	case b := <-list:
		if cap(b) >= n {
			b = b[:0]
			return &b
		}
		// Too small: leave it to the GC rather than keep it.
	default:
	}
	b := make([]byte, 0, n+n/4)
	return &b
}

// putBuf offers *p back to list, dropping it when the list is full.
func putBuf(list chan []byte, p *[]byte) {
	select {
	case list <- (*p)[:0]:
	default:
	}
}

// GzipDecoder names what inflates gzip files in this build, for
// nectar --version.
func GzipDecoder() string { return "libdeflate (local files), " + gzipStream }

// decodeGzip inflates a local gzip file whole with libdeflate, which is
// 2-3x faster than klauspost's streaming inflate (docs/ARCHITECTURE.md,
// "Decompression"). libdeflate needs the entire input and an output buffer
// large enough up front, and cannot return part of a stream, so:
//   - only *os.File sources (the local Store) take this path; S3 objects,
//     whose parallel ranged reader overlaps download with inflation, keep
//     streaming;
//   - anything libdeflate refuses (corrupt or cut data, trailing garbage, a
//     read error, an output past maxWholeOut) is decoded again by the
//     streaming path from the bytes already read, so errors, ErrTruncated
//     and the bytes before a cut are exactly the default build's.
func decodeGzip(ctx context.Context, br *bufio.Reader, raw io.Reader) (io.Reader, func() error, error) {
	f, ok := raw.(*os.File)
	if !ok {
		return streamGzip(br)
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() > maxWholeIn {
		return streamGzip(br)
	}
	// One byte of slack so the read that reports EOF needs no growth.
	inp := getBuf(inBufs, int(fi.Size())+1)
	in, rerr := readWhole(br, *inp)
	*inp = in
	if rerr != nil {
		// Let the stream decode what arrived and then meet the same error.
		return fallback(inp, io.MultiReader(bytes.NewReader(in), &failReader{rerr}))
	}
	outp, ok := inflateWhole(in)
	if !ok {
		return fallback(inp, bytes.NewReader(in))
	}
	putBuf(inBufs, inp)
	wholeStats.inflated.Add(1)
	// Reads still stop once ctx is done, as Open promises, although the
	// bytes are already decoded.
	dec := &ctxReader{ctx: ctx, r: bytes.NewReader(*outp)}
	return dec, func() error { putBuf(outBufs, outp); return nil }, nil
}

// fallback streams r, which reads from the pooled *inp, through klauspost
// and returns inp to the pool when the caller closes the decoder.
func fallback(inp *[]byte, r io.Reader) (io.Reader, func() error, error) {
	wholeStats.fallbacks.Add(1)
	dec, closeDec, err := streamGzip(r)
	if err != nil {
		putBuf(inBufs, inp)
		return nil, nil, err
	}
	return dec, func() error {
		err := closeDec()
		putBuf(inBufs, inp)
		return err
	}, nil
}

// inflateWhole decodes every gzip member of in into one pooled buffer. A
// member's size is unknown until it is decoded (only the last member's
// ISIZE is at hand, mod 2^32), so a member that does not fit is retried
// with twice the room. It reports false for anything but clean success.
func inflateWhole(in []byte) (*[]byte, bool) {
	d := C.libdeflate_alloc_decompressor()
	if d == nil {
		return nil, false
	}
	defer C.libdeflate_free_decompressor(d)

	// Clamped without multiplying, which could overflow a 32-bit int.
	size := max(min(gzipSizeHint(in), maxWholeOut), 0)
	if len(in) < size/maxHintRatio {
		size = len(in) * maxHintRatio
	}
	outp := getBuf(outBufs, size)
	out := *outp
	for len(in) > 0 {
		for {
			avail := out[len(out):cap(out)]
			var inUsed, outUsed C.size_t
			// Go memory without Go pointers may be passed to C for the
			// call's duration (cmd/cgo, "Passing pointers").
			res := C.libdeflate_gzip_decompress_ex(d,
				unsafe.Pointer(&in[0]), C.size_t(len(in)),
				unsafe.Pointer(unsafe.SliceData(avail)), C.size_t(len(avail)),
				&inUsed, &outUsed)
			if res == C.LIBDEFLATE_SUCCESS && inUsed > 0 {
				out = out[:len(out)+int(outUsed)]
				in = in[inUsed:]
				break
			}
			if res != C.LIBDEFLATE_INSUFFICIENT_SPACE || cap(out) >= maxWholeOut {
				*outp = out
				putBuf(outBufs, outp)
				return nil, false
			}
			wholeStats.retries.Add(1)
			next := cap(out) + max(cap(out), 64<<10)
			if next > maxWholeOut || next < 0 { // < 0: overflowed
				next = maxWholeOut
			}
			grown := make([]byte, len(out), next)
			copy(grown, out)
			// The outgrown buffer is left to the GC: kept, it would sit in
			// the free list ahead of the larger ones and be taken and
			// dropped by the next file.
			out = grown
		}
	}
	*outp = out
	return outp, true
}

// readWhole appends r's bytes to b until EOF; unlike io.ReadAll it keeps
// the pooled buffer when it is already large enough.
func readWhole(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// failReader returns err forever, after the bytes a read error cut off.
type failReader struct{ err error }

func (f *failReader) Read([]byte) (int, error) { return 0, f.err }
