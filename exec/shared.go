package exec

import (
	"context"

	"github.com/nectar-dev/nectar/types"
)

// sharedRows is the result of a plan.Shared subplan, computed once and
// replayed to every reader. It is pulled from its input as readers ask
// for batches beyond those already held, so the first reader works while
// the scan below is still running instead of after it. It is kept as the
// batches the subplan produced (copied, since a batch is only valid until
// the next call), so a replay copies whole columns instead of boxing every
// value into rows and back. The batches count against the memory budget
// once.
type sharedRows struct {
	in      Operator
	schema  types.Schema
	what    string
	batches []*types.Batch
	done    bool
	err     error
	readers int // readers not yet closed
}

// batch returns held batch i, pulling from the input until it is there;
// nil when the input ended first.
func (s *sharedRows) batch(ctx context.Context, i int) (*types.Batch, error) {
	for i >= len(s.batches) {
		if s.done {
			return nil, s.err
		}
		b, err := s.in.Next(ctx)
		if err != nil {
			s.done, s.err = true, err
			return nil, err
		}
		if b == nil || b.Len == 0 {
			s.done = true
			return nil, nil
		}
		c := copyBatch(b)
		if err := reserve(ctx, batchBytes(c), s.what); err != nil {
			s.done, s.err = true, err
			return nil, err
		}
		s.batches = append(s.batches, c)
	}
	return s.batches[i], nil
}

// sharedReader is one reference's view of a sharedRows. Each replayed
// batch is copied into the reader's own batch, so a consumer that writes
// to the batch it was handed cannot change what other readers see.
type sharedReader struct {
	st  *sharedRows
	pos int
	out *types.Batch
}

func (r *sharedReader) Next(ctx context.Context) (*types.Batch, error) {
	src, err := r.st.batch(ctx, r.pos)
	if err != nil {
		return nil, err
	}
	if r.out == nil {
		r.out = types.NewBatch(r.st.schema, types.BatchSize)
	}
	r.out.Reset()
	if src != nil {
		r.pos++
		for i, v := range src.Cols {
			appendVector(r.out.Cols[i], v)
		}
		r.out.Len = src.Len
	}
	return r.out, nil
}

func (r *sharedReader) Close() error {
	if r.st.readers--; r.st.readers == 0 {
		return r.st.in.Close()
	}
	return nil
}
