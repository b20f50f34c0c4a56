package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is one input object found by List.
type File struct {
	// Path is the object as the user would write it: a local path now,
	// "s3://bucket/key" once S3 lands.
	Path    string
	Size    int64
	ModTime time.Time
	// ReceivedDay is the UTC midnight named by Segment's day folder, zero
	// when the path does not follow that layout. See ReceivedDay.
	ReceivedDay time.Time
	// Store is the store that listed the file, which opens it (nil: the
	// one Default picks for Path).
	Store Store `json:"-"`
	// ETag is the S3 object's version as its listing gave it ("" for
	// local files): with Size, what tells a rewritten object from the one
	// listed (see OpenVersion).
	ETag string `json:"-"`
	// Err marks an entry the listing met but cannot read (a symbolic link
	// in a loop, or to nothing): it is listed so that readers count it
	// rather than drop it in silence, and read as nothing.
	Err error `json:"-"`
}

var (
	// ErrNoFiles means List found nothing; it is wrapped with the pattern.
	ErrNoFiles = errors.New("no files match")
	// ErrNotLog means Open met an empty file or one whose first
	// non-whitespace decoded byte is not '{' (Segment's dummy-object.txt, a
	// Parquet file, a JSON array).
	ErrNotLog = errors.New("not a log file")
	// ErrTruncated means a gzip or zstd stream was cut short. The bytes
	// decoded before the cut are returned before this error.
	ErrTruncated = errors.New("truncated compressed stream")
	// ErrLineTooLong is returned by LineReader.Next for a line longer than
	// its limit; the reader has already skipped past it.
	ErrLineTooLong = errors.New("line too long")
	// ErrChanged means a file changed, or vanished, while it was read: what
	// was read is not the file the listing saw, so a batch answer over it
	// would be partial.
	ErrChanged = errors.New("changed while it was read")
	// ErrS3Unsupported is no longer returned: s3:// and s3a:// paths go to
	// the S3 store. It stays so that callers that checked for it compile.
	ErrS3Unsupported = errors.New("S3 sources are not supported yet")
)

// IsS3 says whether path is an s3:// or s3a:// URL.
func IsS3(path string) bool {
	p := strings.ToLower(path)
	return strings.HasPrefix(p, "s3://") || strings.HasPrefix(p, "s3a://")
}

// List expands pattern into files sorted by Path. The pattern is a single
// file; a directory, walked recursively while skipping entries whose names
// start with '.' or '_'; or a glob with *, ?, [abc] classes and ** for any
// number of directories. A directory matched by a glob contributes every
// file below it. Only directories the glob's literal prefix allows are
// walked, and cancelling ctx stops the walk.
func List(ctx context.Context, pattern string) ([]File, error) {
	return Default.List(ctx, pattern)
}

// Open returns f's decompressed content. Compression is recognised by magic
// bytes, never by extension: gzip (including multi-member streams made by
// concatenating gzip files), zstd, otherwise plain. The content is sniffed
// before Open returns, so empty and non-NDJSON objects fail early with
// ErrNotLog. Cancelling ctx makes later reads fail.
func Open(ctx context.Context, f File) (io.ReadCloser, error) {
	return Default.Open(ctx, f)
}

// versionKey carries the ETag OpenVersion pins an S3 read to.
type versionKey struct{}

// OpenVersion is Open, but an S3 object listed with an ETag is read in
// that version or not at all: its first GET carries If-Match, so an
// object overwritten since it was listed fails with ErrObjectChanged
// instead of returning the new bytes. A copy of the content kept under
// the listed ETag (the scan cache) then never holds another version's.
// Local files are checked after reading (CheckUnchanged).
func OpenVersion(ctx context.Context, f File) (io.ReadCloser, error) {
	if f.ETag != "" {
		ctx = context.WithValue(ctx, versionKey{}, f.ETag)
	}
	return Open(ctx, f)
}

// CheckUnchanged returns an error wrapping ErrChanged if the local file f
// is no longer as its listing saw it (size and modification time), as when
// it was rewritten or truncated while read. S3 reads pin the object's ETag
// instead (ErrObjectChanged), and a File with no listing time is not
// checked.
func CheckUnchanged(f File) error {
	if IsS3(f.Path) || f.ModTime.IsZero() {
		return nil
	}
	info, err := os.Stat(filepath.FromSlash(f.Path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s vanished: %w", f.Path, ErrChanged)
	case err != nil:
		return fmt.Errorf("stat %s: %w", f.Path, err)
	case info.Size() != f.Size || !info.ModTime().Equal(f.ModTime):
		return fmt.Errorf("%s went from %d bytes to %d: %w", f.Path, f.Size, info.Size(), ErrChanged)
	}
	return nil
}
