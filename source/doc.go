// Package source owns everything between a user's path pattern and
// newline-delimited records: it expands globs and directories into Files,
// recognises gzip and zstd by magic bytes, and splits decompressed bytes into
// lines without allocating per line. Listing and opening sit behind the Store
// interface so that S3 can join the local file system later; package scan
// turns the lines into rows.
package source
