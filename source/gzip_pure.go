//go:build !(libdeflate && cgo)

package source

import (
	"bufio"
	"context"
	"io"
)

// decodeGzip is the seam between the gzip decoders. This default build
// streams every file (streamGzip: zlib-ng with cgo, klauspost/compress
// without); the build tagged libdeflate (with cgo) inflates whole local
// files in C instead.
func decodeGzip(_ context.Context, br *bufio.Reader, _ io.Reader) (io.Reader, func() error, error) {
	return streamGzip(br)
}

// GzipDecoder names what inflates gzip files in this build, for
// nectar --version.
func GzipDecoder() string { return gzipStream }
