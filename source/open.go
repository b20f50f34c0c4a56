package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// sniffSize bounds how far Open looks for the first non-whitespace byte. It
// is also the read-ahead buffer, so it stays modest; LineReader buffers more.
const sniffSize = 64 << 10

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
	utf8BOM   = []byte{0xef, 0xbb, 0xbf}
)

// OpenStore is Open over an explicit Store.
func OpenStore(ctx context.Context, st Store, f File) (io.ReadCloser, error) {
	raw, err := st.Open(ctx, f.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Path, err)
	}
	rc, err := decode(ctx, raw, f.Path)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return rc, nil
}

// decode wraps raw in the decompressor its magic bytes call for and checks
// that the decoded content looks like NDJSON.
func decode(ctx context.Context, raw io.ReadCloser, path string) (io.ReadCloser, error) {
	r := &reader{ctx: ctx, path: path, raw: raw}
	br := bufio.NewReaderSize(&ctxReader{ctx: ctx, r: raw}, 32<<10)
	magic, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		// decodeGzip has two builds: the pure-Go stream below, or
		// libdeflate over the whole file (gzip_libdeflate.go).
		dec, closeDec, err := decodeGzip(ctx, br, raw)
		if err != nil {
			return nil, r.wrap(err)
		}
		r.dec, r.closeDec = dec, closeDec
	case bytes.HasPrefix(magic, zstdMagic):
		// One decoder goroutine per file: scan already reads files in
		// parallel, and more would fight over the few cores we have.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, r.wrap(err)
		}
		r.dec, r.closeDec = zr, func() error { zr.Close(); return nil }
	default:
		r.dec = br
	}
	// A *ctxReader decoder is the libdeflate build's whole file, already
	// decoded in memory: nothing to read ahead.
	_, inMemory := r.dec.(*ctxReader)
	if r.closeDec != nil && !inMemory && (alwaysReadAhead || ctx.Value(readAheadKey{}) != nil) {
		r.dec, r.closeDec = readAhead(r.dec, r.closeDec)
	}
	r.buf = bufio.NewReaderSize(&errReader{r: r}, sniffSize)
	if err := r.sniff(); err != nil {
		r.closeDecoder()
		return nil, err
	}
	return r, nil
}

// gzipSizeHint guesses the decoded size of a whole gzip file from its last
// four bytes, the final member's ISIZE: the size mod 2^32, little-endian
// (RFC 1952, section 2.3.1). It is exact for the usual one-member file under
// 4 GiB and only a hint otherwise. The libdeflate build sizes its output
// buffer with it; tests swap it for a wrong one to exercise grow-and-retry.
var gzipSizeHint = func(in []byte) int {
	if len(in) < 4 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(in[len(in)-4:]))
}

// reader is the io.ReadCloser Open returns.
type reader struct {
	ctx      context.Context
	path     string
	raw      io.ReadCloser
	dec      io.Reader // decompressed stream
	closeDec func() error
	buf      *bufio.Reader // over dec, holds the sniffed prefix
}

func (r *reader) Read(p []byte) (int, error) { return r.buf.Read(p) }

// WriteTo lets io.Copy drain the buffer without another copy.
func (r *reader) WriteTo(w io.Writer) (int64, error) { return r.buf.WriteTo(w) }

func (r *reader) Close() error {
	derr := r.closeDecoder()
	if err := r.raw.Close(); err != nil {
		return fmt.Errorf("close %s: %w", r.path, err)
	}
	if derr != nil {
		return fmt.Errorf("close %s: %w", r.path, derr)
	}
	return nil
}

func (r *reader) closeDecoder() error {
	if r.closeDec == nil {
		return nil
	}
	f := r.closeDec
	r.closeDec = nil
	return f()
}

// sniff rejects objects that hold no JSON object line near their start
// (Segment's dummy-object.txt, a Parquet file, a JSON array) and drops a
// leading UTF-8 byte order mark, which JSON parsers refuse. A log whose
// first line is damaged is still a log: when a line within the first
// sniffSize bytes starts with '{', the file is read and the lines before it
// are counted as malformed by the scan, not dropped with the good ones.
// Peeking grows from a small window so that the common case decodes little
// ahead of need.
func (r *reader) sniff() error {
	if head, _ := r.buf.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
		r.buf.Discard(len(utf8BOM))
	}
	for n := 64; ; n = min(2*n, sniffSize) {
		head, err := r.buf.Peek(n)
		for i, c := range head {
			if isSpace(c) {
				continue
			}
			if c == '{' || objectLineAfter(head[i:]) {
				return nil
			}
			if err == nil && len(head) < sniffSize {
				break // look further for an object line
			}
			return fmt.Errorf("open %s: starts with %q and has no JSON object line in its first %d bytes: %w", r.path, c, len(head), ErrNotLog)
		}
		switch {
		case err == io.EOF && len(head) == 0:
			return fmt.Errorf("open %s: empty: %w", r.path, ErrNotLog)
		case err == io.EOF:
			return fmt.Errorf("open %s: only whitespace: %w", r.path, ErrNotLog)
		case err != nil:
			return err // errReader already named the file
		case len(head) == sniffSize:
			// Looking further would mean dropping bytes (and newlines
			// the line numbers count), and no log starts like this.
			return fmt.Errorf("open %s: only whitespace in the first %d bytes: %w", r.path, sniffSize, ErrNotLog)
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// objectLineAfter reports whether a line after the first of b starts, past
// blanks, with '{'.
func objectLineAfter(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return false
		}
		b = b[i+1:]
		j := 0
		for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r') {
			j++
		}
		if j < len(b) && b[j] == '{' {
			return true
		}
	}
}

// wrap adds the path to a decoding error and turns a stream that ends
// early into ErrTruncated.
func (r *reader) wrap(err error) error {
	switch {
	case err == io.EOF:
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("read %s: %w", r.path, ErrTruncated)
	default:
		return fmt.Errorf("read %s: %w", r.path, err)
	}
}

// errReader sits between the decompressor and the buffer so that every
// error a caller sees names the file. It keeps the first error, because
// bufio.Reader hands an error out once and then reads again.
type errReader struct {
	r   *reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.r.dec.Read(p)
	if err != nil {
		e.err = e.r.wrap(err)
	}
	return n, e.err
}

// ctxReader stops reading the raw object once ctx is done, so a cancelled
// query does not decompress the rest of a large file.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
