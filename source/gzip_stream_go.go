//go:build !cgo

package source

import (
	"io"

	"github.com/klauspost/compress/gzip"
)

// gzipStream names streamGzip's decoder, for GzipDecoder.
const gzipStream = "klauspost/compress (pure Go)"

// streamGzip inflates r as it is read, in pure Go, where there is no cgo
// for zlib-ng (gzip_stream_cgo.go, which it must match: concatenated
// members read as one stream, since multistream is klauspost's default; a
// corrupt stream is an error; a cut one yields the bytes before the cut and
// then io.ErrUnexpectedEOF, which reader.wrap turns into ErrTruncated).
func streamGzip(r io.Reader) (io.Reader, func() error, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	return zr, zr.Close, nil
}
