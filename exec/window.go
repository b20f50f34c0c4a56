package exec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// window materialises its input and computes each window call over the
// rows sorted by the call's partition and order keys. Rows come out in
// input order with one column appended per call.
//
// Past the memory budget, a window whose calls share PARTITION BY keys
// spills by partitioning its input (spill.go): every row held so far and
// every row still to come goes to one of spillFanout files by a hash of
// those keys, so each window partition lies wholly in one file, and the
// files are computed one after another, split again with a new seed
// should one still not fit. The rows then come out file by file: each
// window partition's rows in input order, the partitions in no promised
// order. A window without PARTITION BY is one partition, and fails.
type window struct {
	in      Operator
	node    *plan.Window
	out     *rowSource
	sp      spiller
	spilled bool        // the input went to partitions, which are next
	held    int64       // bytes reserved for the rows of the current pass
	partBy  []plan.Expr // PARTITION BY keys every call has; nil: no spilling
}

func (w *window) Next(ctx context.Context) (*types.Batch, error) {
	for {
		if w.out != nil {
			b, err := w.out.Next(ctx)
			if err != nil || b.Len > 0 {
				return b, err
			}
			if !w.spilled {
				return b, nil // the rows held were the answer
			}
			w.out = nil
			unreserve(ctx, w.held)
			w.held = 0
		}
		// The input first, then each partition spilled on the way.
		src := w.in
		if w.sp.schema == nil {
			w.sp.schema = w.node.Input.Schema()
			w.partBy = commonPartitionBy(w.node.Calls)
		} else {
			var err error
			if src, err = w.sp.next(ctx); err != nil || src == nil {
				return nil, err
			}
		}
		rows, err := w.read(ctx, src)
		if err != nil {
			return nil, err
		}
		// Once the input has spilled, it left no rows in memory, and
		// every pass after is over a partition.
		w.spilled = w.spilled || w.sp.part != nil
		width := len(w.sp.schema)
		for i := range rows {
			rows[i] = append(rows[i][:width:width], make([]types.Value, len(w.node.Calls))...)
		}
		for ci, call := range w.node.Calls {
			if err := computeWindow(call, rows, width+ci); err != nil {
				return nil, err
			}
		}
		w.out = newRowSource(w.node.Schema(), rows)
	}
}

func (w *window) Close() error { return errors.Join(w.in.Close(), w.sp.Close()) }

// read collects in's rows. When they do not fit, and the calls share
// PARTITION BY keys, the rows read go to w.sp's partitions, and so does
// the rest of in: read then returns no rows.
func (w *window) read(ctx context.Context, in Operator) ([][]types.Value, error) {
	var rows [][]types.Value
	r := &windowSpill{w: w}
	for {
		b, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			return rows, nil
		}
		if w.sp.part != nil {
			if err := r.add(ctx, b, 0); err != nil {
				return nil, err
			}
			continue
		}
		for i := 0; i < b.Len; i++ {
			row := b.Row(make([]types.Value, 0, len(b.Cols)), i)
			size := rowSize(row)
			w.held += size
			err := reserve(ctx, size, "a window function")
			if err == nil {
				rows = append(rows, row)
				continue
			}
			if w.partBy == nil {
				return nil, err
			}
			if err := w.sp.spill(ctx, err); err != nil {
				return nil, err
			}
			if err := r.addRows(ctx, rows); err != nil {
				return nil, err
			}
			rows = nil
			unreserve(ctx, w.held)
			w.held = 0
			guard.collect()
			if err := r.add(ctx, b, i); err != nil {
				return nil, err
			}
			break
		}
	}
}

// windowSpill routes rows to a window's partitions by a hash of their
// PARTITION BY keys.
type windowSpill struct {
	w   *window
	kv  []*types.Vector
	key []byte
}

// add routes the rows of b from row from on.
func (s *windowSpill) add(ctx context.Context, b *types.Batch, from int) error {
	if s.kv == nil {
		s.kv = make([]*types.Vector, len(s.w.partBy))
	}
	if err := evalAll(s.w.partBy, b, s.kv); err != nil {
		return err
	}
	for r := from; r < b.Len; r++ {
		s.key = s.key[:0]
		for _, v := range s.kv {
			s.key = types.AppendKey(s.key, v.Get(r))
		}
		if err := s.w.sp.part.add(ctx, b, r, s.key); err != nil {
			return err
		}
	}
	return nil
}

// addRows routes rows already collected, a batch at a time.
func (s *windowSpill) addRows(ctx context.Context, rows [][]types.Value) error {
	for len(rows) > 0 {
		n := min(len(rows), types.BatchSize)
		b := types.NewBatch(s.w.sp.schema, n)
		for _, row := range rows[:n] {
			b.AppendRow(row)
		}
		if err := s.add(ctx, b, 0); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// commonPartitionBy is the PARTITION BY keys that read a column and
// every call has (nil if none): a window partition of any call then has
// one value of them.
func commonPartitionBy(calls []plan.WindowCall) []plan.Expr {
	if len(calls) == 0 {
		return nil
	}
	var out []plan.Expr
	for _, p := range calls[0].PartitionBy {
		reads := map[int]bool{}
		if plan.Columns(p, reads); len(reads) == 0 {
			// A constant (PARTITION BY 1) puts every row in one file:
			// spilling by it would only write the input out again.
			continue
		}
		name := p.String()
		everywhere := true
		for _, c := range calls[1:] {
			everywhere = everywhere && slices.ContainsFunc(c.PartitionBy, func(q plan.Expr) bool { return q.String() == name })
		}
		if everywhere {
			out = append(out, p)
		}
	}
	return out
}

// computeWindow computes c over rows, into column dst of each row. c is a
// window-only function or an aggregate, looked up once here.
func computeWindow(c plan.WindowCall, rows [][]types.Value, dst int) error {
	wf, isWin := functions.LookupWindow(c.Name)
	var af *functions.Aggregate
	if !isWin {
		var ok bool
		if af, ok = functions.LookupAggregate(c.Name); !ok {
			return fmt.Errorf("%w: %s as a window function", plan.ErrUnknownAggregate, c.Name)
		}
	}
	np := len(c.PartitionBy)
	keys := make([]plan.SortKey, 0, np+len(c.OrderBy))
	for _, p := range c.PartitionBy {
		keys = append(keys, plan.SortKey{Expr: p, NullsFirst: true})
	}
	keys = append(keys, c.OrderBy...)
	type entry struct {
		idx  int
		keys []types.Value
	}
	es := make([]entry, len(rows))
	for i, r := range rows {
		ks := make([]types.Value, len(keys))
		for j, k := range keys {
			v, err := EvalRow(k.Expr, r)
			if err != nil {
				return err
			}
			ks[j] = v
		}
		es[i] = entry{idx: i, keys: ks}
	}
	// Stable through the row index as the last key: O(n log n), where
	// slices.SortStableFunc is O(n log² n).
	slices.SortFunc(es, func(a, b entry) int {
		if c := compareKeys(a.keys, b.keys, keys); c != 0 {
			return c
		}
		return a.idx - b.idx
	})

	for start := 0; start < len(es); {
		end := start + 1
		for end < len(es) && compareKeys(es[start].keys[:np], es[end].keys[:np], keys[:np]) == 0 {
			end++
		}
		part := make([][]types.Value, end-start)
		order := make([][]types.Value, end-start)
		for i := start; i < end; i++ {
			part[i-start] = rows[es[i].idx]
			order[i-start] = es[i].keys[np:]
		}
		res, err := windowPartition(c, wf, af, part, order, keys[np:])
		if err != nil {
			return err
		}
		for i, v := range res {
			part[i][dst] = v
		}
		start = end
	}
	return nil
}

// windowPartition computes c for one partition, rows already in window
// order; order holds each row's ORDER BY key values. A window-only
// function (wf) computes itself; an aggregate (af, when wf is nil) is
// folded over each row's frame with the catalogue's accumulators.
func windowPartition(c plan.WindowCall, wf *functions.Window, af *functions.Aggregate, rows [][]types.Value, order [][]types.Value, okeys []plan.SortKey) ([]types.Value, error) {
	n := len(rows)
	p := &functions.Partition{
		N:           n,
		IgnoreNulls: c.IgnoreNulls,
		Out:         make([]types.Value, n),
		PeerStart:   make([]int, n),
		PeerEnd:     make([]int, n), // one past the last peer of row i
		Consts:      make([]types.Value, len(c.Args)),
		Arg:         func(i, a int) (types.Value, error) { return EvalRow(c.Args[a], rows[i]) },
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && compareKeys(order[i], order[j], okeys) == 0 {
			j++
		}
		for k := i; k < j; k++ {
			p.PeerStart[k], p.PeerEnd[k] = i, j
		}
		i = j
	}
	for a, e := range c.Args {
		if k, ok := e.(*plan.Const); ok {
			p.Consts[a] = k.V
		}
	}
	isWin := wf != nil
	if isWin && !wf.Framed {
		if err := wf.Compute(p); err != nil {
			return nil, err
		}
		return p.Out, nil
	}

	// Frame-based functions: first_value, last_value, nth_value and the
	// aggregates.
	// Offsets past the partition mean the same as the partition's size;
	// clamping them keeps i+offset from overflowing.
	startOff := int(min(c.Start.Offset, int64(n)+1))
	endOff := int(min(c.End.Offset, int64(n)+1))
	p.Frame = func(i int) (lo, hi int) { // rows [lo, hi)
		lo, hi = 0, n
		switch c.Start.Kind {
		case plan.OffsetPreceding:
			lo = i - startOff
		case plan.CurrentRow:
			lo = i
			if !c.Rows {
				lo = p.PeerStart[i]
			}
		case plan.OffsetFollowing:
			lo = i + startOff
		case plan.UnboundedFollowing:
			lo = n
		}
		switch c.End.Kind {
		case plan.UnboundedPreceding:
			hi = 0
		case plan.OffsetPreceding:
			hi = i - endOff + 1
		case plan.CurrentRow:
			hi = i + 1
			if !c.Rows {
				hi = p.PeerEnd[i]
			}
		case plan.OffsetFollowing:
			hi = i + endOff + 1
		}
		return max(lo, 0), min(hi, n)
	}
	if !c.Rows && (isOffset(c.Start) || isOffset(c.End)) {
		frame, err := rangeFrame(c, order, okeys[0], p.PeerStart, p.PeerEnd)
		if err != nil {
			return nil, err
		}
		p.Frame = frame
	}
	p.Vals = make([]types.Value, n)
	for i := range rows {
		if len(c.Args) > 0 {
			v, err := p.Arg(i, 0)
			if err != nil {
				return nil, err
			}
			p.Vals[i] = v
		} else {
			p.Vals[i] = types.IntValue(1) // count(*) counts rows
		}
	}
	// An aggregate's FILTER leaves out of every frame the rows where it
	// does not hold, as Spark does for sum(x) FILTER (WHERE …) OVER (…).
	var kept []bool // nil: every row counts
	if c.Filter != nil {
		kept = make([]bool, n)
		for i := range rows {
			v, err := EvalRow(c.Filter, rows[i])
			if err != nil {
				return nil, err
			}
			kept[i] = !v.IsNull() && v.Bool()
		}
	}
	p.Counts = func(j int) bool { return kept == nil || kept[j] }
	if isWin {
		if err := wf.Compute(p); err != nil {
			return nil, err
		}
		return p.Out, nil
	}

	// An aggregate's fraction (percentile_approx's) is its second
	// argument, a constant.
	spec := functions.AggSpec{Arg: types.Int, K: c.K}
	if len(c.Args) > 0 {
		spec.Arg = c.Args[0].Kind()
	}
	if af.Shape == functions.FractionArgs && len(p.Consts) > 1 {
		spec.Param = p.Consts[1].AsFloat()
	}
	add := func(acc functions.Accumulator, j int) error {
		if !p.Counts(j) {
			return nil
		}
		if err := acc.Add(p.Vals[j], types.NullValue); err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		return nil
	}
	out := p.Out
	if c.Start.Kind == plan.UnboundedPreceding {
		// Running frame: extend one accumulator as the frame's end moves.
		acc, pos := af.New(spec), 0
		for i := range out {
			_, hi := p.Frame(i)
			for ; pos < hi; pos++ {
				if err := add(acc, pos); err != nil {
					return nil, err
				}
			}
			out[i] = coerce(acc.Result(), c.K)
		}
		return out, nil
	}
	for i := range out {
		lo, hi := p.Frame(i)
		acc := af.New(spec)
		for j := lo; j < hi; j++ {
			if err := add(acc, j); err != nil {
				return nil, err
			}
		}
		out[i] = coerce(acc.Result(), c.K)
	}
	return out, nil
}

func isOffset(b plan.Bound) bool {
	return b.Kind == plan.OffsetPreceding || b.Kind == plan.OffsetFollowing
}

// rangeFrame gives each row of a partition its RANGE frame with offsets:
// the rows whose ORDER BY key lies between the row's key minus and plus
// the offsets (in the order's direction: PRECEDING is larger under DESC),
// found by binary search over the sorted keys. A row whose key is NULL
// has its NULL peers for frame; the NULL rows lie outside every other
// row's offset bounds, as in Spark.
func rangeFrame(c plan.WindowCall, order [][]types.Value, key plan.SortKey, peerStart, peerEnd []int) (func(i int) (int, int), error) {
	n := len(order)
	dir := 1
	if key.Desc {
		dir = -1
	}
	a, b := 0, n // the rows with a key
	for a < n && order[a][0].IsNull() {
		a++
	}
	for b > a && order[b-1][0].IsNull() {
		b--
	}
	// first returns the first row from a whose key is past bv (after
	// is true) or at it or past it.
	first := func(bv types.Value, after bool) int {
		return a + sort.Search(b-a, func(x int) bool {
			d := types.Compare(order[a+x][0], bv) * dir
			return d > 0 || (d == 0 && !after)
		})
	}
	bounds := make([][2]int, n)
	for i := range order {
		v := order[i][0]
		ends := [2]plan.Bound{c.Start, c.End}
		for e, bd := range ends {
			var at int
			switch {
			case bd.Kind == plan.UnboundedPreceding:
				at = 0
			case bd.Kind == plan.UnboundedFollowing:
				at = n
			case bd.Kind == plan.CurrentRow || v.IsNull():
				at = peerStart[i]
				if e == 1 {
					at = peerEnd[i]
				}
			default:
				sign := dir
				if bd.Kind == plan.OffsetPreceding {
					sign = -dir
				}
				bv, err := shiftKey(v, bd.OffsetValue(), sign)
				if err != nil {
					return nil, fmt.Errorf("RANGE frame bound of %s: %w", v, err)
				}
				at = first(bv, e == 1)
			}
			bounds[i][e] = at
		}
	}
	return func(i int) (int, int) { return bounds[i][0], max(bounds[i][0], bounds[i][1]) }, nil
}

// shiftKey is key + sign × off: numbers add (BIGINTs saturating, since a
// bound past the range holds every row), a date moves by days or an
// interval, a timestamp by an interval.
func shiftKey(key, off types.Value, sign int) (types.Value, error) {
	switch {
	case off.K.IsInterval():
		return functions.AddInterval(key, off, key.K, sign < 0)
	case key.K == types.Date:
		return types.DateValue(key.I + int64(sign)*off.I), nil
	case key.K == types.Int && off.K == types.Int:
		s := key.I + int64(sign)*off.I
		if sign > 0 && s < key.I {
			s = math.MaxInt64
		} else if sign < 0 && s > key.I {
			s = math.MinInt64
		}
		return types.IntValue(s), nil
	}
	return types.FloatValue(key.AsFloat() + float64(sign)*off.AsFloat()), nil
}
