package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/output"

	"github.com/nectar-dev/nectar/gen"
)

// DataSet is one generated, cached copy of the benchmark logs, or the
// Parquet copy `nectar compact` made of one.
type DataSet struct {
	Dir     string      // gen's Out: files are under Dir/segment-logs/; the compacted copy's root
	Glob    string      // every data file, in a form both engines expand
	Options gen.Options // what generated it (Out and Workers cleared)
	// Summary describes the generated JSON, also for a compacted copy, so
	// that MB/s and events/s count the same logical input; a compacted
	// copy's CompressedBytes is its Parquet files' size.
	Summary   gen.Summary
	Compacted bool
}

// Input names the storage in the report: the compression of the JSON, or
// "compacted".
func (d DataSet) Input() string {
	switch {
	case d.Compacted:
		return "compacted"
	case d.Options.DriftFiles > 0:
		return d.Options.Compress + ", drifting"
	}
	return d.Options.Compress
}

// summaryFile marks a complete data set: it is written only after
// gen.Generate returns, so an interrupted run is regenerated.
const summaryFile = "summary.json"

// CacheKey names the cache directory of a data set: output depends only on
// these options (gen's promise), so equal keys mean equal bytes.
func CacheKey(o gen.Options) string {
	c := o.Compress
	if c == "" {
		c = gen.CompressGzip
	}
	key := fmt.Sprintf("events%d-files%d-seed%d-%s", o.Events, o.Files, o.Seed, c)
	if o.DriftFiles > 0 {
		key += fmt.Sprintf("-drift%d", o.DriftFiles)
	}
	return key
}

// DriftFiles is how many of a data set's files drift in its drifting copy
// (Query.Drift): the last 2.5%, at least one.
func DriftFiles(files int) int { return max(1, files/40) }

// EnsureData returns the data set for o under cacheDir, generating it first
// unless a complete copy is already there. Progress goes to log.
func EnsureData(ctx context.Context, cacheDir string, o gen.Options, log io.Writer) (DataSet, error) {
	o.Out, o.Workers = "", 0
	if o.Compress == "" {
		o.Compress = gen.CompressGzip
	}
	dir := filepath.Join(cacheDir, CacheKey(o))
	ds := DataSet{Dir: dir, Glob: dataGlob(dir, o.Compress), Options: o}
	b, err := os.ReadFile(filepath.Join(dir, summaryFile))
	if err == nil {
		if err := json.Unmarshal(b, &ds.Summary); err != nil {
			return DataSet{}, fmt.Errorf("read %s: %w", filepath.Join(dir, summaryFile), err)
		}
		fmt.Fprintf(log, "data: reusing %s (%s of JSON)\n", dir, output.FormatBytes(ds.Summary.Bytes))
		return ds, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return DataSet{}, fmt.Errorf("read %s: %w", filepath.Join(dir, summaryFile), err)
	}
	// A directory without its summary is the remains of an interrupted run.
	if err := os.RemoveAll(dir); err != nil {
		return DataSet{}, fmt.Errorf("clear %s: %w", dir, err)
	}
	fmt.Fprintf(log, "data: generating %d events in %d files (%s) under %s\n", o.Events, o.Files, o.Compress, dir)
	began := time.Now()
	g := o
	g.Out = dir
	sum, err := gen.Generate(ctx, g)
	if err != nil {
		return DataSet{}, fmt.Errorf("generate %s: %w", dir, err)
	}
	ds.Summary = sum
	b, err = json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return DataSet{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, summaryFile), b, 0o644); err != nil {
		return DataSet{}, fmt.Errorf("write %s: %w", filepath.Join(dir, summaryFile), err)
	}
	fmt.Fprintf(log, "data: wrote %s of JSON (%s on disk) in %s\n",
		output.FormatBytes(sum.Bytes), output.FormatBytes(sum.CompressedBytes), time.Since(began).Round(time.Millisecond))
	return ds, nil
}

// EnsureCompacted compacts src with `nectar compact` (the binary at
// nectarBin) into a directory next to it and returns the copy. It starts
// from an empty directory every time: the Parquet layout is the binary's
// to choose, and a copy written by an older build would measure that
// build. Compaction is not timed.
func EnsureCompacted(ctx context.Context, nectarBin string, src DataSet, log io.Writer) (DataSet, error) {
	dir := src.Dir + "-compacted"
	if err := os.RemoveAll(dir); err != nil {
		return DataSet{}, fmt.Errorf("clear %s: %w", dir, err)
	}
	fmt.Fprintf(log, "data: nectar compact %s %s\n", src.Glob, dir)
	began := time.Now()
	cmd := exec.CommandContext(ctx, nectarBin, "compact", src.Glob, dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		return DataSet{}, fmt.Errorf("nectar compact %s: %w: %s", src.Glob, err, tail(b, 2000))
	}
	var size int64
	var files int
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		size += info.Size()
		files++
		return nil
	})
	if err != nil {
		return DataSet{}, fmt.Errorf("list %s: %w", dir, err)
	}
	if files == 0 {
		return DataSet{}, fmt.Errorf("nectar compact wrote no Parquet file under %s", dir)
	}
	ds := DataSet{Dir: dir, Glob: filepath.Join(dir, "**", "*.parquet"), Options: src.Options, Summary: src.Summary, Compacted: true}
	ds.Summary.Files = files
	ds.Summary.CompressedBytes = size
	fmt.Fprintf(log, "data: compacted into %d Parquet files (%s) in %s\n", files, output.FormatBytes(size), time.Since(began).Round(time.Millisecond))
	return ds, nil
}

// dataGlob matches gen's layout segment-logs/<source>/<day>/<file>; both
// engines expand single-level stars, so no recursive ** is needed.
func dataGlob(dir, compress string) string {
	ext := ".gz"
	switch compress {
	case gen.CompressNone:
		ext = ".json"
	case gen.CompressZstd:
		ext = ".zst"
	}
	return filepath.Join(dir, "segment-logs", "*", "*", "*"+ext)
}

// WarmCache reads every file of ds once so the first timed run does not
// pay for the disk while later ones read from the page cache.
func WarmCache(ds DataSet) error {
	files, err := filepath.Glob(ds.Glob)
	if err != nil {
		return fmt.Errorf("glob %s: %w", ds.Glob, err)
	}
	for _, f := range files {
		if err := drain(f); err != nil {
			return err
		}
	}
	return nil
}

func drain(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("warm %s: %w", path, err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		return fmt.Errorf("warm %s: %w", path, err)
	}
	return nil
}
