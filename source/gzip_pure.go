//go:build !(libdeflate && cgo)

package source

import (
	"bufio"
	"context"
	"io"
)

// decodeGzip is the seam between the two gzip decoders. This default,
// pure-Go build streams every file through klauspost/compress; the build
// tagged libdeflate (with cgo) inflates whole local files in C instead.
func decodeGzip(_ context.Context, br *bufio.Reader, _ io.Reader) (io.Reader, func() error, error) {
	return streamGzip(br)
}
