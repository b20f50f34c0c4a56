package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// aggregate is hash aggregation: one entry per distinct group key, holding
// one accumulator per aggregate call. The accumulators, and the loops that
// fold a batch into them, come from the aggregate catalogue
// (functions.Aggregate); this operator groups rows and evaluates the
// calls' arguments. Past the memory budget it spills the rows of groups
// it does not hold by partitioning them (see spill.go); the groups come
// out in first-seen order when nothing spilled, in no promised order
// otherwise.
type aggregate struct {
	in      Operator
	node    *plan.Aggregate
	sp      spiller
	started bool       // the input has been read; partitions are next
	out     *groupRows // the groups of the pass being emitted
	held    int64      // bytes reserved for those groups
}

// groups are the groups of a hash aggregation, numbered in the order they
// appear: group g's keys are keys[g], its state for call i states[i][g].
// Numbering lets a row be routed to its group with an int32 and a fold
// reach the group's state in one step, whether there are four groups or
// 200,000 (CockroachDB's vectorised hash aggregator numbers its buckets
// the same way).
type groups struct {
	keys   [][]types.Value
	states [][]functions.Accumulator
}

func (gs *groups) add(keys []types.Value, calls *aggCalls) int32 {
	gs.keys = append(gs.keys, keys)
	for i := range gs.states {
		gs.states[i] = append(gs.states[i], calls.newAcc(i))
	}
	return int32(len(gs.keys) - 1)
}

func (a *aggregate) Next(ctx context.Context) (*types.Batch, error) {
	for {
		if a.out != nil {
			b, err := a.out.Next(ctx)
			if err != nil || b.Len > 0 {
				return b, err
			}
			a.out = nil
			unreserve(ctx, a.held)
			a.held = 0
		}
		// The input first, then each partition spilled on the way.
		src := a.in
		if a.started {
			var err error
			if src, err = a.sp.next(ctx); err != nil || src == nil {
				return nil, err
			}
		}
		a.started = true
		if a.sp.schema == nil {
			a.sp.schema = a.node.Input.Schema()
		}
		out, err := a.run(ctx, src)
		if err != nil {
			return nil, err
		}
		a.out = out
	}
}

// run aggregates in's rows into groups, sending those of groups it has no
// memory for to a.sp's partitions.
func (a *aggregate) run(ctx context.Context, in Operator) (*groupRows, error) {
	n := a.node
	hold := func(b int64) error {
		a.held += b
		return reserve(ctx, b, "an aggregate's DISTINCT values or percentiles")
	}
	calls, err := newAggCalls(n.Aggs, hold)
	if err != nil {
		return nil, err
	}
	index := map[string]int32{}
	gs := &groups{states: make([][]functions.Accumulator, len(n.Aggs))}
	var key []byte
	keyVecs := make([]*types.Vector, len(n.Groups))
	var rowGroup []int32
	var kept []int // a batch's rows whose groups are held, once some are spilled
	for {
		b, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			break
		}
		for i, g := range n.Groups {
			if keyVecs[i], err = Eval(g, b); err != nil {
				return nil, err
			}
		}
		// First each row's group, then one aggregate at a time over the
		// batch: the loops stay tight and the catalogue's folds update
		// the common accumulators without boxing values.
		rowGroup, kept = rowGroup[:0], kept[:0]
		for r := 0; r < b.Len; r++ {
			key = key[:0]
			for _, v := range keyVecs {
				key = types.AppendKey(key, v.Get(r))
			}
			g, ok := index[string(key)]
			if !ok && a.sp.part == nil {
				cost := int64(2*len(key)) + valueSize*int64(len(keyVecs)) + 64*int64(len(n.Aggs)) + 64
				// The first group is admitted whatever the budget says,
				// so that each pass over a partition makes progress.
				if err := reserve(ctx, cost, "GROUP BY"); err == nil || len(gs.keys) == 0 {
					a.held += cost
					keys := make([]types.Value, len(keyVecs))
					for i, v := range keyVecs {
						keys[i] = v.Get(r)
					}
					g, ok = gs.add(keys, calls), true
					index[string(key)] = g
				} else {
					unreserve(ctx, cost)
					if err := a.sp.spill(ctx, err); err != nil {
						return nil, err
					}
				}
			}
			if !ok {
				if err := a.sp.part.add(ctx, b, r, key); err != nil {
					return nil, err
				}
				continue
			}
			rowGroup = append(rowGroup, g)
			kept = append(kept, r)
		}
		if len(kept) < b.Len {
			if len(kept) == 0 {
				continue
			}
			b = pickRows(b, kept)
		}
		if err := calls.eval(b); err != nil {
			return nil, err
		}
		if err := calls.fold(rowGroup, gs.states); err != nil {
			return nil, err
		}
	}
	// A global aggregate (no GROUP BY) yields one row even over no input.
	if len(n.Groups) == 0 && len(gs.keys) == 0 {
		gs.add(nil, calls)
	}
	return &groupRows{gs: gs, calls: calls, batch: types.NewBatch(n.Schema(), types.BatchSize), accs: make([]functions.Accumulator, len(n.Aggs))}, nil
}

func (a *aggregate) Close() error { return errors.Join(a.in.Close(), a.sp.Close()) }

// pickRows copies rows of b into a new batch.
func pickRows(b *types.Batch, rows []int) *types.Batch {
	out := &types.Batch{Len: len(rows), Cols: make([]*types.Vector, len(b.Cols))}
	for j, c := range b.Cols {
		v := types.NewVector(c.Kind, len(rows))
		for _, r := range rows {
			v.Append(c.Get(r))
		}
		out.Cols[j] = v
	}
	return out
}

// groupRows emits one pass's groups, letting go of each as it goes, so
// that the groups and their rows are not both held at the end.
type groupRows struct {
	gs    *groups
	calls *aggCalls
	batch *types.Batch
	accs  []functions.Accumulator
	next  int
}

func (o *groupRows) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o.batch.Reset()
	for o.next < len(o.gs.keys) && o.batch.Len < types.BatchSize {
		g := o.next
		for i := range o.accs {
			o.accs[i] = o.gs.states[i][g]
			o.gs.states[i][g] = nil
		}
		o.batch.AppendRow(o.calls.row(o.gs.keys[g], o.accs))
		o.gs.keys[g] = nil
		o.next++
	}
	return o.batch, nil
}

// aggCalls is an operator's aggregate calls, each looked up once in the
// catalogue, with the vectors of the batch being folded.
type aggCalls struct {
	calls []plan.AggCall
	fns   []*functions.Aggregate
	specs []functions.AggSpec
	folds []func(*functions.Rows) error
	// The current batch: each call's argument, ordering and FILTER
	// vectors (nil when absent), and the Rows handed to its fold.
	args, ords, filts []*types.Vector
	rows              []functions.Rows
}

// newAggCalls resolves calls. hold, when not nil, accounts the memory of
// accumulators whose state grows with their input (DISTINCT,
// percentiles).
func newAggCalls(calls []plan.AggCall, hold func(int64) error) (*aggCalls, error) {
	a := &aggCalls{
		calls: calls,
		fns:   make([]*functions.Aggregate, len(calls)),
		specs: make([]functions.AggSpec, len(calls)),
		folds: make([]func(*functions.Rows) error, len(calls)),
		args:  make([]*types.Vector, len(calls)),
		ords:  make([]*types.Vector, len(calls)),
		filts: make([]*types.Vector, len(calls)),
		rows:  make([]functions.Rows, len(calls)),
	}
	for i, c := range calls {
		fn, err := c.Func()
		if err != nil {
			return nil, err
		}
		a.fns[i], a.folds[i] = fn, fn.FoldFunc(c.Distinct)
		a.specs[i] = aggSpec(c, hold)
	}
	return a, nil
}

// aggSpec is what c's accumulators know of it.
func aggSpec(c plan.AggCall, hold func(int64) error) functions.AggSpec {
	s := functions.AggSpec{Arg: types.Int, K: c.K, Param: c.Param, Desc: c.Desc, Hold: hold}
	if c.Arg != nil {
		s.Arg = c.Arg.Kind()
	}
	return s
}

// newAccs makes the accumulators of one group.
func (a *aggCalls) newAccs() []functions.Accumulator {
	out := make([]functions.Accumulator, len(a.calls))
	for i := range a.calls {
		out[i] = a.newAcc(i)
	}
	return out
}

// newAcc makes call i's accumulator for one group.
func (a *aggCalls) newAcc(i int) functions.Accumulator {
	return a.fns[i].NewAccumulator(a.specs[i], a.calls[i].Distinct)
}

// eval computes the calls' argument, ordering and FILTER vectors over b.
func (a *aggCalls) eval(b *types.Batch) error {
	var err error
	for i, c := range a.calls {
		a.args[i], a.ords[i], a.filts[i] = nil, nil, nil
		if c.Arg != nil {
			if a.args[i], err = Eval(c.Arg, b); err != nil {
				return err
			}
		}
		if c.Ord != nil {
			if a.ords[i], err = Eval(c.Ord, b); err != nil {
				return err
			}
		}
		if c.Filter != nil {
			if a.filts[i], err = Eval(c.Filter, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// fold folds the evaluated batch into the groups: row r belongs to group
// rowGroup[r], whose state for call i is states[i][rowGroup[r]]. Each
// call's fold skips the rows the call's FILTER rejects.
func (a *aggCalls) fold(rowGroup []int32, states [][]functions.Accumulator) error {
	for i := range a.calls {
		in := &a.rows[i]
		in.Arg, in.Ord, in.Filter = a.args[i], a.ords[i], a.filts[i]
		in.Group, in.States = rowGroup, states[i]
		if err := a.folds[i](in); err != nil {
			return fmt.Errorf("%s: %w", a.calls[i].Name, err)
		}
	}
	return nil
}

// addRow folds row r of the evaluated batch into accs, one group's
// accumulators: the path of rows that go to several groups (sliding
// windows of a stream).
func (a *aggCalls) addRow(accs []functions.Accumulator, r int) error {
	for i, acc := range accs {
		if f := a.filts[i]; f != nil && (f.Nulls[r] || f.I[r] == 0) {
			continue
		}
		v, ord := types.Value{K: types.Int, I: 1}, types.NullValue // count(*) counts rows
		if a.args[i] != nil {
			v = a.args[i].Get(r)
		}
		if a.ords[i] != nil {
			ord = a.ords[i].Get(r)
		}
		if err := acc.Add(v, ord); err != nil {
			return fmt.Errorf("%s: %w", a.calls[i].Name, err)
		}
	}
	return nil
}

// row is a group's output row: its keys, then each call's result in the
// call's kind.
func (a *aggCalls) row(keys []types.Value, accs []functions.Accumulator) []types.Value {
	row := append(make([]types.Value, 0, len(keys)+len(accs)), keys...)
	for j, acc := range accs {
		row = append(row, coerce(acc.Result(), a.calls[j].K))
	}
	return row
}
