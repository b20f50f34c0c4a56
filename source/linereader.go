package source

import (
	"bytes"
	"fmt"
	"io"
)

const (
	// lineBufSize is the initial read buffer: large enough that a read
	// call returns hundreds of ~1.2 KB Segment events.
	lineBufSize = 256 << 10
	// DefaultMaxLine is the limit NewLineReader uses when given maxLine <= 0.
	DefaultMaxLine = 16 << 20
)

// LineReader splits newline-delimited records. It owns one buffer that grows
// only when a line does not fit, up to maxLine, so steady-state reading
// allocates nothing per line.
type LineReader struct {
	r       io.Reader
	buf     []byte
	start   int   // first byte not yet returned
	end     int   // end of the bytes read so far
	scanned int   // buf[start:scanned] is known to hold no '\n'
	err     error // first read error, reported once buffered lines are used
	lineNo  int64
	maxLine int
}

// NewLineReader returns a LineReader over r that rejects lines longer than
// maxLine bytes (DefaultMaxLine if maxLine <= 0).
func NewLineReader(r io.Reader, maxLine int) *LineReader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &LineReader{r: r, buf: make([]byte, lineBufSize), maxLine: maxLine}
}

// Next returns the next line without "\n" or "\r\n", and its 1-based line
// number. The slice is valid until the next call. Blank lines are skipped
// but counted. A line longer than maxLine yields an error wrapping
// ErrLineTooLong, returned with that line's number, after the reader has skipped past
// it, so the caller can go on. A last line without newline is returned
// normally; a partial last line cut by a read error (ErrTruncated) is
// returned together with that error. Next returns io.EOF at the end, and
// any read error again on every later call.
func (lr *LineReader) Next() (line []byte, lineNo int64, err error) {
	for {
		if i := bytes.IndexByte(lr.buf[lr.scanned:lr.end], '\n'); i >= 0 {
			nl := lr.scanned + i
			line = lr.buf[lr.start:nl]
			lr.start, lr.scanned = nl+1, nl+1
			lr.lineNo++
			line = trimCR(line)
			if len(line) > lr.maxLine {
				return nil, lr.lineNo, lr.tooLong(len(line))
			}
			if isBlank(line) {
				continue
			}
			return line, lr.lineNo, nil
		}
		lr.scanned = lr.end
		if lr.err != nil {
			return lr.finish()
		}
		// Without a newline in sight, maxLine+2 bytes ("\r\n" aside) are
		// proof enough that the line is too long.
		if lr.end-lr.start >= lr.maxLine+2 {
			return lr.skipLong()
		}
		lr.fill()
	}
}

// Lines is how many lines Next has consumed so far, blank and bad ones
// included: at the end, the number of lines in the input.
func (lr *LineReader) Lines() int64 { return lr.lineNo }

// finish handles the bytes after the last newline once reading has stopped.
func (lr *LineReader) finish() ([]byte, int64, error) {
	rest := lr.buf[lr.start:lr.end]
	lr.start, lr.scanned = lr.end, lr.end
	if len(rest) == 0 {
		return nil, lr.lineNo, lr.err
	}
	lr.lineNo++
	if lr.err != io.EOF {
		return rest, lr.lineNo, lr.err // a cut line is evidence, not a record
	}
	rest = trimCR(rest)
	switch {
	case len(rest) > lr.maxLine:
		return nil, lr.lineNo, lr.tooLong(len(rest))
	case isBlank(rest):
		return nil, lr.lineNo, io.EOF
	}
	return rest, lr.lineNo, nil
}

// skipLong discards the current line up to and including its newline.
func (lr *LineReader) skipLong() ([]byte, int64, error) {
	lr.lineNo++
	n := int64(lr.end - lr.start)
	for {
		lr.start, lr.end, lr.scanned = 0, 0, 0
		if lr.err != nil {
			break // the line runs to the end of input
		}
		lr.fill()
		if i := bytes.IndexByte(lr.buf[:lr.end], '\n'); i >= 0 {
			lr.start, lr.scanned = i+1, i+1
			n += int64(i)
			break
		}
		n += int64(lr.end)
	}
	return nil, lr.lineNo, fmt.Errorf("at least %d bytes, limit %d: %w", n, lr.maxLine, ErrLineTooLong)
}

// tooLong leaves the line number out of the message: callers report it
// next to the error, and a reader over part of a file (see Split) does not
// know the absolute number.
func (lr *LineReader) tooLong(n int) error {
	return fmt.Errorf("%d bytes, limit %d: %w", n, lr.maxLine, ErrLineTooLong)
}

// fill reads more input after moving the unreturned tail to the front and,
// if the buffer is full of one unfinished line, growing it toward maxLine.
func (lr *LineReader) fill() {
	if lr.start > 0 {
		n := copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.scanned -= lr.start
		lr.start, lr.end = 0, n
	}
	if lr.end == len(lr.buf) {
		nb := make([]byte, min(2*len(lr.buf), lr.maxLine+2))
		copy(nb, lr.buf[:lr.end])
		lr.buf = nb
	}
	// A reader may return 0, nil now and then; only persistent refusal
	// is an error, as in bufio.
	for range 100 {
		n, err := lr.r.Read(lr.buf[lr.end:])
		lr.end += n
		if err != nil {
			lr.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	lr.err = io.ErrNoProgress
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// isBlank reports whether a line holds only spaces and tabs; it returns at
// the first byte of any real record.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
