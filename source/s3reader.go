package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrObjectChanged means an S3 object was overwritten while it was being
// read, so its parts no longer belong to one version.
var ErrObjectChanged = errors.New("object changed while reading")

// objectReader streams one S3 object. The first part (PartSize bytes, or
// the whole of a small object) comes from a single GET that is read as it
// arrives, so small objects cost one request and decompression starts at
// once. The parts after it are fetched into buffers by up to Concurrency
// ranged GETs running ahead of the reader, which bounds memory to
// Concurrency×PartSize per open object. Any body cut short is resumed with a
// Range request from the first byte not yet received, pinned to the first
// response's ETag with If-Match so that every byte comes from one version.
type objectReader struct {
	s      *S3
	u      s3URL
	ctx    context.Context
	cancel context.CancelFunc
	etag   string

	// The streamed head segment [0, headEnd).
	body    io.ReadCloser
	pos     int64 // offset of the next byte Read returns
	headEnd int64 // -1: unknown length, stream to EOF
	resumes int   // resumes since the last byte received

	parts []*rangePart // the prefetched rest, in order
	next  int          // index of the part being read
	slots chan struct{}
	wg    sync.WaitGroup
	err   error
}

// rangePart is one prefetched byte range.
type rangePart struct {
	off, n int64
	done   chan struct{}
	buf    []byte
	read   int // bytes of buf already returned
	err    error
}

var partPool sync.Pool // *[]byte of PartSize capacity

func (s *S3) openObject(ctx context.Context, u s3URL) (*objectReader, error) {
	ctx, cancel := context.WithCancel(ctx)
	r := &objectReader{s: s, u: u, ctx: ctx, cancel: cancel}
	ps := s.opts.PartSize
	pin, _ := ctx.Value(versionKey{}).(string)
	out, err := s.get(ctx, u, fmt.Sprintf("bytes=0-%d", ps-1), pin)
	if errorCode(err) == "InvalidRange" {
		// S3 refuses any range of an empty object; ask for all of it.
		out, err = s.get(ctx, u, "", pin)
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("get %s: %w", u, explainS3(err))
	}
	r.body, r.etag = out.Body, aws.ToString(out.ETag)
	size := int64(-1)
	if total, ok := contentRangeTotal(aws.ToString(out.ContentRange)); ok {
		size = total
	} else if out.ContentLength != nil {
		size = *out.ContentLength // 200: the store sent the whole object
		ps = size
	}
	r.headEnd = size
	if size > ps {
		r.headEnd = ps
		for off := ps; off < size; off += ps {
			r.parts = append(r.parts, &rangePart{off: off, n: min(ps, size-off), done: make(chan struct{})})
		}
		r.slots = make(chan struct{}, s.opts.Concurrency)
		r.wg.Add(1)
		go r.schedule()
	}
	return r, nil
}

// get issues one GetObject; the SDK's retryer covers throttling, 5xx and
// failed connections up to MaxAttempts.
func (s *S3) get(ctx context.Context, u s3URL, rng, etag string) (*s3.GetObjectOutput, error) {
	in := &s3.GetObjectInput{Bucket: &u.bucket, Key: &u.key}
	if rng != "" {
		in.Range = &rng
	}
	if etag != "" {
		in.IfMatch = &etag
	}
	out, err := s.bucketClient(ctx, u.bucket).GetObject(ctx, in)
	if errorCode(err) == "PreconditionFailed" {
		return nil, fmt.Errorf("%w: %w", ErrObjectChanged, err)
	}
	return out, err
}

// contentRangeTotal parses the size from "bytes 0-99/1234".
func contentRangeTotal(cr string) (int64, bool) {
	_, total, ok := strings.Cut(cr, "/")
	if !ok || total == "*" {
		return 0, false
	}
	n, err := strconv.ParseInt(total, 10, 64)
	return n, err == nil
}

// schedule starts part fetches in order, at most Concurrency ahead of the
// reader: Read frees a slot when it finishes a part.
func (r *objectReader) schedule() {
	defer r.wg.Done()
	for _, p := range r.parts {
		select {
		case r.slots <- struct{}{}:
		case <-r.ctx.Done():
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.fetch(p)
		}()
	}
}

func (r *objectReader) fetch(p *rangePart) {
	defer close(p.done)
	var buf []byte
	if bp, ok := partPool.Get().(*[]byte); ok && int64(cap(*bp)) >= p.n {
		buf = (*bp)[:p.n]
	} else {
		buf = make([]byte, p.n, r.s.opts.PartSize)
	}
	if p.err = r.s.readRange(r.ctx, r.u, r.etag, p.off, buf); p.err == nil {
		p.buf = buf
	}
}

// readRange fills buf with the object's bytes from off, all from the
// version etag names, resuming a body cut short from its first missing
// byte.
func (s *S3) readRange(ctx context.Context, u s3URL, etag string, off int64, buf []byte) error {
	n := int64(len(buf))
	got, fails := int64(0), 0
	for got < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		from, to := off+got, off+n-1
		out, err := s.get(ctx, u, fmt.Sprintf("bytes=%d-%d", from, to), etag)
		if err != nil {
			return failure(ctx, u, fmt.Sprintf("get bytes %d-%d", from, to), err)
		}
		if err := checkStart(out, from); err != nil {
			out.Body.Close()
			return failure(ctx, u, "get", err)
		}
		m, err := io.ReadFull(out.Body, buf[got:])
		out.Body.Close()
		got += int64(m)
		if err == nil {
			break
		}
		if m > 0 {
			fails = 0
		}
		fails++
		if fails >= s.opts.MaxAttempts {
			return failure(ctx, u, fmt.Sprintf("body cut at byte %d, %d resumes without progress", off+got, fails), err)
		}
		if werr := s.backoff(ctx, fails); werr != nil {
			return werr
		}
	}
	return nil
}

// failure names the object (in the canonical s3:// form, never with
// credentials) and the cause, unless the cause is the caller's cancel.
func failure(ctx context.Context, u s3URL, what string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return fmt.Errorf("%s %s: %w", what, u, explainS3(err))
}

// backoff sleeps a jittered exponential delay before resuming a cut body:
// the SDK retryer only sees the request, not a body that dies later.
func (s *S3) backoff(ctx context.Context, attempt int) error {
	d := min(s.opts.MaxBackoff, 50*time.Millisecond<<min(attempt, 10))
	t := time.NewTimer(time.Duration(rand.Int64N(int64(d) + 1)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Read implements io.Reader.
func (r *objectReader) Read(p []byte) (int, error) {
	for r.err == nil {
		if r.headEnd < 0 || r.pos < r.headEnd {
			return r.readHead(p)
		}
		if r.next >= len(r.parts) {
			return 0, io.EOF
		}
		part := r.parts[r.next]
		select {
		case <-part.done:
		case <-r.ctx.Done():
			r.err = r.ctx.Err()
			return 0, r.err
		}
		if part.err != nil {
			r.err = part.err
			return 0, r.err
		}
		n := copy(p, part.buf[part.read:])
		part.read += n
		r.pos += int64(n)
		if part.read == len(part.buf) {
			buf := part.buf[:0]
			partPool.Put(&buf)
			part.buf = nil
			r.next++
			<-r.slots // let the scheduler fetch one part further ahead
		}
		if n > 0 || len(p) == 0 {
			return n, nil
		}
	}
	return 0, r.err
}

// readHead reads the streamed first segment and resumes it when cut.
func (r *objectReader) readHead(p []byte) (int, error) {
	if r.headEnd >= 0 {
		p = p[:min(int64(len(p)), r.headEnd-r.pos)]
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	if n > 0 {
		r.resumes = 0
	}
	switch {
	case err == nil:
		return n, nil
	case r.headEnd >= 0 && r.pos == r.headEnd:
		return n, nil // all bytes are in, whatever the connection did next
	case err == io.EOF && r.headEnd < 0:
		return n, io.EOF // a store that ignored Range sent everything
	}
	// A cut body shows up as io.ErrUnexpectedEOF (short of Content-Length),
	// a reset connection, or an early clean EOF.
	if rerr := r.resume(err); rerr != nil {
		r.err = rerr
		if n > 0 {
			return n, nil
		}
		return 0, rerr
	}
	return n, nil
}

func (r *objectReader) resume(cause error) error {
	r.body.Close()
	r.body = io.NopCloser(strings.NewReader(""))
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if cause == io.EOF {
		cause = io.ErrUnexpectedEOF
	}
	r.resumes++
	if r.resumes >= r.s.opts.MaxAttempts {
		return failure(r.ctx, r.u, fmt.Sprintf("body cut at byte %d, %d resumes without progress", r.pos, r.resumes), cause)
	}
	if err := r.s.backoff(r.ctx, r.resumes); err != nil {
		return err
	}
	rng := fmt.Sprintf("bytes=%d-", r.pos)
	if r.headEnd >= 0 {
		rng += strconv.FormatInt(r.headEnd-1, 10)
	}
	out, err := r.s.get(r.ctx, r.u, rng, r.etag)
	if err != nil {
		return failure(r.ctx, r.u, "resume at byte "+strconv.FormatInt(r.pos, 10)+" of", err)
	}
	if err := checkStart(out, r.pos); err != nil {
		out.Body.Close()
		return failure(r.ctx, r.u, "resume of", err)
	}
	r.body = out.Body
	return nil
}

// checkStart makes sure a ranged response starts where it was asked to: a
// store that ignores Range would otherwise hand back byte 0 again.
func checkStart(out *s3.GetObjectOutput, from int64) error {
	cr := aws.ToString(out.ContentRange)
	if strings.HasPrefix(cr, "bytes "+strconv.FormatInt(from, 10)+"-") {
		return nil
	}
	return fmt.Errorf("asked for bytes from %d, got Content-Range %q", from, cr)
}

// Close stops the prefetching and waits for it, so no request outlives the
// reader.
func (r *objectReader) Close() error {
	r.cancel()
	err := r.body.Close()
	r.wg.Wait()
	for _, p := range r.parts[r.next:] {
		if p.buf != nil {
			buf := p.buf[:0]
			partPool.Put(&buf)
			p.buf = nil
		}
	}
	if r.err == nil {
		r.err = errors.New("read after close")
	}
	return err
}
