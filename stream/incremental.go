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

	windowed bool
	delay    int64 // watermark delay, µs; 0: no watermark

	dedup    *dedupState // Options.DedupKey over the source's rows
	distinct *dedupState // SELECT DISTINCT's rows seen so far
}

// newIncremental checks that root can run incrementally in mode and
// prepares the aggregation state.
func newIncremental(root plan.Node, src *fileSource, windows []windowCall, o *Options) (*incremental, error) {
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
walk:
	for {
		switch x := n.(type) {
		case *plan.Project, *plan.Filter, *plan.Sort, *plan.Limit:
			r.upper = append(r.upper, n)
			n = n.Children()[0]
		case *plan.Aggregate:
			r.agg = x
			break walk
		default:
			break walk
		}
	}
	if r.agg == nil {
		r.upper = nil
		for _, u := range collect(root) {
			switch u.(type) {
			case *plan.Sort:
				return nil, fmt.Errorf("%w: ORDER BY without an aggregation (a stream has no end to sort up to)", ErrUnsupported)
			case *plan.Limit:
				return nil, fmt.Errorf("%w: LIMIT without an aggregation", ErrUnsupported)
			}
		}
		if err := checkStateless(root); err != nil {
			return nil, err
		}
		if len(windows) > 0 {
			return nil, fmt.Errorf("%w: window(…) outside a GROUP BY", ErrUnsupported)
		}
		switch o.Mode {
		case "", Append, Update: // Spark treats update like append without state
			r.mode = Append
		default:
			return nil, fmt.Errorf("%w: %s output mode needs an aggregation", ErrUnsupported, o.Mode)
		}
		return r, nil
	}
	if err := checkStateless(r.agg.Input); err != nil {
		return nil, err
	}
	inc, err := exec.NewIncrementalAggregate(r.agg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	r.inc = inc
	if len(windows) > 1 {
		return nil, fmt.Errorf("%w: more than one window(…) in a GROUP BY", ErrUnsupported)
	}
	if len(windows) == 1 {
		start := -1
		for i := 0; i+1 < len(r.agg.Groups); i++ {
			if isMarker(r.agg.Groups[i], startMarker) && isMarker(r.agg.Groups[i+1], endMarker) {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, fmt.Errorf("%w: window(…) is only supported in the GROUP BY of the top-level aggregation", ErrUnsupported)
		}
		if err := inc.SetWindow(start, start+1, windows[0].size, windows[0].slide); err != nil {
			return nil, err
		}
		if c := o.WatermarkColumn; c != "" && !strings.EqualFold(strings.Trim(c, "`"), strings.Trim(windows[0].column, "`")) {
			return nil, fmt.Errorf("%w: the watermark is on %s but the window is over %s", ErrUnsupported, c, windows[0].column)
		}
		r.windowed = true
	}
	switch o.Mode {
	case "", Complete:
		r.mode = Complete
	case Update:
		r.mode = Update
	case Append:
		if !r.windowed || r.delay == 0 {
			return nil, fmt.Errorf("%w: append output mode on an aggregation needs GROUP BY window(…) and a watermark, so that a row is final when emitted; use complete or update", ErrUnsupported)
		}
		r.mode = Append
	}
	if r.delay != 0 && !r.windowed && r.dedup == nil {
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

func isMarker(e plan.Expr, name string) bool {
	c, ok := e.(*plan.Call)
	return ok && c.Fn != nil && c.Fn.Name == name && len(c.Args) == 1
}

func collect(n plan.Node) []plan.Node {
	out := []plan.Node{n}
	for _, c := range n.Children() {
		out = append(out, collect(c)...)
	}
	return out
}

// checkStateless accepts the per-batch part of a plan: filters and
// projections over the stream's source. Everything else is named.
func checkStateless(n plan.Node) error {
	switch x := n.(type) {
	case *plan.Scan:
		if _, ok := x.Source.(*fileSource); ok {
			return nil
		}
		return fmt.Errorf("%w: reading %s inside a streaming query (only read_json sources stream; joins with static data are not supported yet)", ErrUnsupported, x.Source)
	case *plan.Filter, *plan.Project:
		return checkStateless(n.Children()[0])
	case *plan.Join:
		streams := 0
		for _, c := range collect(x) {
			if s, ok := c.(*plan.Scan); ok {
				if _, ok := s.Source.(*fileSource); ok {
					streams++
				}
			}
		}
		if streams >= 2 {
			return fmt.Errorf("%w: %s JOIN of two streams", ErrUnsupported, x.Kind)
		}
		return fmt.Errorf("%w: %s JOIN of a stream with a static table", ErrUnsupported, x.Kind)
	case *plan.Window:
		return fmt.Errorf("%w: window function %s over a stream (to keep one row per messageId, as row_number() OVER (PARTITION BY messageId …) = 1 does, use --dedup messageId)", ErrUnsupported, x.Calls[0])
	case *plan.Aggregate:
		return fmt.Errorf("%w: aggregation of an aggregated stream (only the top-level aggregation keeps state)", ErrUnsupported)
	case *plan.Distinct:
		return fmt.Errorf("%w: DISTINCT below an aggregation (write GROUP BY instead)", ErrUnsupported)
	case *plan.SetOp:
		return fmt.Errorf("%w: %s over a stream", ErrUnsupported, x.Op)
	case *plan.Sort:
		return fmt.Errorf("%w: ORDER BY below an aggregation", ErrUnsupported)
	case *plan.Limit:
		return fmt.Errorf("%w: LIMIT below an aggregation", ErrUnsupported)
	}
	return fmt.Errorf("%w: plan node %s", ErrUnsupported, n.Describe())
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
	op, err := exec.Build(ctx, r.agg.Input)
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
		r.evict(res.watermark)
	case Append:
		out = r.evict(res.watermark)
	}
	res.rows, err = r.finish(ctx, out)
	return res, err
}

// evict drops the windows that end at or before the watermark and returns
// their final rows.
func (r *incremental) evict(wm int64) [][]types.Value {
	if !r.windowed || wm == math.MinInt64 {
		return nil
	}
	_, end := r.windowKeys()
	return r.inc.Evict(func(keys []types.Value) bool { return keys[end].I <= wm })
}

func (r *incremental) windowKeys() (int, int) {
	for i := 0; i+1 < len(r.agg.Groups); i++ {
		if isMarker(r.agg.Groups[i], startMarker) && isMarker(r.agg.Groups[i+1], endMarker) {
			return i, i + 1
		}
	}
	return -1, -1
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
