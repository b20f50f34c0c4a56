package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/optimize"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/spark"
	"github.com/nectar-dev/nectar/sparksql"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Spark runs statements on a Spark cluster through Spark Connect. It binds
// and optimises with nectar's own binder, so names, types and errors are
// the local engine's; only execution moves: the plan is compiled to Spark
// SQL (package sparksql) and the rows come back as Arrow.
//
// Source schemas are inferred by nectar, which reads a sample of the files
// itself: the paths must be readable from this machine too (local files, or
// S3 with credentials here). Spark then reads the same paths on the
// cluster, s3:// as s3a://.
type Spark struct {
	URL string
	// ExplainOnly makes queries print their Spark SQL instead of running,
	// as --explain asks.
	ExplainOnly bool

	local *Local // the catalog: views, named sources, schema inference

	mu       sync.Mutex
	sess     *spark.Session
	borrowed bool                   // sess belongs to the engine this one was forked from
	inferred map[string]plan.Source // read_json patterns whose schema Spark inferred
}

var _ Engine = (*Spark)(nil)

// NewSpark returns an engine that sends queries to the Spark Connect server
// at url (sc://host:port[/;token=…;user_id=…]). It connects on first use.
func NewSpark(url string, opts Options) *Spark {
	return &Spark{URL: url, local: New(opts), inferred: map[string]plan.Source{}}
}

// NewSparkOn returns a Spark engine whose catalog is local's: the sources
// nectar.yaml registered there, and its options for schema inference.
func NewSparkOn(local *Local, url string) *Spark {
	return &Spark{URL: url, local: local, inferred: map[string]plan.Source{}}
}

// Local is the engine that holds the catalog and infers schemas, for the
// callers that configure sources (nectar.yaml) and report scan statistics.
func (s *Spark) Local() *Local { return s.local }

// DefineSource names a table-function call, as Local.DefineSource does.
func (s *Spark) DefineSource(name, fn, path string) { s.local.DefineSource(name, fn, path) }

// Close ends the Spark session.
func (s *Spark) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil || s.borrowed {
		return nil
	}
	err := s.sess.Close()
	s.sess = nil
	return err
}

func (s *Spark) session(ctx context.Context) (*spark.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess != nil {
		return s.sess, nil
	}
	sess, err := spark.Connect(ctx, s.URL)
	if err != nil {
		return nil, err
	}
	s.sess = sess
	return sess, nil
}

// Run implements Engine.
func (s *Spark) Run(ctx context.Context, script string, emit func(*Result) error) error {
	stmts, err := syntax.ParseScript(script)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if err := s.runStatement(ctx, st, emit); err != nil {
			return err
		}
	}
	return nil
}

func (s *Spark) runStatement(ctx context.Context, st syntax.Statement, emit func(*Result) error) error {
	switch st := st.(type) {
	case *syntax.CreateView:
		// Views stay in nectar's catalog and are inlined into each query
		// that reads them.
		name := strings.ToLower(st.Name)
		s.local.mu.Lock()
		_, exists := s.local.views[name]
		s.local.mu.Unlock()
		if exists && !st.OrReplace {
			return syntax.Errorf(st.Position(), "view %s already exists (use CREATE OR REPLACE VIEW)", syntax.QuoteIdent(st.Name))
		}
		if _, err := plan.Bind(ctx, sparkCatalog{s, !s.ExplainOnly}, st.Query); err != nil {
			return err
		}
		s.local.mu.Lock()
		s.local.views[name] = st.Query
		s.local.mu.Unlock()
		return nil
	case *syntax.Describe:
		// DESCRIBE needs only the binder.
		n, err := plan.Bind(ctx, sparkCatalog{s, !s.ExplainOnly}, st.Query)
		if err != nil {
			return err
		}
		return emit(describe(n.Schema()))
	case *syntax.Explain:
		q, _, err := s.Compile(ctx, st.Query)
		if err != nil {
			return err
		}
		return emit(&Result{Kind: Text, Text: q.String()})
	case *syntax.QueryStmt:
		if s.ExplainOnly {
			q, _, err := s.Compile(ctx, st.Query)
			if err != nil {
				return err
			}
			return emit(&Result{Kind: Text, Text: q.String()})
		}
		q, n, err := s.compile(ctx, st.Query, true)
		if err != nil {
			return err
		}
		batches, err := s.Execute(ctx, q, n.Schema())
		if err != nil {
			return err
		}
		return emit(&Result{Kind: Rows, Schema: n.Schema(), Rows: &batchList{batches: batches}})
	}
	return syntax.Errorf(st.Position(), "unsupported statement %T", st)
}

// Compile binds, optimises and compiles one query, with read_json's
// schema as nectar's sample has it: it connects to nothing. A query run
// on Spark is compiled with Spark's inference of every line instead.
func (s *Spark) Compile(ctx context.Context, q syntax.Query) (*sparksql.Query, plan.Node, error) {
	return s.compile(ctx, q, false)
}

func (s *Spark) compile(ctx context.Context, q syntax.Query, fullSchema bool) (*sparksql.Query, plan.Node, error) {
	n, err := plan.Bind(ctx, sparkCatalog{s, fullSchema}, q)
	if err != nil {
		return nil, nil, err
	}
	n = optimize.Optimize(n)
	sq, err := sparksql.Compile(n)
	if err != nil {
		return nil, nil, err
	}
	return sq, n, nil
}

// Execute runs a compiled query and returns its rows in schema's kinds.
func (s *Spark) Execute(ctx context.Context, q *sparksql.Query, schema types.Schema) ([]*types.Batch, error) {
	sess, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range q.Views {
		if err := sess.Exec(ctx, v); err != nil {
			return nil, err
		}
	}
	return sess.Query(ctx, q.SQL, schema)
}

// sparkCatalog is the local catalog whose table functions hand out sources
// that know how Spark reads them.
type sparkCatalog struct {
	*Spark
	fullSchema bool // read_json with Spark's inference of every line (see TableFunc)
}

func (c sparkCatalog) Table(name string) (syntax.Query, plan.Source, bool) {
	return c.local.Table(name)
}

func (c sparkCatalog) TableFunc(ctx context.Context, call plan.TableCall) (plan.Source, error) {
	path, _, err := tableArgs(call)
	if err != nil {
		return nil, err
	}
	src, err := c.local.TableFunc(ctx, call)
	if err != nil && call.Name == "read_json" && call.Named["schema"].K == types.Null && strings.Contains(path, "://") {
		// A path only the cluster can read (s3 without credentials here):
		// Spark infers the schema instead.
		var serr error
		if src, serr = c.inferOnSpark(ctx, path); serr == nil {
			err = nil
		} else {
			err = errors.Join(err, serr)
		}
	}
	if err != nil {
		return nil, err
	}
	path = resolve(c.local.Opts.Dir, path)
	if !strings.Contains(path, "://") {
		// The server's working directory is not ours.
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	if js, ok := src.(*JSONSource); ok && js.declared == nil && c.fullSchema {
		// nectar's schema is a sample, which the local engine checks as
		// it reads; Spark reads the data, so it must read it with the
		// schema of every line: Spark's own inference (samplingRatio 1),
		// in the order nectar's sample gives the columns. (Compile and
		// --explain connect to nothing: they use the sample's kinds.)
		remote, err := c.inferOnSpark(ctx, path)
		if err != nil {
			return nil, err
		}
		src = js.withFullSchema(remote.Columns())
	}
	return &sparkSource{Source: src, fn: call.Name, path: path}, nil
}

// inferOnSpark asks Spark for the schema of read_json(pattern), flattened
// to nectar's leaf columns. Spark orders an object's fields by name, so
// SELECT * lists them so rather than in the order the data has them.
func (s *Spark) inferOnSpark(ctx context.Context, pattern string) (plan.Source, error) {
	s.mu.Lock()
	if src, ok := s.inferred[pattern]; ok {
		s.mu.Unlock()
		return src, nil
	}
	s.mu.Unlock()
	rd, err := sparksql.ReadJSON(pattern, isDirectory(pattern))
	if err != nil {
		return nil, err
	}
	sess, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	view, err := sparksql.InferView(rd)
	if err != nil {
		return nil, err
	}
	if err := sess.Exec(ctx, view.Create); err != nil {
		return nil, fmt.Errorf("infer schema of %s on Spark: %w", pattern, err)
	}
	leaves, err := sess.Leaves(ctx, view.Select)
	if err != nil {
		return nil, fmt.Errorf("infer schema of %s on Spark: %w", pattern, err)
	}
	src := &remoteJSON{pattern: pattern, leaves: map[string]types.Kind{}}
	for _, l := range leaves {
		src.cols = append(src.cols, plan.SourceColumn{Name: l.Path, Kind: l.Kind})
		src.leaves[strings.ToLower(l.Path)] = l.Kind
	}
	for _, h := range hiddenColumns {
		src.cols = append(src.cols, plan.SourceColumn{Name: h.name, Kind: h.kind, Hidden: true})
	}
	s.mu.Lock()
	s.inferred[pattern] = src
	s.mu.Unlock()
	return src, nil
}

// remoteJSON is a JSON source whose schema Spark inferred: it can be bound
// and compiled, but only Spark reads it.
type remoteJSON struct {
	pattern string
	cols    []plan.SourceColumn
	leaves  map[string]types.Kind
}

func (r *remoteJSON) String() string               { return "read_json('" + r.pattern + "')" }
func (r *remoteJSON) Columns() []plan.SourceColumn { return r.cols }

// Resolve accepts what JSONSource accepts: an object read whole, and any
// path below a known top-level field (NULL where absent).
func (r *remoteJSON) Resolve(name string) (types.Kind, bool) {
	p, err := jsonpath.Parse(name)
	if err != nil || len(p) == 0 {
		return 0, false
	}
	lower := strings.ToLower(p.String())
	root := strings.ToLower(p[0].Key)
	for leaf := range r.leaves {
		if strings.HasPrefix(leaf, lower+".") || len(p) > 1 && !p[0].IsIndex && (leaf == root || strings.HasPrefix(leaf, root+".")) {
			return types.String, true
		}
	}
	return 0, false
}

func (r *remoteJSON) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return nil, fmt.Errorf("read %s: the schema came from Spark and only Spark reads it: %w", r.pattern, sparksql.ErrUnsupported)
}

// sparkSource is a source with the table function call that opened it.
type sparkSource struct {
	plan.Source
	fn, path string
}

func (s *sparkSource) SparkRead() (sparksql.Read, error) {
	if s.fn != "read_json" {
		return sparksql.Read{}, &sparksql.UnsupportedError{Construct: s.fn}
	}
	return sparksql.ReadJSON(s.path, isDirectory(s.path))
}

// isDirectory reports whether path names a folder nectar walks whole. A
// remote path without wildcards is treated as one: a recursive lookup of a
// single object reads just that object.
func isDirectory(path string) bool {
	if strings.Contains(path, "://") {
		return !strings.ContainsAny(path, "*?[{")
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// batchList serves batches already fetched from Spark.
type batchList struct {
	batches []*types.Batch
	i       int
}

func (b *batchList) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for b.i < len(b.batches) {
		x := b.batches[b.i]
		b.i++
		if x.Len > 0 {
			return x, nil
		}
	}
	return nil, nil
}

func (b *batchList) Close() error { b.batches = nil; return nil }

var _ exec.Operator = (*batchList)(nil)

// IsSparkUnsupported reports whether err is a construct the Spark engine
// refuses up front.
func IsSparkUnsupported(err error) bool { return errors.Is(err, sparksql.ErrUnsupported) }

// Fork returns an engine with a fresh catalog that shares s's Spark
// session, so many short scripts (the corpus) do not each open a session.
// Closing the fork leaves the session open.
func (s *Spark) Fork(opts Options) *Spark {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &Spark{URL: s.URL, ExplainOnly: s.ExplainOnly, local: New(opts), sess: s.sess, borrowed: s.sess != nil, inferred: map[string]plan.Source{}}
}
