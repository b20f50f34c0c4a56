//go:build cgo

package source

import (
	"io"

	"github.com/nectar-dev/nectar/source/internal/zlibng"
)

// gzipStream names streamGzip's decoder, for GzipDecoder.
const gzipStream = "zlib-ng " + zlibng.Version

// streamGzip inflates r as it is read. With cgo (the default build on a
// machine with a C compiler) zlib-ng does it, about twice as fast as
// klauspost/compress, the build without cgo (gzip_stream_go.go), with the
// same results and errors: concatenated members read as one stream, a
// corrupt stream is an error, a cut one yields the bytes before the cut
// and then io.ErrUnexpectedEOF, which reader.wrap turns into ErrTruncated.
// It is every build's streaming path and the libdeflate build's fallback.
func streamGzip(r io.Reader) (io.Reader, func() error, error) {
	zr, err := zlibng.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	return zr, zr.Close, nil
}
