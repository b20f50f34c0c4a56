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

// ErrNotAllowed means a path lies outside the roots a server may read
// (Stores.Confine): a query over it fails naming the path, and a file
// reached through a symbolic link that leads out is skipped and counted.
var ErrNotAllowed = errors.New("outside the folders and buckets this server may read")

// roots are the places confined stores serve: local folders, opened as
// os.Root so that neither ".." nor a symbolic link (even one swapped in
// while a query runs) leads out, and S3 prefixes.
type roots struct {
	local []localRoot
	s3    []s3URL // bucket and key prefix ("" for the whole bucket)
}

type localRoot struct {
	abs  string // absolute and clean
	root *os.Root
}

// newRoots opens the roots. A local root is made absolute against the
// working directory and must exist; an S3 root names a bucket and
// optionally a prefix.
func newRoots(list []string) (*roots, error) {
	rs := &roots{}
	for _, r := range list {
		if IsS3(r) {
			u, err := parseS3(r)
			if err != nil {
				return nil, fmt.Errorf("allowed root %s: %w", r, err)
			}
			if hasDotSegment(u.key) {
				return nil, fmt.Errorf("allowed root %s: \".\" and \"..\" are not allowed in S3 prefixes", r)
			}
			rs.s3 = append(rs.s3, u)
			continue
		}
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("allowed root %s: %w", r, err)
		}
		root, err := os.OpenRoot(abs)
		if err != nil {
			return nil, fmt.Errorf("allowed root: %w", err)
		}
		rs.local = append(rs.local, localRoot{abs: abs, root: root})
	}
	return rs, nil
}

// checkS3 refuses an S3 path outside the S3 roots.
func (rs *roots) checkS3(path string) error {
	u, err := parseS3(path)
	if err != nil {
		return err
	}
	// S3 keys have no "..", but some S3-compatible servers clean them as
	// paths: refuse rather than guess.
	if !hasDotSegment(u.key) {
		for _, r := range rs.s3 {
			if u.bucket == r.bucket && keyBelow(u.key, r.key) {
				return nil
			}
		}
	}
	return fmt.Errorf("%s: %w", path, ErrNotAllowed)
}

// find finds the root a local path lies in, as written (".." resolved
// lexically), and the path relative to it.
func (rs *roots) find(path string) (*os.Root, string, error) {
	abs, err := filepath.Abs(filepath.FromSlash(path))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	for _, r := range rs.local {
		if rel, err := filepath.Rel(r.abs, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return r.root, rel, nil
		}
	}
	return nil, "", fmt.Errorf("%s: %w", path, ErrNotAllowed)
}

// escaped turns os.Root's refusal of a link that leads out into
// ErrNotAllowed, naming the path as the user wrote it.
func escaped(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
		return fmt.Errorf("%s: a symbolic link leads %w", path, ErrNotAllowed)
	}
	return err
}

// keyBelow reports whether key lies under the S3 prefix root: in the
// folder root names (a root "logs" covers "logs/…", not "logs2/…").
func keyBelow(key, root string) bool {
	if root == "" {
		return true
	}
	root = strings.TrimSuffix(root, "/")
	return key == root || strings.HasPrefix(key, root+"/")
}

func hasDotSegment(key string) bool {
	for _, seg := range strings.Split(key, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// openLocal opens a local file through its root.
func (rs *roots) openLocal(path string) (*os.File, error) {
	root, rel, err := rs.find(path)
	if err != nil {
		return nil, err
	}
	f, err := root.Open(rel)
	return f, escaped(path, err)
}

// confined is a Store that serves only paths below rs.
type confined struct {
	Store
	rs *roots
}

// Stat implements Store.
func (c confined) Stat(ctx context.Context, path string) (File, bool, error) {
	if IsS3(path) {
		if err := c.rs.checkS3(path); err != nil {
			return File{}, false, err
		}
		return c.Store.Stat(ctx, path)
	}
	root, rel, err := c.rs.find(path)
	if err != nil {
		return File{}, false, err
	}
	if _, err := root.Stat(rel); err != nil {
		return File{}, false, escaped(path, err)
	}
	return c.Store.Stat(ctx, path)
}

// Walk implements Store: a file whose link leads out is listed with Err
// set, so that readers skip and count it.
func (c confined) Walk(ctx context.Context, dir string, descend func(dir string) bool, fn func(File) error) error {
	if IsS3(dir) {
		if err := c.rs.checkS3(dir); err != nil {
			return err
		}
		return c.Store.Walk(ctx, dir, descend, fn)
	}
	root, rel, err := c.rs.find(dir)
	if err != nil {
		return err
	}
	if _, err := root.Stat(rel); err != nil {
		return escaped(dir, err)
	}
	return c.Store.Walk(ctx, dir, descend, func(f File) error {
		if f.Err == nil {
			if root, rel, err := c.rs.find(f.Path); err != nil {
				f.Err = err
			} else if _, err := root.Stat(rel); err != nil {
				f.Err = escaped(f.Path, err)
			}
		}
		return fn(f)
	})
}

// Open implements Store.
func (c confined) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	if IsS3(path) {
		if err := c.rs.checkS3(path); err != nil {
			return nil, err
		}
		return c.Store.Open(ctx, path)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.rs.openLocal(path)
}
