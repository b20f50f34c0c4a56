package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

var (
	_ sink.Sink  = (*Sink)(nil)
	_ sink.Named = (*Sink)(nil)
)

// ManifestFile names, in a file sink's directory, the current version of
// an update or complete mode result.
const ManifestFile = "_manifest.json"

// Sink writes each batch to new files in Dir. In append mode batch N
// becomes part-N.<ext> holding only its new rows; in update and complete
// mode it becomes version-N.<ext> holding the changed or full result, and
// _manifest.json names the current version. Every file appears by atomic
// rename, so a reader never sees half a file; a replayed batch rewrites
// the same name with the same rows.
type Sink struct {
	Dir    string
	Format output.Format // CSV, JSON (lines) or Parquet

	info sink.Info
}

// Manifest is the content of _manifest.json.
type Manifest struct {
	Current string `json:"current"` // file name of the current version
	Batch   int64  `json:"batch"`
	Mode    string `json:"mode"`
}

// New checks the format and returns a sink writing into dir.
func New(dir string, f output.Format) (*Sink, error) {
	switch f {
	case output.CSV, output.JSON, output.Parquet:
	default:
		return nil, fmt.Errorf("%w %q for a file sink: want csv, jsonl or parquet", output.ErrFormat, f)
	}
	return &Sink{Dir: dir, Format: f}, nil
}

// Name identifies the sink in the checkpoint.
func (s *Sink) Name() string { return "file:" + string(s.Format) }

func (s *Sink) ext() string {
	if s.Format == output.JSON {
		return ".jsonl"
	}
	return "." + string(s.Format)
}

// Open implements sink.Sink: it removes files of batches that never
// committed, which a replay writes again (or, if the files moved on,
// never will).
func (s *Sink) Open(ctx context.Context, info sink.Info) error {
	s.info = info
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("file sink %s: %w", s.Dir, err)
	}
	// The stream holds its checkpoint's lock: no other writer is here, so
	// a temporary file is what a killed run left unfinished.
	if _, err := source.RemoveStaleTemps(s.Dir); err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return fmt.Errorf("file sink %s: %w", s.Dir, err)
	}
	for _, e := range ents {
		if id, ok := s.batchOf(e.Name()); ok && id > info.LastCommitted {
			if info.Mode == sink.Append {
				os.Remove(filepath.Join(s.Dir, e.Name()))
			}
		}
	}
	return nil
}

func (s *Sink) batchOf(name string) (int64, bool) {
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

func (s *Sink) fileName(batch int64) string {
	if s.info.Mode == sink.Append {
		return fmt.Sprintf("part-%06d%s", batch, s.ext())
	}
	return fmt.Sprintf("version-%06d%s", batch, s.ext())
}

// Write implements sink.Sink.
func (s *Sink) Write(ctx context.Context, batch int64, rows [][]types.Value) error {
	if s.info.Mode == sink.Append && len(rows) == 0 {
		return nil // nothing new: no empty part file
	}
	name := s.fileName(batch)
	path := filepath.Join(s.Dir, name)
	if err := s.writeRows(path, rows); err != nil {
		return err
	}
	if s.info.Mode == sink.Append {
		return nil
	}
	var prev Manifest
	_ = readJSON(filepath.Join(s.Dir, ManifestFile), &prev)
	if err := writeManifest(s.Dir, Manifest{Current: name, Batch: batch, Mode: string(s.info.Mode)}); err != nil {
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

func (s *Sink) writeRows(path string, rows [][]types.Value) error {
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

// Close implements sink.Sink.
func (s *Sink) Close() error { return nil }

// ReadManifest returns a file sink directory's manifest.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	err := readJSON(filepath.Join(dir, ManifestFile), &m)
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("read %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return m, err
}

// writeManifest replaces the manifest atomically: a reader sees the old
// version's name or the new one's.
func writeManifest(dir string, m Manifest) error {
	path := filepath.Join(dir, ManifestFile)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return source.WriteFileAtomic(path, append(data, '\n'))
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
