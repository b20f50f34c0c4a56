package source

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAtomicFile checks the one temp-file, fsync, rename path that local
// outputs, the stream checkpoint and the stream sinks share: the name
// shows the old content until Commit and the new one after, Abort and a
// failed write publish nothing, and no temporary file is left behind.
func TestAtomicFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := WriteFileAtomic(path, []byte("old\n")); err != nil {
		t.Fatal(err)
	}

	a, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Write([]byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Fatalf("before Commit: %q, want the old content", got)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new\n" {
		t.Fatalf("after Commit: %q", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v; want 0644", fi.Mode(), err)
	}
	a.Abort() // after Commit: nothing
	if err := a.Commit(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Commit = %v, want os.ErrClosed", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Abort after Commit removed the file: %v", err)
	}

	b, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	b.Write([]byte("dropped\n"))
	b.Abort()
	if err := b.Commit(); !errors.Is(err, ErrAborted) {
		t.Errorf("Commit after Abort = %v, want ErrAborted", err)
	}
	if _, err := b.Write([]byte("x")); !errors.Is(err, ErrAborted) {
		t.Errorf("Write after Abort = %v, want ErrAborted", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new\n" {
		t.Fatalf("after Abort: %q, want the committed content", got)
	}

	if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "f"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: %v, want fs.ErrNotExist", err)
	} else if strings.Contains(err.Error(), ".tmp-") {
		t.Errorf("error names the temporary file: %v", err)
	}

	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
