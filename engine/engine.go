package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/optimize"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Options control how sources are read.
type Options struct {
	Dir          string    // relative paths in read_json/read_parquet resolve against it ("" = working directory)
	Strict       bool      // fail on the first bad input line
	BadLines     io.Writer // receives every skipped line as JSON (nil: not kept)
	MaxLineBytes int       // longest accepted line (0: the scanner's default)
	SampleLines  int       // lines sampled for schema inference (0: the default)
	BatchRows    int       // rows per scan batch (0: types.BatchSize); tests shrink it to exercise batch boundaries
	// LateArrivals lets an upper bound on timestamp skip Segment day
	// folders received more than this after it: events delivered later
	// than that after their timestamp are then not read (0: such bounds
	// skip nothing). See pruneDays.
	LateArrivals time.Duration
	// MemoryLimit bounds the bytes a query's blocking operators hold
	// (0: DefaultMemoryLimit; negative: no limit).
	MemoryLimit int64
}

// Engine runs statements. It is the seam where another engine (Spark
// through Spark Connect) can stand in for the local one.
type Engine interface {
	// Run executes script and calls emit with the result of each statement
	// that has one (queries, DESCRIBE, EXPLAIN).
	Run(ctx context.Context, script string, emit func(*Result) error) error
}

// ResultKind says what a Result holds.
type ResultKind int

const (
	Rows ResultKind = iota // a query's rows, in Rows
	Text                   // EXPLAIN: text for people, in Text
)

// Result is one statement's output. Rows must be drained (or closed) before
// the next statement runs.
type Result struct {
	Kind   ResultKind
	Schema types.Schema
	Rows   exec.Operator
	Text   string
}

// Local is the in-process engine.
type Local struct {
	Opts Options

	mu      sync.Mutex
	views   map[string]syntax.Query
	sources map[string]plan.Source
	cache   map[string]plan.Source // table function calls already opened, by call text
	scans   []*scan.Scanner
	lookup  func(name string) (plan.Source, bool) // tables known elsewhere (a stream's memory tables)
	scanSrc []string                              // for each scan, the table function call it reads
}

var _ Engine = (*Local)(nil)

// New returns an engine with an empty catalog.
func New(opts Options) *Local {
	return &Local{Opts: opts, views: map[string]syntax.Query{}, sources: map[string]plan.Source{}, cache: map[string]plan.Source{}}
}

// Register names a source, as nectar.yaml's sources section does.
func (e *Local) Register(name string, src plan.Source) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sources[strings.ToLower(name)] = src
}

// Run implements Engine.
func (e *Local) Run(ctx context.Context, script string, emit func(*Result) error) error {
	stmts, err := syntax.ParseScript(script)
	if err != nil {
		return err
	}
	limit := e.Opts.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit()
	}
	ctx = exec.WithMemoryLimit(ctx, limit)
	for _, st := range stmts {
		if err := e.runStatement(ctx, st, emit); err != nil {
			return err
		}
	}
	return nil
}

func (e *Local) runStatement(ctx context.Context, st syntax.Statement, emit func(*Result) error) error {
	switch st := st.(type) {
	case *syntax.CreateView:
		name := strings.ToLower(st.Name)
		e.mu.Lock()
		_, exists := e.views[name]
		e.mu.Unlock()
		if exists && !st.OrReplace {
			return syntax.Errorf(st.Position(), "view %s already exists (use CREATE OR REPLACE VIEW)", syntax.QuoteIdent(st.Name))
		}
		// Bind now so a broken view fails where it is defined.
		if _, err := plan.Bind(ctx, e, st.Query); err != nil {
			return err
		}
		e.mu.Lock()
		e.views[name] = st.Query
		e.mu.Unlock()
		return nil
	case *syntax.Describe:
		n, err := e.Plan(ctx, st.Query)
		if err != nil {
			return err
		}
		return emit(describe(n.Schema()))
	case *syntax.Explain:
		n, err := e.Plan(ctx, st.Query)
		if err != nil {
			return err
		}
		return emit(&Result{Kind: Text, Text: plan.Explain(n)})
	case *syntax.QueryStmt:
		n, err := e.Plan(ctx, st.Query)
		if err != nil {
			return err
		}
		op, err := exec.Build(ctx, n)
		if err != nil {
			return err
		}
		res := &Result{Kind: Rows, Schema: n.Schema(), Rows: op}
		err = emit(res)
		return errors.Join(err, op.Close())
	}
	return syntax.Errorf(st.Position(), "unsupported statement %T", st)
}

// Plan binds and optimises one query.
func (e *Local) Plan(ctx context.Context, q syntax.Query) (plan.Node, error) {
	n, err := plan.Bind(ctx, e, q)
	if err != nil {
		return nil, err
	}
	return optimize.Optimize(n), nil
}

// describe lists a schema as rows (col_name, data_type), as Spark's
// DESCRIBE does.
func describe(s types.Schema) *Result {
	schema := types.Schema{{Name: "col_name", Kind: types.String}, {Name: "data_type", Kind: types.String}}
	rows := make([][]types.Value, len(s))
	for i, c := range s {
		rows[i] = []types.Value{types.StringValue(c.Name), types.StringValue(strings.ToLower(c.Kind.String()))}
	}
	return &Result{Kind: Rows, Schema: schema, Rows: exec.Rows(schema, rows)}
}

// Table implements plan.Catalog.
func (e *Local) Table(name string) (syntax.Query, plan.Source, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.views[strings.ToLower(name)]; ok {
		return v, nil, true
	}
	if s, ok := e.sources[strings.ToLower(name)]; ok {
		return nil, s, true
	}
	if e.lookup != nil {
		if s, ok := e.lookup(name); ok {
			return nil, s, true
		}
	}
	return nil, nil, false
}

// LookupTables makes names the catalog does not know go to fn, as
// `nectar query --stream-endpoint` does for a running stream's tables.
func (e *Local) LookupTables(fn func(name string) (plan.Source, bool)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lookup = fn
}

// TableFunc implements plan.Catalog: read_json(path) and read_parquet(path).
func (e *Local) TableFunc(ctx context.Context, name string, args []types.Value) (plan.Source, error) {
	if len(args) != 1 || args[0].K != types.String {
		return nil, fmt.Errorf("%s takes one string argument: a file, directory or glob", name)
	}
	key := name + "(" + args[0].S + ")"
	e.mu.Lock()
	src, ok := e.cache[key]
	e.mu.Unlock()
	if ok {
		return src, nil
	}
	var err error
	switch name {
	case "read_json":
		src, err = OpenJSON(ctx, args[0].S, e.Opts, func(s *scan.Scanner) { e.track(key, s) })
	case "read_parquet":
		src, err = OpenParquet(ctx, args[0].S, e.Opts)
	default:
		return nil, fmt.Errorf("unknown table function %s (nectar has read_json and read_parquet)", name)
	}
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.cache[key] = src
	e.mu.Unlock()
	return src, nil
}

func (e *Local) track(src string, s *scan.Scanner) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scans = append(e.scans, s)
	e.scanSrc = append(e.scanSrc, src)
}

// Scans returns the scanners opened so far, for progress and the bad-input
// summary.
func (e *Local) Scans() []*scan.Scanner {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*scan.Scanner{}, e.scans...)
}

// ScanStats returns one Stats per source read so far, in the order first
// read: that of its most complete scan. A script that reads a source in
// several statements (glimpse takes a sample, then a count) re-reads the
// same lines, and each bad line must be reported once.
func (e *Local) ScanStats() []scan.Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []scan.Stats
	at := map[string]int{}
	for i, s := range e.scans {
		st := s.Stats()
		j, ok := at[e.scanSrc[i]]
		if !ok {
			at[e.scanSrc[i]] = len(out)
			out = append(out, st)
			continue
		}
		// Scans of one source see the same files in the same order, so the
		// one that got furthest has seen everything the others have.
		if p := out[j]; st.FilesDone > p.FilesDone || st.FilesDone == p.FilesDone && st.BytesDone > p.BytesDone ||
			st.FilesDone == p.FilesDone && st.BytesDone == p.BytesDone && st.SkippedLines()+st.Conflicts > p.SkippedLines()+p.Conflicts {
			out[j] = st
		}
	}
	return out
}

// QueryRows runs script on e and returns the columns and rows of its last
// statement that yields rows: the shape tests, the corpus harnesses and
// clients such as experiment reports want.
func QueryRows(ctx context.Context, e Engine, script string) (types.Schema, [][]types.Value, error) {
	var schema types.Schema
	var rows [][]types.Value
	err := e.Run(ctx, script, func(r *Result) error {
		if r.Kind != Rows {
			return nil
		}
		got, err := exec.Collect(ctx, r.Rows)
		if err != nil {
			return err
		}
		schema, rows = r.Schema, got
		return nil
	})
	return schema, rows, err
}
