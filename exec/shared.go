package exec

import (
	"context"

	"github.com/nectar-dev/nectar/types"
)

// sharedRows is the result of a plan.Shared subplan: computed by whichever
// reader pulls first, then replayed to every reader. It is kept as the
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

func (s *sharedRows) load(ctx context.Context) error {
	if s.done {
		return s.err
	}
	s.done = true
	for {
		b, err := s.in.Next(ctx)
		if err != nil {
			s.err = err
			return err
		}
		if b == nil || b.Len == 0 {
			return nil
		}
		c := copyBatch(b)
		if err := reserve(ctx, batchBytes(c), s.what); err != nil {
			s.err = err
			return err
		}
		s.batches = append(s.batches, c)
	}
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
	if err := r.st.load(ctx); err != nil {
		return nil, err
	}
	if r.out == nil {
		r.out = types.NewBatch(r.st.schema, types.BatchSize)
	}
	r.out.Reset()
	if r.pos < len(r.st.batches) {
		src := r.st.batches[r.pos]
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
