package exec

import (
	"context"
	"fmt"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// aggregate is hash aggregation: one entry per distinct group key, holding
// one accumulator per aggregate call. The accumulators, and the loops that
// fold a batch into them, come from the aggregate catalogue
// (functions.Aggregate); this operator groups rows and evaluates the
// calls' arguments.
type aggregate struct {
	in   Operator
	node *plan.Aggregate
	out  *rowSource
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
	if a.out == nil {
		rows, err := a.run(ctx)
		if err != nil {
			return nil, err
		}
		a.out = newRowSource(a.node.Schema(), rows)
	}
	return a.out.Next(ctx)
}

func (a *aggregate) run(ctx context.Context) ([][]types.Value, error) {
	n := a.node
	hold := func(b int64) error { return reserve(ctx, b, "an aggregate's DISTINCT values or percentiles") }
	calls, err := newAggCalls(n.Aggs, hold)
	if err != nil {
		return nil, err
	}
	index := map[string]int32{}
	gs := &groups{states: make([][]functions.Accumulator, len(n.Aggs))}
	var key []byte
	keyVecs := make([]*types.Vector, len(n.Groups))
	var rowGroup []int32
	for {
		b, err := a.in.Next(ctx)
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
		if err := calls.eval(b); err != nil {
			return nil, err
		}
		// First each row's group, then one aggregate at a time over the
		// batch: the loops stay tight and the catalogue's folds update
		// the common accumulators without boxing values.
		rowGroup = rowGroup[:0]
		for r := 0; r < b.Len; r++ {
			key = key[:0]
			for _, v := range keyVecs {
				key = types.AppendKey(key, v.Get(r))
			}
			g, ok := index[string(key)]
			if !ok {
				if err := reserve(ctx, int64(2*len(key))+valueSize*int64(len(keyVecs))+64*int64(len(n.Aggs))+64, "GROUP BY"); err != nil {
					return nil, err
				}
				keys := make([]types.Value, len(keyVecs))
				for i, v := range keyVecs {
					keys[i] = v.Get(r)
				}
				g = gs.add(keys, calls)
				index[string(key)] = g
			}
			rowGroup = append(rowGroup, g)
		}
		if err := calls.fold(rowGroup, gs.states); err != nil {
			return nil, err
		}
	}
	// A global aggregate (no GROUP BY) yields one row even over no input.
	if len(n.Groups) == 0 && len(gs.keys) == 0 {
		gs.add(nil, calls)
	}
	rows := make([][]types.Value, len(gs.keys))
	accs := make([]functions.Accumulator, len(n.Aggs))
	for g, keys := range gs.keys {
		for i := range accs {
			accs[i] = gs.states[i][g]
		}
		rows[g] = calls.row(keys, accs)
	}
	return rows, nil
}

func (a *aggregate) Close() error { return a.in.Close() }

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
