package exec

import (
	"cmp"
	"container/heap"
	"context"
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

func (s *sorter) Close() error { return s.in.Close() }

// sortAll reads the whole input into columns, with each sort key evaluated
// into a column of its own, and returns the rows in key order; ties keep
// input order, as a stable sort does.
func sortAll(ctx context.Context, in Operator, node *plan.Sort) (*gathered, error) {
	data := types.NewBatch(node.Schema(), 0)
	keys := make([]*types.Vector, len(node.Keys))
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
		if err := reserve(ctx, size, "ORDER BY"); err != nil {
			return nil, err
		}
	}
	perm := make([]int32, data.Len)
	for i := range perm {
		perm[i] = int32(i)
	}
	// An unstable sort with the row number as the last key is stable, and
	// O(n log n) where slices.SortStableFunc is O(n log² n).
	slices.SortFunc(perm, func(a, b int32) int {
		for i, k := range node.Keys {
			if c := compareAt(keys[i], int(a), int(b), k); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
	return &gathered{data: data, perm: perm, out: types.NewBatch(node.Schema(), types.BatchSize)}, nil
}

// compareAt orders rows a and b of one key column by the key's direction
// and NULL placement, as compareKeys does for values.
func compareAt(v *types.Vector, a, b int, k plan.SortKey) int {
	an, bn := v.Nulls[a], v.Nulls[b]
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
	switch v.Kind {
	case types.Float:
		c = types.Compare(types.FloatValue(v.F[a]), types.FloatValue(v.F[b]))
	case types.String:
		c = strings.Compare(v.S[a], v.S[b])
	case types.Null:
		c = 0
	default:
		if v.Kind.IsNested() {
			c = types.Compare(v.Get(a), v.Get(b))
		} else {
			c = cmp.Compare(v.I[a], v.I[b])
		}
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
