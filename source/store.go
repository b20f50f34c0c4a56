package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store lists and opens the objects of one storage system. Paths are
// slash-separated and spelled as the user writes them ("logs/a.gz",
// "s3://bucket/key"). Glob matching, hidden-entry skipping, ReceivedDay and
// decompression live outside the Store, so every Store gets them for free.
type Store interface {
	// Stat describes path: a file (f filled in), or a directory or key
	// prefix (isDir true). A missing path yields an error wrapping
	// fs.ErrNotExist.
	Stat(ctx context.Context, path string) (f File, isDir bool, err error)
	// Walk calls fn for every file below dir. It enters a subdirectory only
	// when descend returns true for that subdirectory's path; a Store
	// without real directories may treat descend as a hint and list
	// everything under the prefix, since callers filter again.
	Walk(ctx context.Context, dir string, descend func(dir string) bool, fn func(File) error) error
	// Open returns the raw, still compressed bytes of path.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
}

// Local is the Store for the local file system. It follows symbolic links to
// files but not to directories, so a link cycle cannot trap the walk.
type Local struct{}

var _ Store = Local{}

// Stat implements Store.
func (Local) Stat(ctx context.Context, path string) (File, bool, error) {
	if err := ctx.Err(); err != nil {
		return File{}, false, err
	}
	info, err := os.Stat(filepath.FromSlash(path))
	if err != nil {
		return File{}, false, err
	}
	if info.IsDir() {
		return File{}, true, nil
	}
	if !info.Mode().IsRegular() {
		return File{}, false, fmt.Errorf("stat %s: not a regular file", path)
	}
	return File{Path: path, Size: info.Size(), ModTime: info.ModTime()}, false, nil
}

// Walk implements Store.
func (l Local) Walk(ctx context.Context, dir string, descend func(string) bool, fn func(File) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.FromSlash(dir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		child := joinPath(dir, e.Name())
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			info, err := os.Stat(filepath.FromSlash(child))
			if err != nil {
				// A link to nothing, or in a loop: list it as unreadable,
				// so that it is counted, and go on with the rest.
				if err := fn(File{Path: child, Err: fmt.Errorf("symbolic link %s: %w", child, err)}); err != nil {
					return err
				}
				continue
			}
			if !info.Mode().IsRegular() {
				continue
			}
			if err := fn(File{Path: child, Size: info.Size(), ModTime: info.ModTime()}); err != nil {
				return err
			}
			continue
		}
		if typ.IsDir() {
			if descend(child) {
				if err := l.Walk(ctx, child, descend, fn); err != nil {
					return err
				}
			}
			continue
		}
		if !typ.IsRegular() {
			continue // sockets, devices, pipes
		}
		info, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed while we walked
			}
			return err
		}
		if err := fn(File{Path: child, Size: info.Size(), ModTime: info.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// Open implements Store.
func (Local) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return os.Open(filepath.FromSlash(path))
}

// joinPath appends name to dir while keeping dir exactly as the user wrote
// it ("./logs" stays "./logs/x", not "logs/x").
func joinPath(dir, name string) string {
	switch {
	case dir == "" || dir == ".":
		return name
	case strings.HasSuffix(dir, "/"):
		return dir + name
	default:
		return dir + "/" + name
	}
}
