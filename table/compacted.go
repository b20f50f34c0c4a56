package table

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/table/manifest"
	"github.com/nectar-dev/nectar/types"
)

// Compacted is a raw log source that has a compacted copy
// (nectar.yaml "compacted: DST"). It reads the union of the copy and the
// raw files the copy does not cover: rows of raw files recorded unchanged
// in the copy's manifest come from Parquet, every other raw file (new
// since the last compaction, or changed, with the rest of its batch) is
// read as JSON. So the answer is always that over the raw files, only
// faster for the part already compacted. One exception: rows of raw files
// deleted after compaction stay readable from the copy, which is what an
// archive is for.
type Compacted struct {
	name, raw, dst string
	opts           Options
	onOpen         func(*scan.Scanner)

	once sync.Once
	err  error
	pq   *Parquet // nil when the copy covers no listed file
	js   *JSON    // nil when the copy covers every listed file
}

// NewCompacted names the union of rawPattern's files with the compacted
// copy in compactedDir (both already resolved); it is opened (files
// listed, manifest read, uncovered files sampled) on first use.
func NewCompacted(name, rawPattern, compactedDir string, opts Options, onOpen func(*scan.Scanner)) *Compacted {
	return &Compacted{name: name, raw: rawPattern, dst: compactedDir, opts: opts, onOpen: onOpen}
}

// OpenCompacted opens a Compacted now, reporting any error.
func OpenCompacted(ctx context.Context, rawPattern, compactedDir string, opts Options, onOpen func(*scan.Scanner)) (*Compacted, error) {
	s := &Compacted{name: rawPattern, raw: resolve(opts.Dir, rawPattern), dst: resolve(opts.Dir, compactedDir), opts: opts, onOpen: onOpen}
	s.once.Do(func() { s.err = s.load(ctx) })
	return s, s.err
}

// Parts returns the Parquet and JSON halves (either may be nil), for
// tests and EXPLAIN-like reporting.
func (s *Compacted) Parts() (*Parquet, *JSON) {
	s.ensure()
	return s.pq, s.js
}

func (s *Compacted) ensure() error {
	s.once.Do(func() { s.err = s.load(context.Background()) })
	return s.err
}

func (s *Compacted) load(ctx context.Context) error {
	files, err := s.opts.stores().List(ctx, s.raw)
	if err != nil {
		return err
	}
	m, err := manifest.Read(ctx, s.opts.stores(), s.dst)
	if errors.Is(err, manifest.ErrNoManifest) {
		m, err = &manifest.Manifest{}, nil
	}
	if err != nil {
		return err
	}
	listed := map[string]source.File{}
	for _, f := range files {
		listed[manifest.Key(f.Path)] = f
	}
	// A batch is usable when none of its sources changed; its outputs mix
	// the rows of all its sources, so one changed file sends the whole
	// batch back to JSON.
	inCopy := map[string]bool{}
	var infos []parquetFileInfo
	for _, b := range m.Batches {
		ok := true
		for _, src := range b.Sources {
			if f, isListed := listed[src.Key]; isListed && !src.Same(f) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, src := range b.Sources {
			inCopy[src.Key] = true
		}
		for _, o := range b.Outputs {
			infos = append(infos, outputInfo(s.dst, o, m.PartitionByEvent))
		}
	}
	var rest []source.File
	for _, f := range files {
		if !inCopy[manifest.Key(f.Path)] {
			rest = append(rest, f)
		}
	}
	if len(infos) > 0 {
		if s.pq, err = newParquetSource(ctx, s.opts.stores(), s.dst, infos); err != nil {
			return err
		}
	}
	if len(rest) > 0 {
		if s.js, err = OpenJSONFiles(ctx, s.raw, rest, s.opts, s.onOpen); err != nil {
			return err
		}
	}
	return nil
}

// union is the schema of both halves: their visible columns, kinds
// widened, then read_json's hidden columns. It is worked out on each call
// because reads may widen the JSON half's columns.
func (s *Compacted) union() []plan.SourceColumn {
	var cols []plan.SourceColumn
	at := map[string]int{}
	add := func(half []plan.SourceColumn) {
		for _, c := range half {
			if c.Hidden {
				continue
			}
			key := strings.ToLower(c.Name)
			if i, ok := at[key]; ok {
				cols[i].Kind = types.Widen(cols[i].Kind, c.Kind)
				continue
			}
			at[key] = len(cols)
			cols = append(cols, c)
		}
	}
	if s.pq != nil {
		add(s.pq.Columns())
	}
	if s.js != nil {
		add(s.js.Columns())
	}
	for _, h := range hiddenColumns {
		cols = append(cols, plan.SourceColumn{Name: h.name, Kind: h.kind, Hidden: true})
	}
	return cols
}

func (s *Compacted) String() string {
	return "read_json('" + s.raw + "') compacted in '" + s.dst + "'"
}

// Columns implements plan.Source. When the source cannot be opened it has
// no columns; Open reports why.
func (s *Compacted) Columns() []plan.SourceColumn {
	if s.ensure() != nil {
		return nil
	}
	return s.union()
}

// Admits implements plan.OpenSchema: the raw files not compacted yet may
// hold names their sample did not show; the copy's schema is complete.
func (s *Compacted) Admits(path string) bool {
	return s.ensure() == nil && s.js != nil && s.js.Admits(path)
}

// KindsOf implements plan.OpenSchema.
func (s *Compacted) KindsOf(ctx context.Context, paths []string) (map[string]types.Kind, error) {
	if js := s.jsonSource(); js != nil {
		return js.KindsOf(ctx, paths)
	}
	return nil, nil
}

func (s *Compacted) jsonSource() *JSON {
	if s.ensure() != nil {
		return nil
	}
	return s.js
}

// Resolve implements plan.Source.
func (s *Compacted) Resolve(name string) (types.Kind, bool) {
	if s.ensure() != nil {
		return 0, false
	}
	if s.js != nil {
		if k, ok := s.js.Resolve(name); ok {
			return k, true
		}
	}
	if s.pq != nil {
		return s.pq.Resolve(name)
	}
	return 0, false
}

// Open implements plan.Source: the Parquet half first, then the JSON one.
func (s *Compacted) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	if err := s.ensure(); err != nil {
		return nil, fmt.Errorf("open %s: %w", s, err)
	}
	var parts []plan.BatchReader
	if s.pq != nil {
		r, err := s.pq.Open(ctx, cols, filters)
		if err != nil {
			return nil, err
		}
		parts = append(parts, r)
	}
	if s.js != nil {
		r, err := s.js.Open(ctx, cols, filters)
		if err != nil {
			for _, p := range parts {
				p.Close()
			}
			return nil, err
		}
		parts = append(parts, r)
	}
	return &concatReader{parts: parts}, nil
}

// concatReader reads its parts one after another.
type concatReader struct {
	parts []plan.BatchReader
	i     int
}

func (c *concatReader) Next(ctx context.Context) (*types.Batch, error) {
	for c.i < len(c.parts) {
		b, err := c.parts[c.i].Next(ctx)
		if err != nil {
			return nil, err
		}
		if b != nil && b.Len > 0 {
			return b, nil
		}
		c.i++
	}
	return nil, nil
}

func (c *concatReader) Close() error {
	var errs []error
	for _, p := range c.parts {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// RawPattern is the raw logs the compacted copy is made from.
func (c *Compacted) RawPattern() string { return c.raw }
