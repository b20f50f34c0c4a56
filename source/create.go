package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ErrAborted is returned by Write and Close after Abort, or after ctx was
// cancelled: nothing was published.
var ErrAborted = errors.New("write aborted")

// Writer is what Create returns. Close publishes the object whole; Abort
// (or a cancelled context, or any failed write) publishes nothing. Callers
// that stop half-way should Abort rather than Close.
type Writer interface {
	io.WriteCloser
	Abort() error
}

// Create opens path for writing. A local path is an AtomicFile: written to
// a hidden temp file in the same directory and renamed over path on Close
// (both fsynced, and the directory after the rename), so a killed process
// leaves no half file under the real name (and globs skip the temp file). An s3:// or s3a:// path becomes a multipart upload completed on
// Close and aborted on error or cancel; S3 shows an object only once it is
// complete. Small objects are sent with one PutObject.
func Create(ctx context.Context, path string) (Writer, error) {
	return Default.Create(ctx, path)
}

// localWriter is an AtomicFile that also stops at a cancelled context.
type localWriter struct {
	ctx context.Context
	a   *AtomicFile
}

func createLocal(ctx context.Context, path string) (*localWriter, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	a, err := CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	return &localWriter{ctx: ctx, a: a}, nil
}

func (w *localWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		w.a.abort(err)
		return 0, w.a.err
	}
	return w.a.Write(p)
}

func (w *localWriter) Close() error {
	if err := w.ctx.Err(); err != nil {
		w.a.abort(err)
		return w.a.err
	}
	return w.a.Commit()
}

func (w *localWriter) Abort() error {
	w.a.Abort()
	return nil
}

// s3Writer buffers one part at a time and uploads full parts concurrently.
type s3Writer struct {
	s      *S3
	client *s3.Client // for the bucket's region
	u      s3URL
	path   string
	ctx    context.Context

	buf      []byte
	partSize int
	uploadID string
	nextPart int32
	sem      chan struct{}
	wg       sync.WaitGroup

	mu    sync.Mutex
	parts []s3types.CompletedPart
	err   error // first failure; sticky
	done  bool
}

// Create implements Create for an S3 path.
func (s *S3) Create(ctx context.Context, path string) (Writer, error) {
	u, err := parseS3(path)
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	if u.key == "" || u.key[len(u.key)-1] == '/' {
		return nil, fmt.Errorf("create %s: no object key: %w", path, ErrBadS3URL)
	}
	ps := int(max(s.opts.PartSize, minUploadPart))
	return &s3Writer{s: s, client: s.bucketClient(ctx, u.bucket), u: u, path: path, ctx: ctx, partSize: ps, nextPart: 1,
		sem: make(chan struct{}, s.opts.Concurrency)}, nil
}

func (w *s3Writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *s3Writer) setErr(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

func (w *s3Writer) Write(p []byte) (int, error) {
	if err := w.failed(); err != nil {
		return 0, err
	}
	if err := w.ctx.Err(); err != nil {
		w.abort(err)
		return 0, w.failed()
	}
	total := len(p)
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, w.partSize)
		}
		n := min(len(p), w.partSize-len(w.buf))
		w.buf = append(w.buf, p[:n]...)
		p = p[n:]
		if len(w.buf) == w.partSize {
			if err := w.flushPart(); err != nil {
				return total - len(p), err
			}
		}
	}
	return total, nil
}

// flushPart hands the full buffer to an upload goroutine.
func (w *s3Writer) flushPart() error {
	if w.uploadID == "" {
		out, err := w.client.CreateMultipartUpload(w.ctx, &s3.CreateMultipartUploadInput{Bucket: &w.u.bucket, Key: &w.u.key})
		if err != nil {
			w.abort(fmt.Errorf("start multipart upload: %w", err))
			return w.failed()
		}
		w.uploadID = aws.ToString(out.UploadId)
	}
	select {
	case w.sem <- struct{}{}:
	case <-w.ctx.Done():
		w.abort(w.ctx.Err())
		return w.failed()
	}
	body, num := w.buf, w.nextPart
	w.buf, w.nextPart = nil, w.nextPart+1
	w.wg.Add(1)
	go func() {
		defer func() { <-w.sem; w.wg.Done() }()
		// A bytes.Reader can be rewound, so the SDK retries the part and
		// sends its checksum as a header rather than a chunked trailer.
		out, err := w.client.UploadPart(w.ctx, &s3.UploadPartInput{
			Bucket: &w.u.bucket, Key: &w.u.key, UploadId: &w.uploadID,
			PartNumber: aws.Int32(num), Body: bytes.NewReader(body),
		})
		if err != nil {
			w.setErr(fmt.Errorf("write %s: part %d: %w", w.u, num, err))
			return
		}
		w.mu.Lock()
		w.parts = append(w.parts, s3types.CompletedPart{
			PartNumber: aws.Int32(num), ETag: out.ETag,
			ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C,
			ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256,
			ChecksumCRC64NVME: out.ChecksumCRC64NVME,
		})
		w.mu.Unlock()
	}()
	return nil
}

func (w *s3Writer) Close() error {
	if w.done {
		return w.failed()
	}
	if err := w.failed(); err != nil {
		w.abort(err)
		return w.failed()
	}
	if err := w.ctx.Err(); err != nil {
		w.abort(err)
		return w.failed()
	}
	w.done = true
	if w.uploadID == "" {
		// Below one part: a single PUT is atomic and cheaper.
		_, err := w.client.PutObject(w.ctx, &s3.PutObjectInput{
			Bucket: &w.u.bucket, Key: &w.u.key, Body: bytes.NewReader(w.buf),
		})
		w.buf = nil
		if err != nil {
			w.setErr(fmt.Errorf("write %s: %w", w.u, err))
		} else {
			w.setErr(fmt.Errorf("write %s: %w", w.u, os.ErrClosed))
			return nil
		}
		return w.failed()
	}
	if len(w.buf) > 0 {
		if err := w.flushPart(); err != nil {
			return err
		}
	}
	w.wg.Wait()
	if err := w.failed(); err != nil {
		w.done = false
		w.abort(err)
		return w.failed()
	}
	slices.SortFunc(w.parts, func(a, b s3types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	_, err := w.client.CompleteMultipartUpload(w.ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &w.u.bucket, Key: &w.u.key, UploadId: &w.uploadID,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: w.parts},
	})
	if err != nil {
		w.done = false
		w.abort(fmt.Errorf("complete multipart upload: %w", err))
		return w.failed()
	}
	w.setErr(fmt.Errorf("write %s: %w", w.u, os.ErrClosed))
	return nil
}

func (w *s3Writer) Abort() error {
	if w.done {
		return nil
	}
	w.abort(ErrAborted)
	return nil
}

// abort records cause and drops the upload's parts. It runs the abort call
// on a context of its own, because the usual reason to abort is that ctx
// was cancelled, and S3 would keep (and bill) the orphaned parts otherwise.
func (w *s3Writer) abort(cause error) {
	w.mu.Lock()
	switch {
	case w.err == nil:
		if !errors.Is(cause, ErrAborted) {
			cause = fmt.Errorf("%w: %w", ErrAborted, cause)
		}
		w.err = fmt.Errorf("write %s: %w", w.u, cause)
	case !errors.Is(w.err, ErrAborted):
		// A part upload failed first, often because ctx was cancelled
		// while it ran: keep its message, and say the write is aborted.
		w.err = fmt.Errorf("%w: %w", ErrAborted, w.err)
	}
	w.mu.Unlock()
	w.done = true
	w.buf = nil
	w.wg.Wait()
	if w.uploadID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), 30*time.Second)
	defer cancel()
	// A failed abort leaves only invisible parts; bucket lifecycle rules
	// (AbortIncompleteMultipartUpload) clean those up, so ignore it.
	_, _ = w.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: &w.u.bucket, Key: &w.u.key, UploadId: &w.uploadID,
	})
	w.uploadID = ""
}
