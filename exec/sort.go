package exec

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// sorter sorts its input and emits it. A full sort holds the input column
// by column and sorts a permutation of row numbers, so it allocates per
// batch, not per row; a top-N sort keeps only the first Limit rows.
type sorter struct {
	in   Operator
	node *plan.Sort
	out  Operator
}

func (s *sorter) Next(ctx context.Context) (*types.Batch, error) {
	if s.out == nil {
		if s.node.Limit >= 0 {
			rows, err := topN(ctx, s.in, s.node.Keys, int(s.node.Limit))
			if err != nil {
				return nil, err
			}
			out := make([][]types.Value, len(rows))
			for i, r := range rows {
				out[i] = r.row
			}
			s.out = newRowSource(s.node.Schema(), out)
		} else {
			sorted, err := sortAll(ctx, s.in, s.node)
			if err != nil {
				return nil, err
			}
			s.out = sorted
		}
	}
	return s.out.Next(ctx)
}

func (s *sorter) Close() error {
	err := s.in.Close()
	if s.out != nil {
		err = errors.Join(err, s.out.Close())
	}
	return err
}

// sortAll reads the whole input into columns, with each sort key evaluated
// into a column of its own, and returns the rows in key order; ties keep
// input order, as a stable sort does. Past the memory budget it sorts
// what it holds, writes it to disk as a run and frees it, and at the end
// merges the runs with the rows still held (an external merge sort).
func sortAll(ctx context.Context, in Operator, node *plan.Sort) (_ Operator, err error) {
	var runs []Operator // sorted, in input order: a tie goes to the earlier
	defer func() {
		if err != nil {
			closeAll(runs)
		}
	}()
	data := types.NewBatch(node.Schema(), 0)
	keys := make([]*types.Vector, len(node.Keys))
	var held int64
	for {
		b, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			break
		}
		var size int64
		for i, k := range node.Keys {
			kv, err := Eval(k.Expr, b)
			if err != nil {
				return nil, err
			}
			if keys[i] == nil {
				keys[i] = types.NewVector(kv.Kind, 0)
			}
			keys[i].AppendRange(kv, 0, b.Len)
			size += vectorBytes(kv)
		}
		for j, c := range b.Cols {
			data.Cols[j].AppendRange(c, 0, b.Len)
			size += vectorBytes(c)
		}
		data.Len += b.Len
		held += size
		if err := reserve(ctx, size, "ORDER BY"); err != nil {
			run, err := writeRun(ctx, err, data, keys, node.Keys)
			if err != nil {
				return nil, err
			}
			runs = append(runs, run)
			unreserve(ctx, held)
			held = 0
			data = types.NewBatch(node.Schema(), 0)
			keys = make([]*types.Vector, len(node.Keys))
			guard.collect()
		}
	}
	perm := sortPerm(keys, data.Len, node.Keys)
	if len(runs) == 0 {
		return &gathered{data: data, perm: perm, out: types.NewBatch(node.Schema(), types.BatchSize)}, nil
	}
	if data.Len > 0 {
		all := withKeys(data, keys)
		runs = append(runs, &gathered{data: all, perm: perm, out: emptyLike(all)})
	}
	return &mergeRuns{runs: runs, keys: node.Keys, ncols: len(data.Cols), out: types.NewBatch(node.Schema(), types.BatchSize)}, nil
}

// sortPerm is the row numbers 0..n-1 in the order of keys.
func sortPerm(keys []*types.Vector, n int, sortKeys []plan.SortKey) []int32 {
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	// An unstable sort with the row number as the last key is stable, and
	// O(n log n) where slices.SortStableFunc is O(n log² n).
	slices.SortFunc(perm, func(a, b int32) int {
		for i, k := range sortKeys {
			if c := compareAt(keys[i], int(a), keys[i], int(b), k); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
	return perm
}

// withKeys is data with the key columns after its own: a run's rows carry
// their keys so that the merge need not evaluate them again.
func withKeys(data *types.Batch, keys []*types.Vector) *types.Batch {
	return &types.Batch{Len: data.Len, Cols: append(slices.Clip(data.Cols), keys...)}
}

// emptyLike is an empty batch with b's column kinds.
func emptyLike(b *types.Batch) *types.Batch {
	out := &types.Batch{Cols: make([]*types.Vector, len(b.Cols))}
	for j, c := range b.Cols {
		out.Cols[j] = types.NewVector(c.Kind, types.BatchSize)
	}
	return out
}

// writeRun sorts data and writes it, with its keys, to a spill file, when
// reserve has failed with overBudget; other errors are returned.
func writeRun(ctx context.Context, overBudget error, data *types.Batch, keys []*types.Vector, sortKeys []plan.SortKey) (Operator, error) {
	if !errors.Is(overBudget, ErrMemoryLimit) {
		return nil, overBudget
	}
	dir, err := spillDir(ctx)
	if err != nil {
		return nil, errors.Join(overBudget, err)
	}
	// The merge reads every run at once through this buffer: a run is
	// about the budget's size, so 10 GB sorted under 200 MB is 50 runs
	// and 3 MiB of buffers. The merge is a single pass; a budget far
	// smaller than the input makes many runs, each one batch and buffer.
	f, err := newSpillFile(dir, "nectar-sort-*", 64<<10)
	if err != nil {
		return nil, err
	}
	perm := sortPerm(keys, data.Len, sortKeys)
	all := withKeys(data, keys)
	out := emptyLike(all)
	for i := 0; i < len(perm); i += types.BatchSize {
		if err := ctx.Err(); err != nil {
			f.Close()
			return nil, err
		}
		end := min(i+types.BatchSize, len(perm))
		out.Reset()
		gather(out.Cols, all.Cols, perm[i:end])
		out.Len = end - i
		if err := f.write(out); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := f.rewind(); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// mergeRuns merges sorted runs, whose batches carry the sort keys after
// the ncols columns of the rows, into one sorted stream.
type mergeRuns struct {
	runs    []Operator
	keys    []plan.SortKey
	ncols   int
	out     *types.Batch
	cur     []*types.Batch // each run's batch being merged
	pos     []int          // its next row
	heap    []int          // runs with rows left, least first
	started bool
}

func (m *mergeRuns) Next(ctx context.Context) (*types.Batch, error) {
	if !m.started {
		m.started = true
		m.cur, m.pos = make([]*types.Batch, len(m.runs)), make([]int, len(m.runs))
		for r := range m.runs {
			ok, err := m.fill(ctx, r)
			if err != nil {
				return nil, err
			}
			if ok {
				heap.Push(m, r)
			}
		}
	}
	m.out.Reset()
	for m.out.Len < types.BatchSize && len(m.heap) > 0 {
		r := m.heap[0]
		b, p := m.cur[r], m.pos[r]
		for j := 0; j < m.ncols; j++ {
			m.out.Cols[j].AppendFrom(b.Cols[j], p)
		}
		m.out.Len++
		if m.pos[r]++; m.pos[r] < b.Len {
			heap.Fix(m, 0)
			continue
		}
		ok, err := m.fill(ctx, r)
		if err != nil {
			return nil, err
		}
		if ok {
			heap.Fix(m, 0)
		} else {
			heap.Pop(m)
		}
	}
	return m.out, nil
}

// fill reads run r's next batch; false when the run has ended.
func (m *mergeRuns) fill(ctx context.Context, r int) (bool, error) {
	b, err := m.runs[r].Next(ctx)
	if err != nil {
		return false, err
	}
	m.cur[r], m.pos[r] = b, 0
	return b != nil && b.Len > 0, nil
}

func (m *mergeRuns) Len() int { return len(m.heap) }
func (m *mergeRuns) Less(i, j int) bool {
	a, b := m.heap[i], m.heap[j]
	ba, bb := m.cur[a], m.cur[b]
	for k, key := range m.keys {
		if c := compareAt(ba.Cols[m.ncols+k], m.pos[a], bb.Cols[m.ncols+k], m.pos[b], key); c != 0 {
			return c < 0
		}
	}
	return a < b // the earlier run's rows came first in the input
}
func (m *mergeRuns) Swap(i, j int) { m.heap[i], m.heap[j] = m.heap[j], m.heap[i] }
func (m *mergeRuns) Push(x any)    { m.heap = append(m.heap, x.(int)) }
func (m *mergeRuns) Pop() any {
	x := m.heap[len(m.heap)-1]
	m.heap = m.heap[:len(m.heap)-1]
	return x
}

func (m *mergeRuns) Close() error { return closeAll(m.runs) }

// compareAt orders row a of va and row b of vb, vectors of one key's
// values, by the key's direction and NULL placement, as compareKeys does
// for values.
func compareAt(va *types.Vector, a int, vb *types.Vector, b int, k plan.SortKey) int {
	an, bn := va.Nulls[a], vb.Nulls[b]
	switch {
	case an && bn:
		return 0
	case an != bn:
		if an == k.NullsFirst {
			return -1
		}
		return 1
	}
	var c int
	switch {
	case va.Kind != vb.Kind, va.Kind.IsNested():
		c = types.Compare(va.Get(a), vb.Get(b))
	case va.Kind == types.Float:
		c = types.Compare(types.FloatValue(va.F[a]), types.FloatValue(vb.F[b]))
	case va.Kind.Storage() == types.String:
		c = strings.Compare(va.S[a], vb.S[b])
	case va.Kind == types.Null:
		c = 0
	default:
		c = cmp.Compare(va.I[a], vb.I[b])
	}
	if k.Desc {
		return -c
	}
	return c
}

// gathered emits the rows of data in perm order, a batch at a time.
type gathered struct {
	data *types.Batch
	perm []int32
	pos  int
	out  *types.Batch
}

func (g *gathered) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g.out.Reset()
	end := min(g.pos+types.BatchSize, len(g.perm))
	gather(g.out.Cols, g.data.Cols, g.perm[g.pos:end])
	g.out.Len = end - g.pos
	g.pos = end
	return g.out, nil
}

func (g *gathered) Close() error { return nil }

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
