// Package source owns everything between a user's path pattern and
// newline-delimited records: it expands globs and directories into Files,
// recognises gzip and zstd by magic bytes (gzip inflated as it is read by
// zlib-ng with cgo and klauspost/compress without, see streamGzip, or whole
// by libdeflate in the build tagged libdeflate, see decodeGzip), and splits decompressed
// bytes into lines without allocating per line. Listing and opening sit behind the Store
// interface, served by the local file system or S3 (s3.go: parallel ranged
// reads that resume cut bodies); Create writes either atomically. Package
// scan turns the lines into rows.
package source
