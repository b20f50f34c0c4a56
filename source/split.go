package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Range is a byte range [Start, End) of a file. End < 0 means "to the end
// of the file as it is when read", so a file that grows after splitting is
// read as far as Open would read it.
type Range struct {
	Start, End int64
}

// Split cuts a local, uncompressed log file into newline-aligned ranges of
// about size bytes, so that several workers can decode one large file. Every
// range but the last ends just after a '\n', so every line lies wholly in
// one range and line numbers are the newlines before a range plus those
// within it. A leading UTF-8 byte order mark is left out of the first range,
// as Open drops it.
//
// It returns nil (and no error) when the file should be read whole instead:
// it is remote, compressed, smaller than minSize, not a log by Open's test,
// or has no newline past the first range. Open then reports any problem
// exactly as it would for any file.
func Split(ctx context.Context, f File, size, minSize int64) ([]Range, error) {
	if IsS3(f.Path) || size <= 0 {
		return nil, nil
	}
	fh, err := os.Open(filepath.FromSlash(f.Path))
	if err != nil {
		return nil, nil // Open will say why
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < minSize || st.Size() <= size {
		return nil, nil
	}
	total := st.Size()
	head := make([]byte, sniffSize+len(utf8BOM))
	n, err := fh.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("split %s: %w", f.Path, err)
	}
	head = head[:n]
	if bytes.HasPrefix(head, gzipMagic) || bytes.HasPrefix(head, zstdMagic) {
		return nil, nil
	}
	var start int64
	if bytes.HasPrefix(head, utf8BOM) {
		start = int64(len(utf8BOM))
	}
	// Only a file Open would accept is split: its first non-whitespace
	// byte within sniffSize is '{'. Anything else is read whole, so that
	// ErrNotLog and its counting stay in one place.
	body := head[start:min(int64(len(head)), start+sniffSize)]
	if !startsObject(body) {
		return nil, nil
	}
	var ranges []Range
	buf := make([]byte, 64<<10)
	for pos := start; ; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next, ok, err := nextLineStart(fh, buf, pos+size, total)
		if err != nil {
			return nil, fmt.Errorf("split %s: %w", f.Path, err)
		}
		if !ok {
			ranges = append(ranges, Range{Start: pos, End: -1})
			break
		}
		ranges = append(ranges, Range{Start: pos, End: next})
		pos = next
	}
	if len(ranges) < 2 {
		return nil, nil
	}
	return ranges, nil
}

// startsObject reports whether the first non-whitespace byte of b is '{'.
func startsObject(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return c == '{'
		}
	}
	return false
}

// nextLineStart finds the first line that starts at or after target: the
// byte after the first '\n' at target-1 or later. A '\n' at target-1 makes
// target itself a line start, so a line beginning exactly at the target
// starts the next range. ok is false when no line starts before total.
func nextLineStart(r io.ReaderAt, buf []byte, target, total int64) (int64, bool, error) {
	for off := target - 1; off < total; {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), total-off)], off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			next := off + int64(i) + 1
			return next, next < total, nil
		}
		off += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, false, err
		}
	}
	return 0, false, nil
}

// OpenRange returns the bytes of rg in local file f, uncompressed and
// unsniffed: the caller got rg from Split, which checked both. Cancelling
// ctx makes later reads fail.
func OpenRange(ctx context.Context, f File, rg Range) (io.ReadCloser, error) {
	if IsS3(f.Path) {
		return nil, fmt.Errorf("open %s: %w", f.Path, errors.ErrUnsupported)
	}
	fh, err := os.Open(filepath.FromSlash(f.Path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Path, err)
	}
	n := rg.End - rg.Start
	if rg.End < 0 {
		n = 1<<63 - 1 - rg.Start
	}
	sr := io.NewSectionReader(fh, rg.Start, n)
	return &rangeReader{path: f.Path, f: fh, r: &ctxReader{ctx: ctx, r: sr}}, nil
}

type rangeReader struct {
	path string
	f    *os.File
	r    io.Reader
}

func (r *rangeReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read %s: %w", r.path, err)
	}
	return n, err
}

func (r *rangeReader) Close() error {
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", r.path, err)
	}
	return nil
}
