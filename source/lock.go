package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrLocked means another process holds a lock file.
var ErrLocked = errors.New("in use by another process")

// Lock is an exclusive lock on a local file, held until Unlock or until
// the process ends, however it ends: the kernel drops it with the process
// (flock(2)), so a killed owner's successor takes it at once, and no lock
// is ever left stale.
type Lock struct {
	f *os.File
}

// TryLock takes the lock on path, creating the file, or fails at once with
// an error wrapping ErrLocked that says who holds it (the holder's pid,
// host and start, which the file records).
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(filepath.FromSlash(path), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := flock(f); err != nil {
		f.Close()
		// The holder writes who it is just after it takes the lock: give
		// it a moment, so the message can name it.
		var holder []byte
		for wait := time.Millisecond; len(holder) == 0 && wait < 200*time.Millisecond; wait *= 2 {
			if holder, _ = os.ReadFile(filepath.FromSlash(path)); len(holder) == 0 {
				time.Sleep(wait)
			}
		}
		who := strings.TrimSpace(string(holder))
		if who == "" {
			who = "another process"
		}
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrLocked, who)
	}
	host, _ := os.Hostname()
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d on %s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	return &Lock{f: f}, nil
}

// Unlock releases the lock. The file stays: removing it would let a
// process that opened it just before take a lock on a file no one else
// can see.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing drops the flock
	l.f = nil
	return err
}

// RemoveStaleTemps removes, below dir, the temporary files of atomic
// writes that never finished (".<name>.tmp-*", see AtomicFile): a process
// killed mid-write leaves them behind. Call it only while holding the lock
// of whatever writes there, so no write in progress is removed. It reports
// how many it removed.
func RemoveStaleTemps(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(filepath.FromSlash(dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if name := d.Name(); !d.IsDir() && strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-") {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("remove unfinished writes under %s: %w", dir, err)
	}
	return n, nil
}
