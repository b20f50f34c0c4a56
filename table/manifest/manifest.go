// Package manifest is the format of _nectar_manifest.json, the file that
// makes a directory of compacted Parquet a dataset: it names the output
// files that are complete and the raw log files each was made from. The
// compact package writes it; the engine reads it to know which Parquet
// files to read and which raw files a compacted copy already covers.
package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nectar-dev/nectar/source"
)

// FileName is the manifest's name inside the compacted directory. The
// leading underscore keeps it out of directory listings (source.List skips
// names starting with '_' or '.').
const FileName = "_nectar_manifest.json"

// Version is the format version this package writes and reads.
const Version = 1

// ErrNoManifest means the directory has no manifest yet.
var ErrNoManifest = errors.New("no compaction manifest")

// ErrVersion means the manifest was written by an incompatible nectar.
var ErrVersion = errors.New("unsupported manifest version")

// Manifest is the whole file.
type Manifest struct {
	Version          int       `json:"version"`
	PartitionByEvent bool      `json:"partition_by_event"`
	Updated          time.Time `json:"updated"`
	// Batches are units of conversion: a set of source files read together
	// and the outputs made from them. A changed source file invalidates its
	// whole batch, since its rows are mixed into the batch's outputs.
	Batches []Batch `json:"batches"`
}

// Batch is one conversion run over a set of source files.
type Batch struct {
	ID      string   `json:"id"`
	Sources []Source `json:"sources"`
	Outputs []Output `json:"outputs"`
}

// Source identifies one raw log file as it was when converted; a file
// whose size or modification time (or ETag on S3) differs later counts as
// changed.
type Source struct {
	Path    string    `json:"path"`
	Key     string    `json:"key"` // see Key
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
}

// Output is one Parquet file, its path relative to the manifest's
// directory, with the partition values its path encodes.
type Output struct {
	Path      string  `json:"path"`
	Day       string  `json:"day,omitempty"`   // YYYY-MM-DD; empty for rows with no day
	Event     *string `json:"event,omitempty"` // set when partitioned by event; "" never means NULL
	NullEvent bool    `json:"null_event,omitempty"`
	Rows      int64   `json:"rows"`
	// Columns is the file's schema, so a reader can build the dataset's
	// schema without opening every footer.
	Columns []Column `json:"columns,omitempty"`
	Bytes   int64    `json:"bytes"`
}

// Column is one column of an output: its name and nectar kind (as
// types.Kind.String spells it: STRING, BIGINT, DOUBLE, …).
type Column struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Same reports whether f is the file s recorded.
func (s Source) Same(f source.File) bool {
	return s.Key == Key(f.Path) && s.Size == f.Size && s.ModTime.Equal(f.ModTime)
}

// SourceOf records f.
func SourceOf(f source.File) Source {
	return Source{Path: f.Path, Key: Key(f.Path), Size: f.Size, ModTime: f.ModTime.UTC()}
}

// Key names a raw file independently of how the pattern that found it was
// spelled: the compactor may list "logs/**/*.gz" while nectar.yaml says
// "./logs" or an absolute path. Under Segment's layout the key is the part
// from "segment-logs/" on (source id, day folder and a file name carrying a
// UUID); otherwise it is the absolute path (or the URL for S3).
func Key(path string) string {
	p := filepath.ToSlash(path)
	if i := strings.LastIndex(p, "segment-logs/"); i >= 0 {
		return p[i:]
	}
	if strings.Contains(p, "://") {
		return p
	}
	if abs, err := filepath.Abs(path); err == nil {
		return filepath.ToSlash(abs)
	}
	return p
}

// Path joins the manifest's directory and a relative name.
func Path(dir, name string) string {
	if dir == "" {
		return name
	}
	return strings.TrimSuffix(dir, "/") + "/" + name
}

// Read loads dir's manifest. A missing one yields ErrNoManifest.
func Read(ctx context.Context, stores *source.Stores, dir string) (*Manifest, error) {
	p := Path(dir, FileName)
	files, err := stores.List(ctx, p)
	// A dir that is really a file (read_parquet('out.parquet')) has no
	// manifest either.
	if errors.Is(err, source.ErrNoFiles) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("read %s: %w", p, ErrNoManifest)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	rc, err := stores.Open(ctx, files[0])
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if m.Version != Version {
		return nil, fmt.Errorf("read %s: %w: %d (want %d)", p, ErrVersion, m.Version, Version)
	}
	return &m, nil
}

// Write replaces dir's manifest atomically: readers see the old one or the
// new one, never a mix (source.Create renames on Close, or completes an S3
// upload).
func Write(ctx context.Context, stores *source.Stores, dir string, m *Manifest) error {
	p := Path(dir, FileName)
	m.Version = Version
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	w, err := stores.Create(ctx, p)
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// Outputs lists every output of every batch.
func (m *Manifest) Outputs() []Output {
	var out []Output
	for _, b := range m.Batches {
		out = append(out, b.Outputs...)
	}
	return out
}

// Covered indexes the source files the manifest holds, by Key.
func (m *Manifest) Covered() map[string]Source {
	out := map[string]Source{}
	for _, b := range m.Batches {
		for _, s := range b.Sources {
			out[s.Key] = s
		}
	}
	return out
}
