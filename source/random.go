package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
	if isS3(path) {
		s, err := DefaultS3(ctx)
		if err != nil {
			return nil, err
		}
		return s.OpenRandom(ctx, path)
	}
	f, err := os.Open(filepath.FromSlash(path))
	if err != nil {
		return nil, err
	}
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

// s3Range reads an object with ranged GETs, all pinned with If-Match to
// the version its first response came from.
type s3Range struct {
	s    *S3
	u    s3URL
	ctx  context.Context
	etag string
	size int64
	tail []byte // the object's last bytes, from tailAt
	at   int64
}

// OpenRandom opens one S3 object for random access. The first request
// fetches its last TailBytes, which also tells its size and version.
func (s *S3) OpenRandom(ctx context.Context, path string) (RandomReader, error) {
	u, err := parseS3(path)
	if err != nil {
		return nil, err
	}
	r := &s3Range{s: s, u: u, ctx: ctx}
	out, err := s.get(ctx, u, fmt.Sprintf("bytes=-%d", TailBytes), "")
	if errorCode(err) == "InvalidRange" {
		// S3 refuses any range of an empty object, and some S3-compatible
		// stores a suffix longer than the object: ask for all of it.
		out, err = s.get(ctx, u, "", "")
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, notExist(err))
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

func (r *s3Range) Size() int64  { return r.size }
func (r *s3Range) Close() error { return nil }

// ReadAt implements io.ReaderAt: from the fetched tail when it can, else
// with one ranged GET.
func (r *s3Range) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.size-off)
	if off >= r.at {
		copy(p, r.tail[off-r.at:off-r.at+n])
	} else if err := r.s.readRange(r.ctx, r.u, r.etag, off, p[:n]); err != nil {
		return 0, err
	}
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}
