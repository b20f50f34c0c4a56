//go:build unix

package scancache

import "golang.org/x/sys/unix"

// fileIdentity is a local file's inode and status-change time: a file
// rewritten with its size and modification time kept (rsync -t, cp -p,
// tar) has another ctime, which no program can set, and a file renamed
// over another has another inode.
var fileIdentity = func(path string) (ino uint64, ctime int64) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0
	}
	return uint64(st.Ino), st.Ctim.Nano()
}
