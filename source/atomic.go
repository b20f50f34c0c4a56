package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// AtomicFile is a local file that appears under its name only when it is
// complete. It is written to a hidden temporary file in the same directory
// (".<name>.tmp-*", which listings and globs skip), and Commit fsyncs it,
// renames it over the name and fsyncs the directory. After a crash at any
// point the name holds its previous content or the new one whole, and once
// Commit returns, the new content survives power loss too.
//
// It is the one implementation of that write: Create's local files, the
// stream checkpoint and the stream sinks' files all go through it.
type AtomicFile struct {
	f    *os.File
	path string // as the caller gave it, for messages
	dst  string // the native path the temporary file is renamed over
	err  error  // sticky once committed or aborted
}

// CreateAtomic starts writing path. Nothing is visible under path until
// Commit.
func CreateAtomic(path string) (*AtomicFile, error) {
	dst := filepath.FromSlash(path)
	dir, base := filepath.Split(dst)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		// The temporary name means nothing to the user: report the cause
		// against the path they gave.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &AtomicFile{f: f, path: path, dst: dst}, nil
}

// WriteFileAtomic makes path hold data, or after a crash at any point its
// previous content.
func WriteFileAtomic(path string, data []byte) error {
	a, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		return err
	}
	return a.Commit()
}

// Write writes to the temporary file. A failed write aborts: a file that
// lost bytes must not be published.
func (a *AtomicFile) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	n, err := a.f.Write(p)
	if err != nil {
		a.abort(err)
	}
	return n, a.err
}

// Commit publishes the file under its name. An error before the rename
// wraps ErrAborted (nothing was published, the temporary file is gone);
// an error syncing the directory comes after the rename, which may then
// not survive power loss. Commit after Commit or Abort returns the same
// error again.
func (a *AtomicFile) Commit() error {
	if a.err != nil {
		return a.err
	}
	// Sync before rename: otherwise a crash can leave the new name
	// pointing at an empty file on some file systems.
	err := a.f.Sync()
	if err == nil {
		// CreateTemp made it 0600; the result is an ordinary file.
		err = a.f.Chmod(0o644)
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.dst)
	}
	if err != nil {
		os.Remove(a.f.Name())
		a.err = fmt.Errorf("write %s: %w: %w", a.path, ErrAborted, err)
		return a.err
	}
	a.err = fmt.Errorf("write %s: %w", a.path, os.ErrClosed)
	// The rename is an entry in the directory: sync that too, or the new
	// name itself may not survive power loss.
	return syncDir(filepath.Dir(a.dst))
}

// Abort drops the temporary file and publishes nothing. After Commit it
// does nothing, so `defer a.Abort()` is safe.
func (a *AtomicFile) Abort() { a.abort(ErrAborted) }

func (a *AtomicFile) abort(cause error) {
	if a.err != nil {
		return
	}
	a.f.Close()
	os.Remove(a.f.Name())
	if !errors.Is(cause, ErrAborted) {
		cause = fmt.Errorf("%w: %w", ErrAborted, cause)
	}
	a.err = fmt.Errorf("write %s: %w", a.path, cause)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	// Some filesystems refuse fsync on directories; the rename is then as
	// durable as they make it.
	_ = d.Sync()
	return nil
}
