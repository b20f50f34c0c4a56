package stream

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// incremental is the query's one optimised plan, cut in up to three parts:
// the stateless part below the top-level aggregation (run over each batch's
// files), the aggregation (kept across batches), and the part above it
// (ORDER BY, LIMIT, HAVING, projections: re-run over the aggregation's
// current rows). A query without aggregation is all stateless part.
type incremental struct {
	root   plan.Node
	src    *fileSource
	agg    *plan.Aggregate
	upper  []plan.Node // root first, down to the aggregation's parent
	inc    *exec.IncrementalAggregate
	mode   OutputMode
	schema types.Schema
	keys   int

	delay int64 // watermark delay, µs; 0: no watermark

	dedup    *dedupState // Options.DedupKey over the source's rows
	distinct *dedupState // SELECT DISTINCT's rows seen so far
}

// newIncremental cuts root where its nodes say (plan.Streaming): the
// nodes that may run over a result, from the root down to the first
// stateful node (the aggregation, kept across batches), and below it the
// nodes that run on each batch alone. It checks that the cut runs in
// o's mode and prepares the aggregation state.
func newIncremental(root plan.Node, src *fileSource, o *Options) (*incremental, error) {
	r := &incremental{root: root, src: src, schema: root.Schema(), delay: o.Watermark.Microseconds()}
	if o.DedupKey != "" {
		r.dedup = newDedupState(r.delay)
		src.dedup, src.dedupKey, src.dedupTime = r.dedup, o.DedupKey, o.WatermarkColumn
		if src.dedupTime == "" {
			src.dedupTime = "timestamp" // Segment's event time
		}
	}
	if d, ok := root.(*plan.Distinct); ok {
		// SELECT DISTINCT without aggregation: the rows below it stream,
		// and the set of rows already emitted is the state.
		root, r.root = d.Input, d.Input
		r.distinct = newDedupState(0)
	}
	n := root
	for n.Streaming().OverState && !n.Streaming().Stateful {
		r.upper = append(r.upper, n)
		n = n.Children()[0]
	}
	r.agg, _ = n.(*plan.Aggregate)
	if r.agg == nil {
		// No aggregation: every node runs on each batch.
		r.upper = nil
		if err := checkPerBatch(root); err != nil {
			return nil, err
		}
		switch o.Mode {
		case "", Append, Update: // Spark treats update like append without state
			r.mode = Append
		default:
			return nil, fmt.Errorf("%w: %s output mode needs an aggregation", ErrUnsupported, o.Mode)
		}
		return r, nil
	}
	if err := checkPerBatch(r.agg.Input); err != nil {
		return nil, err
	}
	inc, err := exec.NewIncrementalAggregate(r.agg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	r.inc = inc
	if tw, ok := r.agg.Input.(*plan.TimeWindows); ok {
		if c := o.WatermarkColumn; c != "" && !strings.EqualFold(strings.Trim(c, "`"), eventColumn(tw.Time)) {
			return nil, fmt.Errorf("%w: the watermark is on %s but the window is over %s", ErrUnsupported, c, eventColumn(tw.Time))
		}
	}
	switch o.Mode {
	case "", Complete:
		r.mode = Complete
	case Update:
		r.mode = Update
	case Append:
		if !inc.Windowed() || r.delay == 0 {
			return nil, fmt.Errorf("%w: append output mode on an aggregation needs GROUP BY window(…) and a watermark, so that a row is final when emitted; use complete or update", ErrUnsupported)
		}
		r.mode = Append
	}
	if r.delay != 0 && !inc.Windowed() && r.dedup == nil {
		return nil, fmt.Errorf("%w: a watermark needs GROUP BY window(time, size) to know which state it closes", ErrUnsupported)
	}
	r.keys = len(r.agg.Groups)
	for i := len(r.upper) - 1; i >= 0; i-- {
		if p, ok := r.upper[i].(*plan.Project); ok {
			for k := 0; k < r.keys; k++ {
				if k >= len(p.Exprs) {
					r.keys = 0
					break
				}
				if c, ok := p.Exprs[k].(*plan.ColRef); !ok || c.Idx != k {
					r.keys = 0
					break
				}
			}
		}
	}
	return r, nil
}

// eventColumn names the column an event-time expression reads (the
// timestamp of CAST(timestamp AS TIMESTAMP)), or gives its text.
func eventColumn(e plan.Expr) string {
	for {
		switch x := e.(type) {
		case *plan.ColRef:
			return x.Name
		case *plan.Op:
			if x.Op == plan.OpCast {
				e = x.Args[0]
				continue
			}
		}
		return e.String()
	}
}

// checkPerBatch accepts the part of a plan each batch runs alone: nodes
// that say they can (plan.Streaming.PerBatch) over the stream's source.
// The first node that cannot is named.
func checkPerBatch(n plan.Node) error {
	var err error
	plan.Inspect(n, func(x plan.Node) bool {
		switch x := x.(type) {
		case *plan.Scan:
			if _, ok := x.Source.(*fileSource); !ok {
				err = fmt.Errorf("%w: reading %s inside a streaming query (only read_json sources stream; joins with static data are not supported yet)", ErrUnsupported, x.Source)
			}
		case *plan.Join:
			// Name the kind of join, as the user will look for it.
			what := "a static table"
			if streams(x) >= 2 {
				what = "two streams"
			}
			err = fmt.Errorf("%w: %s JOIN of %s", ErrUnsupported, x.Kind, what)
		default:
			if s := x.Streaming(); !s.PerBatch {
				err = fmt.Errorf("%w: %s", ErrUnsupported, s.Not)
			}
		}
		return err == nil
	})
	return err
}

// streams counts the stream's sources that n reads.
func streams(n plan.Node) int {
	count := 0
	plan.Inspect(n, func(x plan.Node) bool {
		if s, ok := x.(*plan.Scan); ok {
			if _, ok := s.Source.(*fileSource); ok {
				count++
			}
		}
		return true
	})
	return count
}

// batchResult is what one micro-batch produced.
type batchResult struct {
	rows      [][]types.Value
	late      int64
	watermark int64 // after the batch; math.MinInt64 when none
}

// run processes one batch's files with the watermark in force, wm.
func (r *incremental) run(ctx context.Context, files []source.File, wm int64) (batchResult, error) {
	res := batchResult{watermark: wm}
	r.src.setFiles(files)
	var dedupLate int64
	if r.dedup != nil {
		r.dedup.wm, dedupLate = wm, r.dedup.late
	}
	if r.agg == nil {
		rows, err := runPlan(ctx, r.root)
		if r.distinct != nil {
			rows = distinctRows(r.distinct, rows)
		}
		if r.dedup != nil {
			res.late = r.dedup.late - dedupLate
			res.watermark = r.dedup.advance(wm)
		}
		res.rows = rows
		return res, err
	}
	op, err := exec.Build(ctx, r.inc.Input())
	if err != nil {
		return res, err
	}
	r.inc.ClearChanged()
	r.inc.SetWatermark(wm)
	lateBefore := r.inc.Late()
	err = r.inc.Add(ctx, op)
	if cerr := op.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, err
	}
	res.late = r.inc.Late() - lateBefore
	if r.delay > 0 && r.inc.MaxEventTime() != math.MinInt64 {
		res.watermark = max(wm, r.inc.MaxEventTime()-r.delay)
	}
	if r.dedup != nil {
		res.late += r.dedup.late - dedupLate
		res.watermark = max(res.watermark, r.dedup.advance(wm))
	}
	var out [][]types.Value
	switch r.mode {
	case Complete:
		// Complete mode outputs every group ever seen, so none is dropped.
		out = r.inc.Rows(false)
	case Update:
		out = r.inc.Rows(true)
		r.inc.EvictClosed(res.watermark)
	case Append:
		out = r.inc.EvictClosed(res.watermark)
	}
	res.rows, err = r.finish(ctx, out)
	return res, err
}

// finish runs the plan above the aggregation over rows of its output.
func (r *incremental) finish(ctx context.Context, rows [][]types.Value) ([][]types.Value, error) {
	if len(r.upper) == 0 {
		return rows, nil
	}
	cols := make([]plan.SourceColumn, 0, len(r.agg.Names))
	for _, c := range r.agg.Schema() {
		cols = append(cols, plan.SourceColumn{Name: c.Name, Kind: c.Kind})
	}
	var n plan.Node = &plan.Scan{Source: &rowsSource{cols: cols, rows: rows}, Columns: cols}
	for i := len(r.upper) - 1; i >= 0; i-- {
		n = plan.WithChildren(r.upper[i], []plan.Node{n})
	}
	return runPlan(ctx, n)
}

func runPlan(ctx context.Context, n plan.Node) ([][]types.Value, error) {
	op, err := exec.Build(ctx, n)
	if err != nil {
		return nil, err
	}
	rows, err := exec.Collect(ctx, op)
	return rows, errors.Join(err, op.Close())
}

// rowsSource serves the aggregation's current rows to the plan above it.
type rowsSource struct {
	cols []plan.SourceColumn
	rows [][]types.Value
}

func (s *rowsSource) Columns() []plan.SourceColumn      { return s.cols }
func (s *rowsSource) Resolve(string) (types.Kind, bool) { return 0, false }
func (s *rowsSource) String() string                    { return "stream state" }
func (s *rowsSource) Open(ctx context.Context, cols []plan.SourceColumn, _ []plan.Expr) (plan.BatchReader, error) {
	schema := make(types.Schema, len(cols))
	for i, c := range cols {
		schema[i] = types.Column{Name: c.Name, Kind: c.Kind}
	}
	return exec.Rows(schema, s.rows), nil
}

// watermarkString renders a watermark for logs.
func watermarkString(wm int64) string {
	if wm == math.MinInt64 {
		return "none"
	}
	return time.UnixMicro(wm).UTC().Format(time.RFC3339)
}
