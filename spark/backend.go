package spark

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/sparksql"
	"github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// Backend runs nectar's plans on a Spark cluster through Spark Connect:
// an engine.Session binds and optimises them with nectar's own binder, so
// names, types and errors are the local engine's; only execution moves,
// the plan compiled to one Spark SQL query (package sparksql) whose rows
// come back as Arrow.
//
// read_json is read with Spark's own inference of every line (its
// samplingRatio of 1.0), in the column order nectar's sample of the
// files gives, so the paths must be readable here too (local files, or
// S3 with credentials here); a remote path nectar cannot list takes all
// of its schema from Spark. One Backend keeps one Spark session, which
// every Session given the Backend shares.
type Backend struct {
	URL  string            // sc://host:port[/;token=…;user_id=…]
	Conf map[string]string // Spark settings for the session (--conf, nectar.yaml's spark.conf)

	mu       sync.Mutex
	sess     *Session
	inferred map[string]*table.Remote // read_json paths, by path: Spark's schema of every line
}

var _ engine.Backend = (*Backend)(nil)

// NewBackend returns a backend for the Spark Connect server at url. It
// connects on first use.
func NewBackend(url string) *Backend {
	return &Backend{URL: url, inferred: map[string]*table.Remote{}}
}

// Close ends the Spark session.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess == nil {
		return nil
	}
	err := b.sess.Close()
	b.sess = nil
	return err
}

func (b *Backend) session(ctx context.Context) (*Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess != nil {
		return b.sess, nil
	}
	sess, err := Connect(ctx, b.URL, b.Conf)
	if err != nil {
		return nil, err
	}
	b.sess = sess
	return sess, nil
}

// OpenTable implements engine.Backend.
func (b *Backend) OpenTable(ctx context.Context, call plan.TableCall, open func() (plan.Source, error), run bool) (plan.Source, error) {
	path, schema, err := table.Args(call)
	if err != nil {
		return nil, err
	}
	src, err := open()
	if err != nil && run && call.Name == "read_json" && schema == nil && strings.Contains(path, "://") {
		// A path only the cluster can read (s3 without credentials here):
		// Spark infers the schema instead.
		var serr error
		if src, serr = b.infer(ctx, path); serr == nil {
			err = nil
		} else {
			err = errors.Join(err, serr)
		}
	}
	if err != nil {
		return nil, err
	}
	if l, ok := src.(interface{ Location() string }); ok {
		path = l.Location() // relative to the session's folder
	}
	if !strings.Contains(path, "://") {
		// The server's working directory is not ours.
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	if js, ok := src.(*table.JSON); ok && schema == nil && run {
		// nectar's schema is a sample, which the local engine checks as
		// it reads; Spark reads the data, so it must read it with the
		// schema of every line: Spark's own inference, in the order
		// nectar's sample gives the columns. (--explain connects to
		// nothing: it shows the query with the sample's kinds.)
		remote, err := b.infer(ctx, path)
		if err != nil {
			return nil, err
		}
		src = js.WithFullSchema(remote.Columns())
	}
	return &source{Source: src, fn: call.Name, path: path}, nil
}

// Source implements engine.Backend: sources named directly (a compacted
// copy) are not read_json calls Spark can read, and are refused when a
// plan scans them.
func (b *Backend) Source(src plan.Source, _ bool) plan.Source { return src }

// Execute implements engine.Backend.
func (b *Backend) Execute(ctx context.Context, n plan.Node) (plan.BatchReader, error) {
	q, err := sparksql.Compile(n)
	if err != nil {
		return nil, err
	}
	sess, err := b.session(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range q.Views {
		if err := sess.Exec(ctx, v); err != nil {
			return nil, err
		}
	}
	batches, err := sess.Query(ctx, q.SQL, n.Schema())
	if err != nil {
		return nil, err
	}
	return &batchList{batches: batches}, nil
}

// Explain implements engine.Backend: the Spark SQL Execute would send.
func (b *Backend) Explain(_ context.Context, n plan.Node) (string, error) {
	q, err := sparksql.Compile(n)
	if err != nil {
		return "", err
	}
	return q.String(), nil
}

// infer asks Spark for the schema of read_json(pattern), flattened to
// nectar's leaf columns. Spark orders an object's fields by name.
func (b *Backend) infer(ctx context.Context, pattern string) (*table.Remote, error) {
	if !strings.Contains(pattern, "://") {
		if abs, err := filepath.Abs(pattern); err == nil {
			pattern = abs
		}
	}
	b.mu.Lock()
	if src, ok := b.inferred[pattern]; ok {
		b.mu.Unlock()
		return src, nil
	}
	b.mu.Unlock()
	rd, err := sparksql.ReadJSON(pattern, isDirectory(pattern))
	if err != nil {
		return nil, err
	}
	sess, err := b.session(ctx)
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
	cols := make([]plan.SourceColumn, len(leaves))
	for i, l := range leaves {
		cols[i] = plan.SourceColumn{Name: l.Path, Kind: l.Kind}
	}
	src := table.NewRemote(pattern, cols)
	b.mu.Lock()
	b.inferred[pattern] = src
	b.mu.Unlock()
	return src, nil
}

// source is a source with the table function call that opened it, which
// sparksql reads through SparkRead.
type source struct {
	plan.Source
	fn, path string
}

func (s *source) SparkRead() (sparksql.Read, error) {
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

// IsUnsupported reports whether err is a construct the Spark backend
// refuses up front.
func IsUnsupported(err error) bool { return errors.Is(err, sparksql.ErrUnsupported) }
