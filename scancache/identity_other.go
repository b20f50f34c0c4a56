//go:build !unix

package scancache

// fileIdentity has nothing beyond size and modification time to offer
// where there is no stat(2).
var fileIdentity = func(string) (ino uint64, ctime int64) { return 0, 0 }
