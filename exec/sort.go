package exec

import (
	"container/heap"
	"context"
	"slices"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// sorter materialises its input, sorts it stably, and emits it. A top-N
// sort keeps only the first Limit rows.
type sorter struct {
	in   Operator
	node *plan.Sort
	out  *rowSource
}

func (s *sorter) Next(ctx context.Context) (*types.Batch, error) {
	if s.out == nil {
		var rows []keyedRow
		var err error
		if s.node.Limit >= 0 {
			rows, err = topN(ctx, s.in, s.node.Keys, int(s.node.Limit))
		} else {
			rows, err = collectWithKeys(ctx, s.in, s.node.Keys)
			sortRows(rows, s.node.Keys)
		}
		if err != nil {
			return nil, err
		}
		out := make([][]types.Value, len(rows))
		for i, r := range rows {
			out[i] = r.row
		}
		s.out = newRowSource(s.node.Schema(), out)
	}
	return s.out.Next(ctx)
}

func (s *sorter) Close() error { return s.in.Close() }

// topN keeps the first n rows in sort order while reading, in a max-heap
// of n entries, so ORDER BY … LIMIT n over a large input holds n rows, not
// all of them. Ties keep input order (seq), as the full stable sort does.
func topN(ctx context.Context, in Operator, keys []plan.SortKey, n int) ([]keyedRow, error) {
	h := &rowHeap{keys: keys}
	if n == 0 {
		return nil, drain(ctx, in)
	}
	kv := make([]*types.Vector, len(keys))
	seq := 0
	cand := make([]types.Value, len(keys))
	for {
		b, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			break
		}
		for i, k := range keys {
			if kv[i], err = Eval(k.Expr, b); err != nil {
				return nil, err
			}
		}
		for r := 0; r < b.Len; r++ {
			for i, v := range kv {
				cand[i] = v.Get(r)
			}
			seq++
			if len(h.rows) == n && compareKeys(cand, h.rows[0].keys, keys) >= 0 {
				continue // not better than the worst kept row
			}
			kr := keyedRow{keys: append([]types.Value(nil), cand...), row: b.Row(make([]types.Value, 0, len(b.Cols)), r), seq: seq}
			if len(h.rows) < n {
				heap.Push(h, kr)
			} else {
				h.rows[0] = kr
				heap.Fix(h, 0)
			}
		}
	}
	rows := h.rows
	slices.SortFunc(rows, func(a, b keyedRow) int {
		if c := compareKeys(a.keys, b.keys, keys); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	return rows, nil
}

// rowHeap is a max-heap: the root is the row that sorts last.
type rowHeap struct {
	keys []plan.SortKey
	rows []keyedRow
}

func (h *rowHeap) Len() int { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool {
	c := compareKeys(h.rows[i].keys, h.rows[j].keys, h.keys)
	if c == 0 {
		return h.rows[i].seq > h.rows[j].seq
	}
	return c > 0
}
func (h *rowHeap) Swap(i, j int) { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)    { h.rows = append(h.rows, x.(keyedRow)) }
func (h *rowHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

// drain reads in to the end, so that errors in the input still surface.
func drain(ctx context.Context, in Operator) error {
	for {
		b, err := in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return err
		}
	}
}

type keyedRow struct {
	keys []types.Value
	row  []types.Value
	seq  int // input position, to keep ties stable in top-N
}

func collectWithKeys(ctx context.Context, in Operator, keys []plan.SortKey) ([]keyedRow, error) {
	var rows []keyedRow
	kv := make([]*types.Vector, len(keys))
	for {
		b, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			return rows, nil
		}
		for i, k := range keys {
			if kv[i], err = Eval(k.Expr, b); err != nil {
				return nil, err
			}
		}
		for r := 0; r < b.Len; r++ {
			kr := keyedRow{keys: make([]types.Value, len(keys)), row: b.Row(make([]types.Value, 0, len(b.Cols)), r)}
			for i, v := range kv {
				kr.keys[i] = v.Get(r)
			}
			if err := reserve(ctx, rowSize(kr.row)+rowSize(kr.keys), "ORDER BY"); err != nil {
				return nil, err
			}
			rows = append(rows, kr)
		}
	}
}

func sortRows(rows []keyedRow, keys []plan.SortKey) {
	slices.SortStableFunc(rows, func(a, b keyedRow) int { return compareKeys(a.keys, b.keys, keys) })
}

// compareKeys orders two key tuples by the sort keys' directions and NULL
// placement.
func compareKeys(a, b []types.Value, keys []plan.SortKey) int {
	for i, k := range keys {
		x, y := a[i], b[i]
		var c int
		switch {
		case x.IsNull() && y.IsNull():
			c = 0
		case x.IsNull():
			c = 1
			if k.NullsFirst {
				c = -1
			}
		case y.IsNull():
			c = -1
			if k.NullsFirst {
				c = 1
			}
		default:
			c = types.Compare(x, y)
			if k.Desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// distinct passes each distinct row once, in first-seen order.
type distinct struct {
	in     Operator
	schema types.Schema
	seen   map[string]bool
	out    *types.Batch
	key    []byte
}

func (d *distinct) Next(ctx context.Context) (*types.Batch, error) {
	if d.seen == nil {
		d.seen = map[string]bool{}
		d.out = types.NewBatch(d.schema, types.BatchSize)
	}
	for {
		b, err := d.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return nil, err
		}
		d.out.Reset()
		for r := 0; r < b.Len; r++ {
			d.key = rowKey(d.key[:0], b, r)
			if d.seen[string(d.key)] {
				continue
			}
			if err := reserve(ctx, int64(len(d.key))+48, "DISTINCT"); err != nil {
				return nil, err
			}
			d.seen[string(d.key)] = true
			for j, c := range b.Cols {
				d.out.Cols[j].AppendFrom(c, r)
			}
			d.out.Len++
		}
		if d.out.Len > 0 {
			return d.out, nil
		}
	}
}

func (d *distinct) Close() error { return d.in.Close() }

func rowKey(buf []byte, b *types.Batch, r int) []byte {
	for _, c := range b.Cols {
		buf = types.AppendKey(buf, c.Get(r))
	}
	return buf
}

func valuesKey(buf []byte, row []types.Value) []byte {
	for _, v := range row {
		buf = types.AppendKey(buf, v)
	}
	return buf
}

// setOp runs UNION, INTERSECT and EXCEPT by counting rows per side.
type setOp struct {
	left, right Operator
	node        *plan.SetOp
	out         *rowSource
	leftDone    bool
}

func (s *setOp) Next(ctx context.Context) (*types.Batch, error) {
	n := s.node
	if n.Op == "UNION" && n.All {
		// Stream: left, then right.
		if !s.leftDone {
			b, err := s.left.Next(ctx)
			if err != nil || (b != nil && b.Len > 0) {
				return b, err
			}
			s.leftDone = true
		}
		return s.right.Next(ctx)
	}
	if s.out == nil {
		rows, err := s.run(ctx)
		if err != nil {
			return nil, err
		}
		s.out = newRowSource(n.Schema(), rows)
	}
	return s.out.Next(ctx)
}

func (s *setOp) run(ctx context.Context) ([][]types.Value, error) {
	left, err := collect(ctx, s.left, s.node.Op)
	if err != nil {
		return nil, err
	}
	right, err := collect(ctx, s.right, s.node.Op)
	if err != nil {
		return nil, err
	}
	var key []byte
	var out [][]types.Value
	switch s.node.Op {
	case "UNION":
		seen := map[string]bool{}
		for _, r := range append(left, right...) {
			key = valuesKey(key[:0], r)
			if !seen[string(key)] {
				seen[string(key)] = true
				out = append(out, r)
			}
		}
	case "INTERSECT", "EXCEPT":
		counts := map[string]int{}
		for _, r := range right {
			counts[string(valuesKey(key[:0], r))]++
		}
		emitted := map[string]bool{}
		for _, r := range left {
			k := string(valuesKey(key[:0], r))
			inRight := counts[k] > 0
			keep := inRight == (s.node.Op == "INTERSECT")
			if s.node.All {
				if inRight {
					counts[k]--
				}
			} else {
				if emitted[k] {
					continue
				}
				if keep {
					emitted[k] = true
				}
			}
			if keep {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func (s *setOp) Close() error { return closeAll([]Operator{s.left, s.right}) }
