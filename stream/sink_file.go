package stream

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// ManifestFile names, in a file sink's directory, the current version of
// an update or complete mode result.
const ManifestFile = "_manifest.json"

// FileSink writes each batch to new files in Dir. In append mode batch N
// becomes part-N.<ext> holding only its new rows; in update and complete
// mode it becomes version-N.<ext> holding the changed or full result, and
// _manifest.json names the current version. Every file appears by atomic
// rename, so a reader never sees half a file; a replayed batch rewrites
// the same name with the same rows.
type FileSink struct {
	Dir    string
	Format output.Format // CSV, JSON (lines) or Parquet

	info SinkInfo
}

// Manifest is the content of _manifest.json.
type Manifest struct {
	Current string `json:"current"` // file name of the current version
	Batch   int64  `json:"batch"`
	Mode    string `json:"mode"`
}

// NewFileSink checks the format and returns a sink writing into dir.
func NewFileSink(dir string, f output.Format) (*FileSink, error) {
	switch f {
	case output.CSV, output.JSON, output.Parquet:
	default:
		return nil, fmt.Errorf("%w %q for a file sink: want csv, jsonl or parquet", output.ErrFormat, f)
	}
	return &FileSink{Dir: dir, Format: f}, nil
}

// Name identifies the sink in the checkpoint.
func (s *FileSink) Name() string { return "file:" + string(s.Format) }

func (s *FileSink) ext() string {
	if s.Format == output.JSON {
		return ".jsonl"
	}
	return "." + string(s.Format)
}

// Open implements Sink: it removes files of batches that never committed,
// which a replay writes again (or, if the files moved on, never will).
func (s *FileSink) Open(ctx context.Context, info SinkInfo) error {
	s.info = info
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("file sink %s: %w", s.Dir, err)
	}
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return fmt.Errorf("file sink %s: %w", s.Dir, err)
	}
	for _, e := range ents {
		if id, ok := s.batchOf(e.Name()); ok && id > info.LastCommitted {
			if info.Mode == Append {
				os.Remove(filepath.Join(s.Dir, e.Name()))
			}
		}
	}
	return nil
}

func (s *FileSink) batchOf(name string) (int64, bool) {
	for _, prefix := range []string{"part-", "version-"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			var id int64
			if _, err := fmt.Sscanf(strings.TrimSuffix(rest, s.ext()), "%d", &id); err == nil {
				return id, true
			}
		}
	}
	return 0, false
}

func (s *FileSink) fileName(batch int64) string {
	if s.info.Mode == Append {
		return fmt.Sprintf("part-%06d%s", batch, s.ext())
	}
	return fmt.Sprintf("version-%06d%s", batch, s.ext())
}

// Write implements Sink.
func (s *FileSink) Write(ctx context.Context, batch int64, rows [][]types.Value) error {
	if s.info.Mode == Append && len(rows) == 0 {
		return nil // nothing new: no empty part file
	}
	name := s.fileName(batch)
	path := filepath.Join(s.Dir, name)
	if err := s.writeRows(path, rows); err != nil {
		return err
	}
	if s.info.Mode == Append {
		return nil
	}
	var prev Manifest
	_ = readJSON(filepath.Join(s.Dir, ManifestFile), &prev)
	if err := writeJSON(filepath.Join(s.Dir, ManifestFile), Manifest{Current: name, Batch: batch, Mode: string(s.info.Mode)}); err != nil {
		return err
	}
	// Keep the version before the current one for a reader that read the
	// old manifest a moment ago; older ones are garbage.
	ents, _ := os.ReadDir(s.Dir)
	for _, e := range ents {
		if id, ok := s.batchOf(e.Name()); ok && strings.HasPrefix(e.Name(), "version-") && e.Name() != name && e.Name() != prev.Current && id < batch {
			os.Remove(filepath.Join(s.Dir, e.Name()))
		}
	}
	return nil
}

func (s *FileSink) writeRows(path string, rows [][]types.Value) error {
	f, err := source.CreateAtomic(path)
	if err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	defer f.Abort() // a no-op once committed
	w, err := output.New(s.Format, f, s.info.Schema)
	if err != nil {
		return fmt.Errorf("file sink: write %s: %w", path, err)
	}
	b := types.NewBatch(s.info.Schema, types.BatchSize)
	for i := 0; i < len(rows); {
		b.Reset()
		for ; i < len(rows) && b.Len < types.BatchSize; i++ {
			b.AppendRow(rows[i])
		}
		if err := w.Write(b); err != nil {
			return fmt.Errorf("file sink: write %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("file sink: write %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	return nil
}

// Close implements Sink.
func (s *FileSink) Close() error { return nil }

// ReadManifest returns a file sink directory's manifest.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	err := readJSON(filepath.Join(dir, ManifestFile), &m)
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("read %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return m, err
}
