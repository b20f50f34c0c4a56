package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// RandomReader gives random access to one file's raw bytes. Columnar files
// are read this way: the footer first, then only the byte ranges a query
// needs.
type RandomReader interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// OpenRandom opens path, a local file or an s3:// or s3a:// object, for
// random access.
func OpenRandom(ctx context.Context, path string) (RandomReader, error) {
	return Default.OpenRandom(ctx, path)
}

func openLocalRandom(path string) (RandomReader, error) {
	f, err := os.Open(filepath.FromSlash(path))
	if err != nil {
		return nil, err
	}
	return newLocalRange(f)
}

func newLocalRange(f *os.File) (RandomReader, error) {
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return localRange{f, st.Size()}, nil
}

type localRange struct {
	*os.File
	size int64
}

func (l localRange) Size() int64 { return l.size }

// TailBytes is how much of an S3 object's end OpenRandom fetches with
// its first request. A Parquet file's footer sits there, and 256 KiB holds
// that of a compacted day of Segment logs (about 175 KB for 300 columns in
// 17 row groups), so opening such a file costs one request.
const TailBytes = 256 << 10

// Prefetcher is implemented by a RandomReader whose reads are slow to
// start (an object store). Told in advance which byte ranges will be read,
// in the order they will be, it fetches them ahead of the reads.
type Prefetcher interface {
	// Prefetch takes [offset, length] pairs. It may be called once.
	Prefetch(ranges [][2]int64)
}

// s3Range reads an object with ranged GETs, all pinned with If-Match to
// the version its first response came from.
type s3Range struct {
	s      *S3
	u      s3URL
	ctx    context.Context
	cancel context.CancelFunc
	etag   string
	size   int64
	tail   []byte // the object's last bytes, from offset at
	at     int64

	// Prefetched ranges, in the order given. At most Concurrency GETs run
	// at once, and at most Concurrency×PartSize bytes are fetched but not
	// yet read, as for a streamed object.
	mu      sync.Mutex
	room    *sync.Cond // signalled when bytes ahead are read or a range is taken
	ahead   int64      // bytes fetched or being fetched, not yet read
	parts   []*rangePart
	taken   []bool
	first   map[int64]int // offset → the first part starting there
	started int           // parts[:started] have their GET started
	wg      sync.WaitGroup
}

var _ Prefetcher = (*s3Range)(nil)

// OpenRandom opens one S3 object for random access. The first request
// fetches its last TailBytes, which also tells its size and version.
func (s *S3) OpenRandom(ctx context.Context, path string) (_ RandomReader, err error) {
	u, err := parseS3(path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &s3Range{s: s, u: u, ctx: ctx, cancel: cancel}
	r.room = sync.NewCond(&r.mu)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	out, err := s.get(ctx, u, fmt.Sprintf("bytes=-%d", TailBytes), "")
	if errorCode(err) == "InvalidRange" {
		// S3 refuses any range of an empty object, and some S3-compatible
		// stores a suffix longer than the object: ask for all of it.
		out, err = s.get(ctx, u, "", "")
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, explainS3(err))
	}
	defer out.Body.Close()
	r.etag = aws.ToString(out.ETag)
	if total, ok := contentRangeTotal(aws.ToString(out.ContentRange)); ok {
		r.size, r.at = total, max(0, total-TailBytes)
		if err := checkStart(out, r.at); err != nil {
			return nil, failure(ctx, u, "get", err)
		}
	} else if out.ContentLength != nil {
		// 200: the store sent the whole object. Keep it if it is small;
		// otherwise read ranges as they are asked for.
		r.size = *out.ContentLength
		if r.size > TailBytes {
			r.at = r.size
			return r, nil
		}
	} else {
		return nil, fmt.Errorf("get %s: neither Content-Range nor Content-Length in the answer", u)
	}
	r.tail = make([]byte, r.size-r.at)
	m, err := io.ReadFull(out.Body, r.tail)
	if err != nil {
		// Cut short: fetch the rest like any other range.
		if err := s.readRange(ctx, u, r.etag, r.at+int64(m), r.tail[m:]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *s3Range) Size() int64 { return r.size }

// Close stops the prefetching and waits for it, so no request outlives
// the reader.
func (r *s3Range) Close() error {
	r.cancel()
	r.mu.Lock()
	r.room.Broadcast()
	r.mu.Unlock()
	r.wg.Wait()
	return nil
}

// Prefetch implements Prefetcher. Ranges in the fetched tail are left out.
func (r *s3Range) Prefetch(ranges [][2]int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.parts != nil {
		return
	}
	r.parts = []*rangePart{}
	for _, rg := range ranges {
		if off, n := rg[0], min(rg[1], r.size-rg[0]); off >= 0 && n > 0 && off < r.at {
			r.parts = append(r.parts, &rangePart{off: off, n: min(n, r.at-off), done: make(chan struct{})})
		}
	}
	r.taken = make([]bool, len(r.parts))
	r.first = make(map[int64]int, len(r.parts))
	for i := len(r.parts) - 1; i >= 0; i-- {
		r.first[r.parts[i].off] = i
	}
	if len(r.parts) > 0 {
		r.wg.Add(1)
		go r.prefetch()
	}
}

// prefetch starts the GETs in order, each once a slot is free and the
// read-ahead budget has room for it.
func (r *s3Range) prefetch() {
	defer r.wg.Done()
	budget := int64(r.s.opts.Concurrency) * r.s.opts.PartSize
	slots := make(chan struct{}, r.s.opts.Concurrency)
	for i, p := range r.parts {
		select {
		case slots <- struct{}{}:
		case <-r.ctx.Done():
			return
		}
		r.mu.Lock()
		// A range larger than the whole budget still goes, alone.
		for r.ahead > 0 && r.ahead+p.n > budget && r.ctx.Err() == nil && !r.taken[i] {
			r.room.Wait()
		}
		r.started = i + 1
		if r.ctx.Err() != nil || r.taken[i] {
			// Read directly already: skip it.
			r.mu.Unlock()
			<-slots
			if r.ctx.Err() != nil {
				return
			}
			continue
		}
		r.ahead += p.n
		r.mu.Unlock()
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { <-slots }()
			buf := make([]byte, p.n)
			if p.err = r.s.readRange(r.ctx, r.u, r.etag, p.off, buf); p.err == nil {
				p.buf = buf
			}
			close(p.done)
		}()
	}
}

// take hands over the prefetched range holding [off, off+n), if its GET
// has started. A range not started yet is read directly instead, so a
// read out of the announced order never waits on the budget, and is
// marked so that it is not fetched twice.
func (r *s3Range) take(off, n int64) *rangePart {
	r.mu.Lock()
	defer r.mu.Unlock()
	holds := func(i int) bool {
		p := r.parts[i]
		return !r.taken[i] && off >= p.off && off+n <= p.off+p.n
	}
	// Reads start where announced ranges do, so look there first: a
	// wide read announces thousands of ranges.
	i, ok := r.first[off]
	if !ok || !holds(i) {
		i = -1
		for j := range r.parts {
			if holds(j) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return nil
	}
	r.taken[i] = true
	if i >= r.started {
		r.room.Signal() // the scheduler may be waiting to start it
		return nil
	}
	return r.parts[i]
}

// release gives a taken range's bytes back to the read-ahead budget.
func (r *s3Range) release(p *rangePart) {
	r.mu.Lock()
	r.ahead -= p.n
	p.buf = nil
	r.room.Signal()
	r.mu.Unlock()
}

// ReadAt implements io.ReaderAt: from the fetched tail or a prefetched
// range when it can, else with one ranged GET.
func (r *s3Range) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.size-off)
	below := min(n, max(0, r.at-off)) // the bytes before the tail
	if below > 0 {
		if err := r.readBelow(p[:below], off); err != nil {
			return 0, err
		}
	}
	if below < n {
		copy(p[below:n], r.tail[off+below-r.at:off+n-r.at])
	}
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

func (r *s3Range) readBelow(p []byte, off int64) error {
	pre := r.take(off, int64(len(p)))
	if pre == nil {
		return r.s.readRange(r.ctx, r.u, r.etag, off, p)
	}
	select {
	case <-pre.done:
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
	err := pre.err
	if err == nil {
		copy(p, pre.buf[off-pre.off:])
	}
	r.release(pre)
	return err
}
