// Package scancache keeps the scan cache on disk: per raw log file, a
// columnar copy of the columns queries decoded from it (scan.Entry), in a
// directory shared by every nectar process, bounded by size with
// least-recently-used eviction. The scanner (scan.Cache) decides what to
// keep and when a copy serves; this package owns the file format, the keys
// (path, size, and ETag or modification time), atomic writes and eviction.
package scancache
