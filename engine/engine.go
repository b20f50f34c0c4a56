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
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// Options control how sources are read.
type Options struct {
	Dir    string // relative paths in read_json/read_parquet resolve against it ("" = working directory)
	Strict bool   // fail on the first bad input line
	// BadLines receives every skipped line as JSON (nil: not kept). The
	// session's Close closes it if it is an io.Closer, and its Summary
	// names it if it has a Name (as *os.File does).
	BadLines     io.Writer
	MaxLineBytes int // longest accepted line (0: the scanner's default)
	SampleLines  int // lines sampled for schema inference (0: the default)
	BatchRows    int // rows per scan batch (0: types.BatchSize); tests shrink it to exercise batch boundaries
	// LateArrivals lets an upper bound on timestamp skip Segment day
	// folders received more than this after it: events delivered later
	// than that after their timestamp are then not read (0: such bounds
	// skip nothing). See pruneDays.
	LateArrivals time.Duration
	// MemoryLimit bounds the bytes a query's blocking operators hold
	// (0: DefaultMemoryLimit; negative: no limit).
	MemoryLimit int64
	// Stores serve the paths queries read and write (nil: source.Default,
	// S3 as the environment configures it).
	Stores *source.Stores
	// Cache keeps columnar copies of the raw files scans read (nil: none;
	// see scan.Cache and package scancache).
	Cache scan.Cache
	// Backend runs the plans (nil: Local, in this process).
	Backend Backend
	// ExplainOnly makes a query print what its Backend would run (Backend's
	// Explain) instead of running it, as --explain asks.
	ExplainOnly bool
	// Restart says the caller can throw a statement's rows away after
	// taking them (it writes a file that appears only when complete): a
	// query whose scans check a sampled schema then streams its rows, and
	// is emitted again, with Result.Again, if the data proves the schema
	// wrong, instead of holding every row back until the check.
	Restart bool
}

// Table is the part of o that sources read with.
func (o Options) Table() table.Options {
	return table.Options{Dir: o.Dir, Strict: o.Strict, BadLines: o.BadLines, MaxLineBytes: o.MaxLineBytes,
		SampleLines: o.SampleLines, BatchRows: o.BatchRows, LateArrivals: o.LateArrivals, Stores: o.Stores, Cache: o.Cache}
}

// Engine runs scripts of statements: what clients such as experiment
// reports need of nectar. *Session is the implementation.
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
	Rows   plan.BatchReader
	Text   string
	// Again marks the result of a statement emitted a second time, with
	// Options.Restart: the rows of the one before were read with a schema
	// the data proved wrong, and must be thrown away.
	Again bool
}

// Session runs statements over a catalog: the views it creates, the
// sources nectar.yaml names, and table functions. Statements exist once,
// here, whatever runs the plans: its Backend (Options.Backend), the local
// executor by default.
type Session struct {
	Opts    Options
	backend Backend

	mu      sync.Mutex
	views   map[string]syntax.Query // sources defined by a query (nectar.yaml, DefineSource) and views made before ShareState; a shared view of the same name hides one
	named   map[string]bool         // which of views are sources
	sources map[string]plan.Source
	cache   map[string]plan.Source                // table function calls already opened, by call text
	reads   table.Tracker                         // the scans opened, and notes about the data
	lookup  func(name string) (plan.Source, bool) // tables known elsewhere (a stream's memory tables)
	state   *State                                // views and settings, kept across sessions when shared (ShareState)
	funcs   map[string]TableFuncOpener            // table functions registered by the program (graph_walk)
}

var _ Engine = (*Session)(nil)

// New returns a session with an empty catalog.
func New(opts Options) *Session {
	b := opts.Backend
	if b == nil {
		b = Local{}
	}
	return &Session{Opts: opts, backend: b, state: NewState(nil), views: map[string]syntax.Query{}, named: map[string]bool{}, sources: map[string]plan.Source{}, cache: map[string]plan.Source{}}
}

// Run implements Engine.
func (e *Session) Run(ctx context.Context, script string, emit func(*Result) error) error {
	stmts, err := e.Parse(script, syntax.Options{})
	if err != nil {
		return err
	}
	return e.runStatements(ctx, stmts, emit)
}

// RunParams is Run for a prepared statement: its i-th ? placeholder is a
// literal of params[i] (see syntax.ParseScriptParams).
func (e *Session) RunParams(ctx context.Context, script string, params []types.Value, emit func(*Result) error) error {
	stmts, err := e.Parse(script, syntax.Options{Params: params, Bind: true})
	if err != nil {
		return err
	}
	return e.runStatements(ctx, stmts, emit)
}

func (e *Session) runStatements(ctx context.Context, stmts []syntax.Statement, emit func(*Result) error) error {
	limit := e.Opts.MemoryLimit
	if limit == 0 {
		limit = exec.DefaultMemoryLimit()
	}
	ctx, release := exec.WithMemoryLimit(ctx, limit)
	defer release()
	for _, st := range stmts {
		if err := e.runStatement(ctx, st, emit); err != nil {
			return err
		}
	}
	return nil
}

func (e *Session) runStatement(ctx context.Context, st syntax.Statement, emit func(*Result) error) error {
	switch st := st.(type) {
	case *syntax.CreateView:
		name := strings.ToLower(st.Name)
		if e.viewExists(name) && !st.OrReplace {
			return syntax.Errorf(st.Position(), "view %s already exists (use CREATE OR REPLACE VIEW)", syntax.QuoteIdent(st.Name))
		}
		q := st.Query
		if st.Columns != nil {
			// CREATE VIEW v(a, b) AS q names q's columns as FROM (q) v(a, b) does.
			q = &syntax.FromQuery{At: syntax.At{P: st.Position()}, From: &syntax.SubqueryTable{At: syntax.At{P: st.Position()}, Query: q, Alias: st.Name, Columns: st.Columns}}
		}
		// Bind now so a broken view fails where it is defined.
		if _, err := plan.Bind(ctx, e.catalog(), q); err != nil {
			return err
		}
		e.state.store(name, q)
		return nil
	case *syntax.DropView:
		// Sources named in nectar.yaml are not views, and stay.
		if !e.state.Drop(st.Name) && !st.IfExists {
			return syntax.Errorf(st.Position(), "no view %s to drop", syntax.QuoteIdent(st.Name))
		}
		return nil
	case *syntax.Describe:
		n, err := e.Plan(ctx, st.Query)
		if err != nil {
			return err
		}
		return emit(describe(n.Schema()))
	case *syntax.Explain:
		return e.explain(ctx, st.Query, emit)
	case *syntax.ShowTables:
		return emit(showTables(e.Tables(), st.Pattern))
	case *syntax.SetStmt:
		return e.set(st, emit)
	case *syntax.ResetStmt:
		e.state.Reset(st.Key)
		return nil
	case *syntax.QueryStmt:
		if e.Opts.ExplainOnly {
			return e.explain(ctx, st.Query, emit)
		}
		return e.runQuery(ctx, st.Query, emit)
	}
	return syntax.Errorf(st.Position(), "unsupported statement %T", st)
}

// explain emits what the backend would run for q.
func (e *Session) explain(ctx context.Context, q syntax.Query, emit func(*Result) error) error {
	n, err := e.Plan(ctx, q)
	if err != nil {
		return err
	}
	text, err := e.backend.Explain(ctx, n)
	if err != nil {
		return err
	}
	return emit(&Result{Kind: Text, Text: text})
}

// maxAttempts bounds how often a query runs again after its scans proved
// the schema wrong. Each run widens kinds, which only go up a short
// lattice, or confirms names, so a few runs always suffice.
const maxAttempts = 8

// runQuery runs one query. When its scans read columns whose kinds are
// guesses from a sample, the scans check them as they read (drift.go),
// and the query runs again with the schema corrected if they proved it
// wrong. Meanwhile its rows are held back (exec.Spool), unless the caller
// can take a result again (Options.Restart): then they stream out, and a
// corrected result follows with Result.Again set. Rows that no read can
// prove wrong always stream out.
func (e *Session) runQuery(ctx context.Context, q syntax.Query, emit func(*Result) error) error {
	changed := 0
	emittedBefore := false // an earlier run's rows reached emit: say Again
	for attempt := 1; ; attempt++ {
		n, err := e.bindOptimize(ctx, q)
		if err != nil {
			return err
		}
		if again, err := table.CheckUnread(ctx, q, n); err != nil {
			return err
		} else if again {
			continue
		}
		sctx, log := table.WithScanLog(ctx)
		mark := e.reads.Mark()
		op, err := e.backend.Execute(sctx, n)
		if err != nil {
			return err
		}
		res := &Result{Kind: Rows, Schema: n.Schema(), Rows: op, Again: emittedBefore}
		guesses := table.Guesses(n)
		emitted := !guesses || e.Opts.Restart
		if emitted {
			emittedBefore = true
			err = errors.Join(emit(res), op.Close())
		} else if res.Rows, err = exec.Spool(sctx, op, n.Schema(), ""); err == nil {
			op = res.Rows
		}
		if err != nil {
			// A file that changed while it was read: list the files again
			// and read them again, while no row has reached the user that
			// cannot be taken back.
			if changedWhileRead(err) && changed < maxChanged && (!emitted || e.Opts.Restart) {
				changed++
				e.forgetTables()
				e.reads.Forget(mark)
				continue
			}
			return err
		}
		again, notes, err := log.Check(ctx, q)
		e.reads.Note(notes...)
		if err == nil && again && attempt == maxAttempts {
			err = fmt.Errorf("the schema of the data read kept changing after %d reads; please report this", attempt)
		}
		if err != nil || again {
			if !emitted {
				op.Close()
			}
			if err != nil {
				return err
			}
			e.reads.Forget(mark)
			continue
		}
		if emitted {
			return nil
		}
		err = emit(res)
		return errors.Join(err, op.Close())
	}
}

// maxChanged bounds how often a query reads its files again because one
// changed while it was read; past it, the query fails naming the file.
const maxChanged = 2

func changedWhileRead(err error) bool {
	return errors.Is(err, source.ErrChanged) || errors.Is(err, source.ErrObjectChanged)
}

// Plan binds and optimises one query, having checked that the names its
// sources' samples never saw are in the data (see drift.go), as reading it
// would. It reads nothing when every name is in the samples.
func (e *Session) Plan(ctx context.Context, q syntax.Query) (plan.Node, error) {
	n, err := e.bindOptimize(ctx, q)
	if err != nil {
		return nil, err
	}
	again, err := table.CheckNames(ctx, q, n)
	if err != nil || !again {
		return n, err
	}
	return e.bindOptimize(ctx, q)
}

func (e *Session) bindOptimize(ctx context.Context, q syntax.Query) (plan.Node, error) {
	n, err := plan.Bind(ctx, e.catalog(), q)
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

// Reads is what the session's reads found: the scanners opened (for
// progress) and its notes about the data (columns widened, values that
// did not fit a declared schema).
func (e *Session) Reads() *table.Tracker { return &e.reads }

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

// Close closes the skipped lines' writer (Options.BadLines) if it is an
// io.Closer, once.
func (e *Session) Close() error {
	c, ok := e.Opts.BadLines.(io.Closer)
	if !ok {
		return nil
	}
	e.Opts.BadLines = nil
	return c.Close()
}

// Summary is what the session found out about the data it read, one line
// each for stderr (table.Tracker.Summary).
func (e *Session) Summary() []string {
	kept := ""
	if n, ok := e.Opts.BadLines.(interface{ Name() string }); ok {
		kept = n.Name()
	}
	return e.reads.Summary(kept)
}
