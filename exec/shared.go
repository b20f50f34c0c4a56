package exec

import (
	"context"

	"github.com/nectar-dev/nectar/types"
)

// sharedRows is the result of a plan.Shared subplan: computed by whichever
// reader pulls first, then replayed to every reader. The rows count
// against the memory budget once.
type sharedRows struct {
	in      Operator
	schema  types.Schema
	what    string
	rows    [][]types.Value
	done    bool
	err     error
	readers int // readers not yet closed
}

func (s *sharedRows) load(ctx context.Context) error {
	if !s.done {
		s.rows, s.err = collect(ctx, s.in, s.what)
		s.done = true
	}
	return s.err
}

// sharedReader is one reference's view of a sharedRows.
type sharedReader struct {
	st  *sharedRows
	out *rowSource
}

func (r *sharedReader) Next(ctx context.Context) (*types.Batch, error) {
	if r.out == nil {
		if err := r.st.load(ctx); err != nil {
			return nil, err
		}
		r.out = newRowSource(r.st.schema, r.st.rows)
	}
	return r.out.Next(ctx)
}

func (r *sharedReader) Close() error {
	if r.st.readers--; r.st.readers == 0 {
		return r.st.in.Close()
	}
	return nil
}
