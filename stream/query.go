package stream

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/syntax"
	tbl "github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// fileSource is a read_json source of a stream: the schema is fixed when
// the stream first binds, and each batch points it at that batch's files
// before the plan is built.
type fileSource struct {
	base *tbl.JSON
	cur  []source.File

	// dedup, when set, drops rows whose dedupKey was seen (see dedupState);
	// dedupTime is the event-time column its watermark reads.
	dedup     *dedupState
	dedupKey  string
	dedupTime string

	// scanners are the scans opened over cur, so the stream can ask which
	// files ended early.
	scanners []*scan.Scanner
}

// setFiles points the source at one batch's files.
func (s *fileSource) setFiles(files []source.File) {
	s.cur, s.scanners = files, nil
}

// truncated lists the files of the current batch whose compressed stream
// ended early, each once.
func (s *fileSource) truncated() []string {
	var out []string
	for _, sc := range s.scanners {
		for _, p := range sc.Truncated() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// rowsRead counts the rows the current batch's scans read from their
// files: the rows they handed on and the lines a pushed-down filter
// ruled out before parsing them in full.
func (s *fileSource) rowsRead() int64 {
	var n int64
	for _, sc := range s.scanners {
		st := sc.Stats()
		n += st.Rows + st.RejectedLines
	}
	return n
}

func (s *fileSource) Columns() []plan.SourceColumn { return s.base.Columns() }

// Resolve is the base source's, and a path below an object the first
// files have (properties.nope) reads as text, NULL where missing: a
// stream cannot wait for every file to decide that no line has it.
func (s *fileSource) Resolve(name string) (types.Kind, bool) {
	if k, ok := s.base.Resolve(name); ok {
		return k, true
	}
	p, err := jsonpath.Parse(name)
	if err != nil || len(p) < 2 || p[0].IsIndex {
		return 0, false
	}
	root := strings.ToLower(p[0].Key) + "."
	for _, c := range s.base.Columns() {
		if !c.Hidden && strings.HasPrefix(strings.ToLower(c.Name), root) {
			return types.String, true
		}
	}
	return 0, false
}
func (s *fileSource) String() string { return s.base.String() }
func (s *fileSource) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	if s.dedup != nil {
		return s.openDedup(ctx, cols, filters)
	}
	return s.base.WithFiles(s.cur).Open(ctx, cols, filters)
}

// streamCatalog binds read_json calls to streaming sources and defers
// every other name to the engine's catalog.
type streamCatalog struct {
	base        *engine.Session
	opts        engine.Options
	schemaFiles []source.File
	kinds       map[string]types.Kind // widened columns
	patterns    []string
	sources     map[string]*fileSource
}

// liveTable is how the stream's sources read files: ones that may still be
// written to, whose changes the stream handles itself.
func (c *streamCatalog) liveTable() tbl.Options {
	o := c.opts.Table()
	o.Live = true
	return o
}

func (c *streamCatalog) Table(name string) (syntax.Query, plan.Source, bool) {
	if c.base == nil {
		return nil, nil, false
	}
	return c.base.Table(name)
}

func (c *streamCatalog) TableFunc(ctx context.Context, call plan.TableCall) (plan.Source, error) {
	if call.Name != "read_json" {
		if c.base == nil {
			return nil, fmt.Errorf("unknown table function %s", call.Name)
		}
		return c.base.TableFunc(ctx, call)
	}
	if len(call.Args) != 1 || call.Args[0].K != types.String || len(call.Named) > 0 {
		return nil, fmt.Errorf("%w: a stream reads read_json(path) with one string argument, a file, directory or glob", ErrUnsupported)
	}
	args := call.Args
	pattern := tbl.ResolvePath(c.opts.Dir, args[0].S)
	if s, ok := c.sources[pattern]; ok {
		return s, nil
	}
	s := &fileSource{}
	base, err := tbl.OpenJSONFiles(ctx, args[0].S, c.schemaFiles, c.liveTable(), func(sc *scan.Scanner) {
		s.scanners = append(s.scanners, sc)
	})
	if err != nil {
		return nil, err
	}
	if len(c.kinds) > 0 {
		base = base.WithKinds(c.kinds)
	}
	s.base = base
	c.sources[pattern] = s
	c.patterns = append(c.patterns, pattern)
	return s, nil
}
