//go:build cgo

// Package zlibng inflates gzip streams with zlib-ng, compiled from the C
// source vendored beside this file (zlib-ng/, zlib License, from
// scripts/zlib-ng.sh). It exists because inflating was about four fifths
// of a scan's CPU with klauspost/compress (profile of the seed query over
// 1M events), and zlib-ng inflates the same files in half the time, as it
// is read, in pieces that overlap with parsing. Without cgo the source
// package reads gzip with klauspost/compress instead, with the same
// results and errors.
package zlibng

/*
#cgo CFLAGS: -D_LARGEFILE64_SOURCE=1 -I${SRCDIR}/zlib-ng
#include "zng_config.h"
#include <stdlib.h>
#include "zlib-ng/zlib-ng.h"

// nectar_inflate runs one inflate step over in and out, which are Go
// memory: they are set on the stream only for the call and cleared after
// it, so that C keeps no Go pointer (cgo's rule).
static int nectar_inflate(zng_stream *s, unsigned char *in, size_t in_len, unsigned char *out, size_t out_len, size_t *consumed, size_t *produced) {
	s->next_in = in;
	s->avail_in = (uint32_t)in_len;
	s->next_out = out;
	s->avail_out = (uint32_t)out_len;
	int ret = zng_inflate(s, Z_NO_FLUSH);
	*consumed = in_len - s->avail_in;
	*produced = out_len - s->avail_out;
	s->next_in = NULL;
	s->avail_in = 0;
	s->next_out = NULL;
	s->avail_out = 0;
	return ret;
}

// 16 + MAX_WBITS: a gzip stream (header and trailer checked), no zlib.
static int nectar_inflate_init(zng_stream *s) { return zng_inflateInit2(s, 16 + MAX_WBITS); }
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"unsafe"
)

// inSize is the compressed bytes read from the source at a time.
const inSize = 64 << 10

// headerSize is a gzip member's fixed header (RFC 1952, 2.3).
const headerSize = 10

// Reader inflates a gzip stream read from src. Concatenated members read as
// one stream, as with compress/gzip. A stream cut short gives the bytes
// before the cut and then io.ErrUnexpectedEOF; corrupt data (a bad header,
// a wrong CRC or length, 10 bytes or more after the last member that are
// not another) is an error. A Reader is not safe for concurrent use; Close frees its C
// memory, and a Reader dropped unclosed frees it when collected.
type Reader struct {
	s      *C.zng_stream // C memory: zlib-ng keeps pointers into it
	src    io.Reader
	in     []byte
	start  int   // in[start:end] is read but not yet inflated
	end    int   //
	srcErr error // what src returned last, io.EOF at the end
	ended  bool  // a member ended; a next one may follow
	err    error // the first error Read returned, returned again

	cleanup runtime.Cleanup // frees s if Close is never called
}

// NewReader starts inflating src.
func NewReader(src io.Reader) (*Reader, error) {
	s := (*C.zng_stream)(C.calloc(1, C.size_t(unsafe.Sizeof(C.zng_stream{}))))
	if s == nil {
		return nil, errors.New("gzip: out of memory")
	}
	if rc := C.nectar_inflate_init(s); rc != C.Z_OK {
		C.free(unsafe.Pointer(s))
		return nil, fmt.Errorf("gzip: zlib-ng init failed (%d)", int(rc))
	}
	r := &Reader{s: s, src: src, in: make([]byte, inSize)}
	// A caller that never closes must not leak zlib-ng's state: it holds
	// the inflate window, some 40 KiB per stream.
	r.cleanup = runtime.AddCleanup(r, freeStream, s)
	return r, nil
}

func freeStream(s *C.zng_stream) {
	C.zng_inflateEnd(s)
	C.free(unsafe.Pointer(s))
}

// Read inflates into p.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.s == nil {
		return 0, errors.New("gzip: read after close")
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) > math.MaxUint32 {
		p = p[:math.MaxUint32]
	}
	for {
		if r.start == r.end && r.srcErr == nil {
			n, err := r.src.Read(r.in)
			r.start, r.end, r.srcErr = 0, n, err
			if n == 0 && err == nil {
				continue
			}
		}
		if r.ended {
			if r.start == r.end {
				if r.srcErr == nil {
					continue
				}
				return 0, r.fail(r.srcErr)
			}
			// Bytes follow a member: another member, or junk. Go's gzip
			// readers read a member's 10-byte header whole, so junk shorter
			// than that at the end is a cut stream (io.ErrUnexpectedEOF),
			// and from 10 bytes on a bad header; so does this reader.
			if r.end-r.start < headerSize && r.srcErr == nil {
				r.end = copy(r.in, r.in[r.start:r.end])
				r.start = 0
				n, err := r.src.Read(r.in[r.end:])
				r.end, r.srcErr = r.end+n, err
				continue
			}
			if r.end-r.start < headerSize {
				return 0, r.failCut()
			}
			// Another member follows: read it as part of the stream.
			if rc := C.zng_inflateReset(r.s); rc != C.Z_OK {
				return 0, r.fail(fmt.Errorf("gzip: zlib-ng reset failed (%d)", int(rc)))
			}
			r.ended = false
		}
		var consumed, produced C.size_t
		var in *C.uchar
		if r.start < r.end {
			in = (*C.uchar)(unsafe.Pointer(&r.in[r.start]))
		}
		rc := C.nectar_inflate(r.s, in, C.size_t(r.end-r.start), (*C.uchar)(unsafe.Pointer(&p[0])), C.size_t(len(p)), &consumed, &produced)
		r.start += int(consumed)
		n := int(produced)
		switch rc {
		case C.Z_STREAM_END:
			r.ended = true
		case C.Z_OK:
		case C.Z_BUF_ERROR:
			// No progress: more input is needed, and none will come.
			if r.start == r.end && r.srcErr != nil {
				return n, r.failCut()
			}
		default:
			msg := "corrupt data"
			if r.s.msg != nil {
				msg = C.GoString(r.s.msg)
			}
			return n, r.fail(fmt.Errorf("gzip: %s", msg))
		}
		if n > 0 {
			return n, nil
		}
	}
}

// failCut fails with the source's error, a stream that ends mid-member
// (io.EOF) being a cut one, io.ErrUnexpectedEOF.
func (r *Reader) failCut() error {
	if r.srcErr == io.EOF {
		return r.fail(io.ErrUnexpectedEOF)
	}
	return r.fail(r.srcErr)
}

// Version is the vendored zlib-ng's version.
const Version = C.ZLIBNG_VERSION

// fail keeps err for later reads and returns it.
func (r *Reader) fail(err error) error {
	r.err = err
	return err
}

// Close frees zlib-ng's memory. It does not close src.
func (r *Reader) Close() error {
	if r.s != nil {
		r.cleanup.Stop()
		freeStream(r.s)
		r.s = nil
	}
	return nil
}
