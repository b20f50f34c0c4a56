package exec

import (
	"context"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// timeWindows puts each input row in every event-time window that holds
// it (plan.TimeWindows): the row once per window, with the window's start
// and end after its columns. A tumbling window keeps one copy of each row
// with a time; a sliding one makes Size/Slide of them.
type timeWindows struct {
	in   Operator
	node *plan.TimeWindows
	out  *types.Batch
}

func (w *timeWindows) Next(ctx context.Context) (*types.Batch, error) {
	size, slide := w.node.Size.Microseconds(), w.node.Slide.Microseconds()
	for {
		b, err := w.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return nil, err
		}
		times, err := Eval(w.node.Time, b)
		if err != nil {
			return nil, err
		}
		if w.out == nil {
			w.out = types.NewBatch(w.node.Schema(), b.Len)
		}
		w.out.Reset()
		width := len(b.Cols)
		for r := 0; r < b.Len; r++ {
			if times.IsNull(r) {
				continue
			}
			first, last := WindowStarts(times.Get(r).I, size, slide)
			for s := first; s <= last; s += slide {
				for j, c := range b.Cols {
					w.out.Cols[j].AppendFrom(c, r)
				}
				w.out.Cols[width].Append(types.Value{K: types.Timestamp, I: s})
				w.out.Cols[width+1].Append(types.Value{K: types.Timestamp, I: s + size})
				w.out.Len++
			}
		}
		if w.out.Len > 0 {
			return w.out, nil
		}
	}
}

func (w *timeWindows) Close() error { return w.in.Close() }
