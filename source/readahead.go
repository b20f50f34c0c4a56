package source

import (
	"context"
	"errors"
	"io"
	"sync"
)

// A compressed file is one worker's job (it cannot be cut into ranges), and
// inflating it is most of that job's CPU (60-70% for Segment events
// through zlib-ng). readAhead moves the inflater to a goroutine of its own
// that runs a few blocks ahead of the reader, so that inflating a file
// overlaps with parsing it: one large file keeps two cores busy instead of
// one (the seed query over one 30 MB file: 0.36 s to 0.31 s on 2 cores).
// It costs a copy of the decoded bytes and a hand-over per block, about 5%
// more CPU, a loss when every core already has a file of its own (8 files
// on 2 cores: 1.37 s to 1.52 s; only the last two: no gain). So it is asked
// for, with WithReadAhead, only where cores would otherwise idle: a scan of
// fewer files than workers.
const (
	aheadBlockSize = 256 << 10
	// aheadBlocks bounds a file's memory to 1 MiB: one block being read,
	// one being filled, two waiting.
	aheadBlocks = 4
	// aheadMaxEmpty is how many 0, nil reads in a row the inflater may
	// return before the stream counts as stuck (LineReader's rule).
	aheadMaxEmpty = 100
)

type readAheadKey struct{}

// alwaysReadAhead reads every compressed file ahead: test.sh runs the
// package's tests so (NECTAR_TEST_READAHEAD), so that every gzip and zstd
// case, cut, corrupt or cancelled, also holds with the goroutine between.
var alwaysReadAhead bool

// WithReadAhead marks ctx so that Open, given a compressed file, inflates
// it a few blocks ahead of the reader in a goroutine of its own.
func WithReadAhead(ctx context.Context) context.Context {
	return context.WithValue(ctx, readAheadKey{}, true)
}

// aheadPool recycles blocks across files: a scan of thousands of small
// Segment files should not allocate a megabyte for each.
var aheadPool = sync.Pool{New: func() any { b := make([]byte, aheadBlockSize); return &b }}

// errAheadClosed is what Read returns after Close.
var errAheadClosed = errors.New("read after close")

type aheadBlock struct {
	buf *[]byte
	n   int
	err error // after the block's bytes
}

// aheadReader is readAhead's reader. Read and close are for one goroutine
// (the scan worker's); fill runs in another and owns dec until it returns.
type aheadReader struct {
	full chan aheadBlock
	free chan *[]byte
	stop chan struct{}
	done chan struct{}

	cur      aheadBlock // being read; cur.buf is nil before the first
	off      int
	closed   bool
	closeErr error // closeDec's, set before done closes
}

// readAhead returns a reader of dec's bytes that a goroutine decodes ahead,
// and its close function, which stops the goroutine, waits for it and then
// calls closeDec. Errors arrive in order, after the bytes before them.
func readAhead(dec io.Reader, closeDec func() error) (io.Reader, func() error) {
	a := &aheadReader{
		full: make(chan aheadBlock, aheadBlocks),
		free: make(chan *[]byte, aheadBlocks),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go a.fill(dec, closeDec)
	return a, a.close
}

func (a *aheadReader) fill(dec io.Reader, closeDec func() error) {
	defer close(a.done)
	defer func() { a.closeErr = closeDec() }()
	made := 0
	for {
		var buf *[]byte
		select {
		case buf = <-a.free:
		default:
			if made < aheadBlocks {
				buf = aheadPool.Get().(*[]byte)
				made++
				break
			}
			select {
			case buf = <-a.free:
			case <-a.stop:
				return
			}
		}
		blk := aheadBlock{buf: buf}
		b := *buf
		for empty := 0; blk.n < len(b) && blk.err == nil; {
			// Stop between reads, not only between blocks: close waits
			// for this goroutine, so it should wait for one read at most.
			select {
			case <-a.stop:
				aheadPool.Put(buf)
				return
			default:
			}
			var m int
			m, blk.err = dec.Read(b[blk.n:])
			blk.n += m
			switch {
			case m > 0:
				empty = 0
			case blk.err == nil:
				if empty++; empty == aheadMaxEmpty {
					blk.err = io.ErrNoProgress
				}
			}
		}
		select {
		case a.full <- blk:
		case <-a.stop:
			aheadPool.Put(buf)
			return
		}
		if blk.err != nil {
			return
		}
	}
}

func (a *aheadReader) Read(p []byte) (int, error) {
	if a.closed {
		return 0, errAheadClosed
	}
	for a.cur.buf == nil || a.off == a.cur.n {
		if a.cur.buf != nil {
			if a.cur.err != nil {
				return 0, a.cur.err
			}
			a.free <- a.cur.buf // never blocks: free holds every block
		}
		a.cur, a.off = <-a.full, 0
	}
	n := copy(p, (*a.cur.buf)[a.off:a.cur.n])
	a.off += n
	return n, nil
}

// close stops the inflater at its next block, waits for it to let go of
// the decoder, closes that, and returns the blocks to the pool.
func (a *aheadReader) close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	close(a.stop)
	<-a.done
	if a.cur.buf != nil {
		aheadPool.Put(a.cur.buf)
	}
	for len(a.full) > 0 {
		aheadPool.Put((<-a.full).buf)
	}
	for len(a.free) > 0 {
		aheadPool.Put(<-a.free)
	}
	return a.closeErr
}
