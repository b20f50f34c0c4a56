package table

import (
	"maps"
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// WithFiles returns a source with s's schema that reads files instead of
// s's own: one micro-batch of a stream runs the same bound plan over each
// batch's new files.
func (s *JSON) WithFiles(files []source.File) *JSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &JSON{
		pattern: s.pattern, files: files, opts: s.opts, cols: s.cols, leaves: s.leaves, extra: maps.Clone(s.extra), nullOnly: s.nullOnly, empty: s.empty, declared: s.declared, complete: s.complete, onOpen: s.onOpen,
		// Array paths were resolved against the schema files' sample; keep
		// it so Resolve answers alike for every batch.
		sample: s.sample, sampled: s.sampled,
	}
}

// Pattern is the path or glob the source was opened with.
func (s *JSON) Pattern() string { return s.pattern }

// Location is the pattern resolved against Options.Dir: what another
// engine reading the same files (Spark) is given.
func (s *JSON) Location() string { return resolve(s.opts.Dir, s.pattern) }

// ResolvePath makes a relative read_json path relative to dir, as the
// engine does for Options.Dir.
func ResolvePath(dir, p string) string { return resolve(dir, p) }

// WithKinds returns a source like s whose named columns (matched without
// regard to case) read as the given kinds. A stream widens a column this
// way when later files carry values that do not fit the kind its first
// files gave it.
func (s *JSON) WithKinds(kinds map[string]types.Kind) *JSON {
	c := s.WithFiles(s.files)
	c.cols = slices.Clone(s.cols)
	c.leaves = maps.Clone(s.leaves)
	for i, col := range c.cols {
		if k, ok := kinds[strings.ToLower(col.Name)]; ok && !col.Hidden {
			c.cols[i].Kind = k
			c.leaves[strings.ToLower(col.Name)] = k
		}
	}
	return c
}

// WithFullSchema returns a source like s whose columns are full, inferred
// from every line elsewhere (Spark's inference): its leaves, with their
// kinds, in the order of s's sample, then those the sample lacks. Nothing
// in it is a guess, and a name it lacks is not in the data.
func (s *JSON) WithFullSchema(full []plan.SourceColumn) *JSON {
	c := s.WithFiles(s.files)
	c.complete = true
	c.nullOnly = map[string]bool{}
	byName := map[string]plan.SourceColumn{}
	for _, f := range full {
		if !f.Hidden {
			byName[pathKey(f.Name)] = f
		}
	}
	c.cols, c.leaves = nil, map[string]types.Kind{}
	add := func(f plan.SourceColumn) {
		c.cols = append(c.cols, f)
		c.leaves[pathKey(f.Name)] = f.Kind
		delete(byName, pathKey(f.Name))
	}
	for _, col := range s.Columns() {
		if f, ok := byName[pathKey(col.Name)]; ok {
			add(plan.SourceColumn{Name: col.Name, Kind: f.Kind})
		}
	}
	for _, f := range full {
		if _, ok := byName[pathKey(f.Name)]; ok {
			add(f)
		}
	}
	for _, h := range hiddenColumns {
		c.cols = append(c.cols, plan.SourceColumn{Name: h.name, Kind: h.kind, Hidden: true})
	}
	return c
}
