package engine

import (
	"context"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
)

// Backend runs optimised plans: the seam where Spark (package spark,
// through Spark Connect) stands in for the local executor. Statements,
// views, DESCRIBE, EXPLAIN and schema checks stay the Session's.
type Backend interface {
	// OpenTable opens a table function call for plans this backend runs;
	// open opens it as the session reads it in this process. run is false
	// when the plan will only be explained (--explain), which must not
	// need the backend's server.
	OpenTable(ctx context.Context, call plan.TableCall, open func() (plan.Source, error), run bool) (plan.Source, error)
	// Source adapts a source the catalog names to how the backend reads it.
	Source(src plan.Source, run bool) plan.Source
	// Execute runs n and returns its rows.
	Execute(ctx context.Context, n plan.Node) (plan.BatchReader, error)
	// Explain says what Execute would run for n.
	Explain(ctx context.Context, n plan.Node) (string, error)
}

// Local is the Backend that runs plans in this process with package exec.
type Local struct{}

var _ Backend = Local{}

// OpenTable implements Backend.
func (Local) OpenTable(_ context.Context, _ plan.TableCall, open func() (plan.Source, error), _ bool) (plan.Source, error) {
	return open()
}

// Source implements Backend.
func (Local) Source(src plan.Source, _ bool) plan.Source { return src }

// Execute implements Backend.
func (Local) Execute(ctx context.Context, n plan.Node) (plan.BatchReader, error) {
	return exec.Build(ctx, n)
}

// Explain implements Backend: the optimised plan.
func (Local) Explain(_ context.Context, n plan.Node) (string, error) { return plan.Explain(n), nil }
