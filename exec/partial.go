package exec

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// ErrNotIncremental is wrapped when an aggregate cannot keep its state
// across the micro-batches of a stream.
var ErrNotIncremental = errors.New("aggregate cannot be maintained incrementally")

// ErrStateVersion is wrapped when saved aggregate state was written by an
// incompatible version of this code.
var ErrStateVersion = errors.New("unsupported aggregate state version")

// partialVersion numbers the encoding of IncrementalAggregate state; bump it
// when accState changes meaning.
const partialVersion = 1

// IncrementalAggregate is hash aggregation whose groups outlive one input:
// the streaming engine feeds it each micro-batch's rows, reads the current
// result (all groups, or those a batch changed), drops groups whose event
// time window has closed, and saves its state between batches. It folds
// rows with the same accumulators as the batch operator, so a stream over
// files gives the batch engine's answer over the same files in the same
// order.
type IncrementalAggregate struct {
	node   *plan.Aggregate
	groups map[string]*incGroup
	order  []*incGroup // first-seen order, as the batch operator emits groups

	// Event-time windows (an Aggregate over plan.TimeWindows): it puts
	// each row in its windows itself, so that it sees the event times the
	// watermark follows; the grouping keys at winStart and winEnd are the
	// windows' bounds.
	win              *plan.TimeWindows
	winStart, winEnd int
	watermark        int64 // a row in a window that ends at or before it is late
	maxEvent         int64
	late             int64
	key              []byte
	vals             []types.Value
	keyVecs          []*types.Vector
	aggs             *aggCalls

	// A batch's groups, numbered in the order the batch touches them, as
	// the catalogue's folds take them: row r belongs to touched[rowGroup[r]],
	// whose state for call i is states[i][rowGroup[r]].
	batch    uint64
	touched  []*incGroup
	rowGroup []int32
	states   [][]functions.Accumulator
}

type incGroup struct {
	key     string
	keys    []types.Value
	accs    []functions.Accumulator
	changed bool
	batch   uint64 // the last batch that touched the group (IncrementalAggregate.batch)
	idx     int32  // its number in that batch
}

// NewIncrementalAggregate checks that every call of n keeps bounded,
// resumable state (the catalogue's Incremental) and returns an empty
// aggregation.
func NewIncrementalAggregate(n *plan.Aggregate) (*IncrementalAggregate, error) {
	calls, err := newAggCalls(n.Aggs, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotIncremental, err)
	}
	for i, c := range n.Aggs {
		if !calls.fns[i].Incremental {
			return nil, fmt.Errorf("%w: %s", ErrNotIncremental, c)
		}
	}
	a := &IncrementalAggregate{
		node:      n,
		groups:    map[string]*incGroup{},
		keyVecs:   make([]*types.Vector, len(n.Groups)),
		aggs:      calls,
		vals:      make([]types.Value, len(n.Groups)),
		maxEvent:  math.MinInt64,
		watermark: math.MinInt64,
	}
	if tw, ok := n.Input.(*plan.TimeWindows); ok {
		if err := a.setWindows(tw); err != nil {
			return nil, err
		}
	}
	a.global()
	return a, nil
}

// setWindows finds the window's bounds among the grouping keys. Nothing
// else may read them: the aggregation computes them per row.
func (a *IncrementalAggregate) setWindows(tw *plan.TimeWindows) error {
	width := len(tw.Input.Schema())
	a.win, a.winStart, a.winEnd = tw, -1, -1
	for i, g := range a.node.Groups {
		if c, ok := g.(*plan.ColRef); ok && c.Idx == width {
			a.winStart = i
		} else if ok && c.Idx == width+1 {
			a.winEnd = i
		} else if readsFrom(g, width) {
			return fmt.Errorf("%w: grouping key %s reads the window's bounds", ErrNotIncremental, g)
		}
	}
	for _, c := range a.node.Aggs {
		for _, e := range []plan.Expr{c.Arg, c.Ord, c.Filter} {
			if e != nil && readsFrom(e, width) {
				return fmt.Errorf("%w: %s reads the window's bounds", ErrNotIncremental, c)
			}
		}
	}
	if a.winStart < 0 || a.winEnd < 0 || tw.Size <= 0 || tw.Slide <= 0 || tw.Slide > tw.Size {
		return fmt.Errorf("%w: the window's start and end must both be grouping keys", ErrNotIncremental)
	}
	return nil
}

// readsFrom reports whether e reads a column at or after index from.
func readsFrom(e plan.Expr, from int) bool {
	cols := map[int]bool{}
	plan.Columns(e, cols)
	for i := range cols {
		if i >= from {
			return true
		}
	}
	return false
}

// Input is the plan each micro-batch runs to feed Add: the aggregate's
// input, without its TimeWindows, whose windows Add makes.
func (a *IncrementalAggregate) Input() plan.Node {
	if a.win != nil {
		return a.win.Input
	}
	return a.node.Input
}

// global makes the single group of an aggregate without GROUP BY, which
// yields a row even over no input.
func (a *IncrementalAggregate) global() {
	if len(a.node.Groups) == 0 && len(a.order) == 0 {
		g := &incGroup{accs: a.aggs.newAccs()}
		a.groups[""] = g
		a.order = append(a.order, g)
	}
}

// SetWatermark makes Add drop, and count as late, a row's share in every
// window that ends at or before wm (µs), as Spark drops rows for state it
// has evicted.
func (a *IncrementalAggregate) SetWatermark(wm int64) { a.watermark = wm }

// MaxEventTime is the latest event time (µs) seen, or math.MinInt64.
func (a *IncrementalAggregate) MaxEventTime() int64 { return a.maxEvent }

// Late is how many rows Add dropped as late.
func (a *IncrementalAggregate) Late() int64 { return a.late }

// Node is the plan node the aggregation computes.
func (a *IncrementalAggregate) Node() *plan.Aggregate { return a.node }

// Len is the number of groups held.
func (a *IncrementalAggregate) Len() int { return len(a.order) }

// Add folds every row of in (Input, built for one micro-batch) into the
// groups, marking the groups it touches as changed. It does not close in.
func (a *IncrementalAggregate) Add(ctx context.Context, in Operator) error {
	n := a.node
	var times *types.Vector
	for {
		b, err := in.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil || b.Len == 0 {
			return nil
		}
		for i, g := range n.Groups {
			if a.win != nil && (i == a.winStart || i == a.winEnd) {
				continue
			}
			if a.keyVecs[i], err = Eval(g, b); err != nil {
				return err
			}
		}
		if err := a.aggs.eval(b); err != nil {
			return err
		}
		if a.win == nil {
			// Each row has one group: the batch operator's path, one
			// aggregate at a time over the batch.
			if err := a.foldBatch(b.Len); err != nil {
				return err
			}
			continue
		}
		if times, err = Eval(a.win.Time, b); err != nil {
			return err
		}
		size, slide := a.win.Size.Microseconds(), a.win.Slide.Microseconds()
		for r := 0; r < b.Len; r++ {
			if times.IsNull(r) {
				continue
			}
			ts := times.Get(r).I
			a.maxEvent = max(a.maxEvent, ts)
			for i, v := range a.keyVecs {
				if v != nil && i != a.winStart && i != a.winEnd {
					a.vals[i] = v.Get(r)
				}
			}
			first, last := WindowStarts(ts, size, slide)
			for s := first; s <= last; s += slide {
				if s+size <= a.watermark {
					a.late++
					continue
				}
				a.vals[a.winStart] = types.Value{K: types.Timestamp, I: s}
				a.vals[a.winEnd] = types.Value{K: types.Timestamp, I: s + size}
				if err := a.aggs.addRow(a.group().accs, r); err != nil {
					return err
				}
			}
		}
	}
}

// WindowStarts returns the first and last start of the windows of size
// sliding by slide (µs) that hold ts: starts are multiples of slide since
// the epoch, as in Spark, and the earliest comes first so that groups
// appear in time order.
func WindowStarts(ts, size, slide int64) (first, last int64) {
	last = ts - mod(ts, slide)
	first = last
	for first-slide > ts-size {
		first -= slide
	}
	return first, last
}

func mod(x, m int64) int64 {
	r := x % m
	if r < 0 {
		r += m
	}
	return r
}

// foldBatch folds the n rows of the evaluated batch, each into the one
// group its keys name.
func (a *IncrementalAggregate) foldBatch(n int) error {
	a.batch++
	a.touched, a.rowGroup = a.touched[:0], a.rowGroup[:0]
	for r := 0; r < n; r++ {
		for i, v := range a.keyVecs {
			a.vals[i] = v.Get(r)
		}
		g := a.group()
		if g.batch != a.batch {
			g.batch, g.idx = a.batch, int32(len(a.touched))
			a.touched = append(a.touched, g)
		}
		a.rowGroup = append(a.rowGroup, g.idx)
	}
	if a.states == nil {
		a.states = make([][]functions.Accumulator, len(a.node.Aggs))
	}
	for i := range a.states {
		st := a.states[i][:0]
		for _, g := range a.touched {
			st = append(st, g.accs[i])
		}
		a.states[i] = st
	}
	return a.aggs.fold(a.rowGroup, a.states)
}

// group returns the group keyed by a.vals, made if new, and marks it
// changed.
func (a *IncrementalAggregate) group() *incGroup {
	a.key = a.key[:0]
	for _, v := range a.vals {
		a.key = types.AppendKey(a.key, v)
	}
	g := a.groups[string(a.key)]
	if g == nil {
		g = &incGroup{key: string(a.key), keys: append([]types.Value(nil), a.vals...), accs: a.aggs.newAccs()}
		a.groups[g.key] = g
		a.order = append(a.order, g)
	}
	g.changed = true
	return g
}

// Rows returns the aggregate's output rows (group keys, then aggregates)
// in first-seen order: every group, or with changedOnly those touched
// since the last ClearChanged.
func (a *IncrementalAggregate) Rows(changedOnly bool) [][]types.Value {
	var rows [][]types.Value
	for _, g := range a.order {
		if changedOnly && !g.changed {
			continue
		}
		rows = append(rows, a.row(g))
	}
	return rows
}

func (a *IncrementalAggregate) row(g *incGroup) []types.Value {
	return a.aggs.row(g.keys, g.accs)
}

// ClearChanged forgets which groups the last batches touched.
func (a *IncrementalAggregate) ClearChanged() {
	for _, g := range a.order {
		g.changed = false
	}
}

// Windowed reports whether the aggregation groups by event-time windows.
func (a *IncrementalAggregate) Windowed() bool { return a.win != nil }

// EvictClosed removes the windows that end at or before wm (µs), whose
// rows are final, and returns those rows in first-seen order.
func (a *IncrementalAggregate) EvictClosed(wm int64) [][]types.Value {
	if a.win == nil || wm == math.MinInt64 {
		return nil
	}
	return a.Evict(func(keys []types.Value) bool { return keys[a.winEnd].I <= wm })
}

// Evict removes the groups whose keys satisfy done (a closed event-time
// window) and returns their final rows in first-seen order.
func (a *IncrementalAggregate) Evict(done func(keys []types.Value) bool) [][]types.Value {
	var rows [][]types.Value
	kept := a.order[:0]
	for _, g := range a.order {
		if len(a.node.Groups) > 0 && done(g.keys) {
			rows = append(rows, a.row(g))
			delete(a.groups, g.key)
			continue
		}
		kept = append(kept, g)
	}
	clear(a.order[len(kept):])
	a.order = kept
	return rows
}

// partialState is the gob form of an IncrementalAggregate.
type partialState struct {
	Version        int
	Calls          []string // the aggregate calls, so state of another query is refused
	Groups         []partialGroup
	MaxEvent, Late int64
}

type partialGroup struct {
	Keys    []types.Value
	Accs    []functions.State // each accumulator's own Export
	Changed bool
}

// MarshalBinary encodes the groups and their accumulators.
func (a *IncrementalAggregate) MarshalBinary() ([]byte, error) {
	st := partialState{Version: partialVersion, Calls: a.calls(), MaxEvent: a.maxEvent, Late: a.late}
	for _, g := range a.order {
		pg := partialGroup{Keys: g.keys, Changed: g.changed, Accs: make([]functions.State, len(g.accs))}
		for i, acc := range g.accs {
			r, ok := acc.(functions.Resumable)
			if !ok {
				return nil, fmt.Errorf("%w: %s keeps no state to save", ErrNotIncremental, a.node.Aggs[i])
			}
			s, err := r.Export()
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrNotIncremental, a.node.Aggs[i], err)
			}
			pg.Accs[i] = s
		}
		st.Groups = append(st.Groups, pg)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&st); err != nil {
		return nil, fmt.Errorf("encode aggregate state: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary replaces the groups with saved ones.
func (a *IncrementalAggregate) UnmarshalBinary(data []byte) error {
	var st partialState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return fmt.Errorf("decode aggregate state: %w", err)
	}
	if st.Version != partialVersion {
		return fmt.Errorf("%w %d (want %d)", ErrStateVersion, st.Version, partialVersion)
	}
	if want := a.calls(); !equalStrings(st.Calls, want) {
		return fmt.Errorf("%w: state holds %v, query computes %v", ErrStateVersion, st.Calls, want)
	}
	a.groups, a.order = map[string]*incGroup{}, nil
	a.maxEvent, a.late = st.MaxEvent, st.Late
	for _, pg := range st.Groups {
		if len(pg.Keys) != len(a.node.Groups) || len(pg.Accs) != len(a.node.Aggs) {
			return fmt.Errorf("%w: group shape differs from the query", ErrStateVersion)
		}
		g := &incGroup{keys: pg.Keys, changed: pg.Changed, accs: a.aggs.newAccs()}
		var key []byte
		for _, k := range pg.Keys {
			key = types.AppendKey(key, k)
		}
		g.key = string(key)
		for i, acc := range g.accs {
			r, ok := acc.(functions.Resumable)
			if !ok {
				return fmt.Errorf("%w: %s keeps no state to restore", ErrNotIncremental, a.node.Aggs[i])
			}
			if err := r.Import(pg.Accs[i]); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrStateVersion, a.node.Aggs[i], err)
			}
		}
		a.groups[g.key] = g
		a.order = append(a.order, g)
	}
	a.global()
	return nil
}

func (a *IncrementalAggregate) calls() []string {
	out := make([]string, len(a.node.Aggs))
	for i, c := range a.node.Aggs {
		out[i] = c.String()
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
