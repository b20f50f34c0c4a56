package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/exec"
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

	mu   sync.Mutex
	sess *spark.Session
}

var _ Engine = (*Spark)(nil)

// NewSpark returns an engine that sends queries to the Spark Connect server
// at url (sc://host:port[/;token=…;user_id=…]). It connects on first use.
func NewSpark(url string, opts Options) *Spark {
	return &Spark{URL: url, local: New(opts)}
}

// NewSparkOn returns a Spark engine whose catalog is local's: the sources
// nectar.yaml registered there, and its options for schema inference.
func NewSparkOn(local *Local, url string) *Spark {
	return &Spark{URL: url, local: local}
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
	if s.sess == nil {
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
	case *syntax.CreateView, *syntax.Describe:
		// Views stay in nectar's catalog and are inlined into each query
		// that reads them; DESCRIBE needs only the binder.
		return s.local.runStatement(ctx, st, emit)
	case *syntax.Explain:
		q, _, err := s.Compile(ctx, st.Query)
		if err != nil {
			return err
		}
		return emit(&Result{Kind: Text, Text: q.String()})
	case *syntax.QueryStmt:
		q, n, err := s.Compile(ctx, st.Query)
		if err != nil {
			return err
		}
		if s.ExplainOnly {
			return emit(&Result{Kind: Text, Text: q.String()})
		}
		batches, err := s.Execute(ctx, q, n.Schema())
		if err != nil {
			return err
		}
		return emit(&Result{Kind: Rows, Schema: n.Schema(), Rows: &batchList{batches: batches}})
	}
	return syntax.Errorf(st.Position(), "unsupported statement %T", st)
}

// Compile binds, optimises and compiles one query.
func (s *Spark) Compile(ctx context.Context, q syntax.Query) (*sparksql.Query, plan.Node, error) {
	n, err := plan.Bind(ctx, sparkCatalog{s.local}, q)
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
type sparkCatalog struct{ *Local }

func (c sparkCatalog) TableFunc(ctx context.Context, name string, args []types.Value) (plan.Source, error) {
	src, err := c.Local.TableFunc(ctx, name, args)
	if err != nil {
		return nil, err
	}
	return &sparkSource{Source: src, fn: name, path: resolve(c.Local.Opts.Dir, args[0].S)}, nil
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
	isDir := false
	if !strings.Contains(s.path, "://") {
		fi, err := os.Stat(s.path)
		isDir = err == nil && fi.IsDir()
	} else {
		// Remote listings name directories with a trailing slash or not at
		// all; without a glob, a path that is no single file is a folder.
		isDir = !strings.ContainsAny(s.path, "*?[{") && len(fileList(s.Source)) != 1
	}
	return sparksql.ReadJSON(s.path, isDir)
}

func fileList(src plan.Source) []string {
	j, ok := src.(*JSONSource)
	if !ok {
		return nil
	}
	out := make([]string, len(j.Files()))
	for i, f := range j.Files() {
		out[i] = f.Path
	}
	return out
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
func (s *Spark) Fork(opts Options) *Spark {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &Spark{URL: s.URL, ExplainOnly: s.ExplainOnly, local: New(opts), sess: s.sess}
}
