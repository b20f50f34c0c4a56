package exec

import (
	"context"
	"slices"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// window materialises its input and computes each window call over the
// rows sorted by the call's partition and order keys. Rows come out in
// input order with one column appended per call.
type window struct {
	in   Operator
	node *plan.Window
	out  *rowSource
}

func (w *window) Next(ctx context.Context) (*types.Batch, error) {
	if w.out == nil {
		rows, err := collect(ctx, w.in, "a window function")
		if err != nil {
			return nil, err
		}
		width := len(w.node.Input.Schema())
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
	return w.out.Next(ctx)
}

func (w *window) Close() error { return w.in.Close() }

func computeWindow(c plan.WindowCall, rows [][]types.Value, dst int) error {
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
		res, err := windowPartition(c, part, order, keys[np:])
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
// order; order holds each row's ORDER BY key values.
func windowPartition(c plan.WindowCall, rows [][]types.Value, order [][]types.Value, okeys []plan.SortKey) ([]types.Value, error) {
	n := len(rows)
	out := make([]types.Value, n)
	peerEnd := make([]int, n) // index one past the last peer of row i
	peerStart := make([]int, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && compareKeys(order[i], order[j], okeys) == 0 {
			j++
		}
		for k := i; k < j; k++ {
			peerStart[k], peerEnd[k] = i, j
		}
		i = j
	}
	arg := func(i, a int) (types.Value, error) { return EvalRow(c.Args[a], rows[i]) }
	constArg := func(a int, def int64) int64 {
		if a < len(c.Args) {
			if k, ok := c.Args[a].(*plan.Const); ok && !k.V.IsNull() {
				return k.V.I
			}
		}
		return def
	}
	switch c.Name {
	case "row_number":
		for i := range out {
			out[i] = types.IntValue(int64(i + 1))
		}
		return out, nil
	case "rank":
		for i := range out {
			out[i] = types.IntValue(int64(peerStart[i] + 1))
		}
		return out, nil
	case "dense_rank":
		r := int64(0)
		for i := range out {
			if i == peerStart[i] {
				r++
			}
			out[i] = types.IntValue(r)
		}
		return out, nil
	case "percent_rank":
		for i := range out {
			if n == 1 {
				out[i] = types.FloatValue(0)
			} else {
				out[i] = types.FloatValue(float64(peerStart[i]) / float64(n-1))
			}
		}
		return out, nil
	case "cume_dist":
		for i := range out {
			out[i] = types.FloatValue(float64(peerEnd[i]) / float64(n))
		}
		return out, nil
	case "ntile":
		buckets := constArg(0, 1)
		if buckets <= 0 {
			buckets = 1
		}
		size, extra := int64(n)/buckets, int64(n)%buckets
		for i := range out {
			// The first n%buckets buckets hold one row more.
			idx := int64(i)
			var b int64
			if idx < extra*(size+1) {
				b = idx / (size + 1)
			} else {
				b = extra + (idx-extra*(size+1))/max(size, 1)
			}
			out[i] = types.IntValue(b + 1)
		}
		return out, nil
	case "lag", "lead":
		off := constArg(1, 1)
		if c.Name == "lag" {
			off = -off
		}
		for i := range out {
			j := i + int(off)
			switch {
			case j >= 0 && j < n:
				v, err := arg(j, 0)
				if err != nil {
					return nil, err
				}
				out[i] = v
			case len(c.Args) > 2:
				v, err := arg(i, 2)
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
		}
		return out, nil
	}

	// Frame-based functions: first_value, last_value, nth_value and the
	// aggregates.
	// Offsets past the partition mean the same as the partition's size;
	// clamping them keeps i+offset from overflowing.
	startOff := int(min(c.Start.Offset, int64(n)+1))
	endOff := int(min(c.End.Offset, int64(n)+1))
	frame := func(i int) (lo, hi int) { // rows [lo, hi)
		lo, hi = 0, n
		switch c.Start.Kind {
		case syntax.OffsetPreceding:
			lo = i - startOff
		case syntax.CurrentRow:
			lo = i
			if !c.Rows {
				lo = peerStart[i]
			}
		case syntax.OffsetFollowing:
			lo = i + startOff
		case syntax.UnboundedFollowing:
			lo = n
		}
		switch c.End.Kind {
		case syntax.UnboundedPreceding:
			hi = 0
		case syntax.OffsetPreceding:
			hi = i - endOff + 1
		case syntax.CurrentRow:
			hi = i + 1
			if !c.Rows {
				hi = peerEnd[i]
			}
		case syntax.OffsetFollowing:
			hi = i + endOff + 1
		}
		return max(lo, 0), min(hi, n)
	}
	vals := make([]types.Value, n)
	for i := range rows {
		if len(c.Args) > 0 {
			v, err := arg(i, 0)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		} else {
			vals[i] = types.IntValue(1)
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
	counts := func(j int) bool { return kept == nil || kept[j] }
	switch c.Name {
	case "first_value", "last_value", "nth_value":
		nth := constArg(1, 1)
		for i := range out {
			lo, hi := frame(i)
			switch {
			case lo >= hi:
			case c.Name == "first_value":
				for j := lo; j < hi; j++ {
					if counts(j) {
						out[i] = vals[j]
						break
					}
				}
			case c.Name == "last_value":
				for j := hi - 1; j >= lo; j-- {
					if counts(j) {
						out[i] = vals[j]
						break
					}
				}
			case int64(hi-lo) >= nth && nth > 0:
				out[i] = vals[lo+int(nth)-1]
			}
		}
		return out, nil
	}
	agg := plan.AggCall{Name: c.Name, K: c.K}
	if c.Start.Kind == syntax.UnboundedPreceding {
		// Running frame: extend one accumulator as the frame's end moves.
		acc, pos := newAccumulator(agg, nil), 0
		for i := range out {
			_, hi := frame(i)
			for ; pos < hi; pos++ {
				if !counts(pos) {
					continue
				}
				if err := acc.add(vals[pos]); err != nil {
					return nil, err
				}
			}
			out[i] = coerce(acc.result(), c.K)
		}
		return out, nil
	}
	for i := range out {
		lo, hi := frame(i)
		acc := newAccumulator(agg, nil)
		for j := lo; j < hi; j++ {
			if !counts(j) {
				continue
			}
			if err := acc.add(vals[j]); err != nil {
				return nil, err
			}
		}
		out[i] = coerce(acc.result(), c.K)
	}
	return out, nil
}
