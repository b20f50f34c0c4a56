package exec

import (
	"context"
	"errors"

	"github.com/nectar-dev/nectar/types"
)

// distinct passes each distinct row once, in first-seen order while it
// has memory for every row seen. Past the budget it spills the rows it
// has not seen by partitioning them (see spill.go) and passes each
// partition's distinct rows after the input's.
type distinct struct {
	in     Operator
	schema types.Schema
	rows   *rowSet // every row of the current pass passed on so far
	out    *types.Batch
	src    Operator // the input, then each spilled partition
	sp     spiller
	held   int64 // bytes reserved for rows
}

func (d *distinct) Next(ctx context.Context) (*types.Batch, error) {
	if d.rows == nil {
		d.rows = newRowSet()
		d.out = types.NewBatch(d.schema, types.BatchSize)
		d.src, d.sp.schema = d.in, d.schema
	}
	for {
		b, err := d.src.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			// The rows of the partitions are none of those passed on:
			// the set is of no more use.
			d.rows = newRowSet()
			unreserve(ctx, d.held)
			d.held = 0
			if d.src, err = d.sp.next(ctx); err != nil || d.src == nil {
				d.src = emptyOp{}
				return nil, err
			}
			continue
		}
		d.out.Reset()
		for r := 0; r < b.Len; r++ {
			if d.rows.hasRow(b, r) {
				continue
			}
			if d.sp.part == nil {
				// The key, plus about what a map entry costs around it.
				// The first row is admitted whatever the budget says, so
				// that each pass over a partition makes progress.
				cost := int64(len(d.rows.key)) + 48
				err := reserve(ctx, cost, "DISTINCT")
				if err == nil || len(d.rows.seen) == 0 {
					d.held += cost
					d.rows.add()
					for j, c := range b.Cols {
						d.out.Cols[j].AppendFrom(c, r)
					}
					d.out.Len++
					continue
				}
				unreserve(ctx, cost)
				if err := d.sp.spill(ctx, err); err != nil {
					return nil, err
				}
			}
			if err := d.sp.part.add(ctx, b, r, d.rows.key); err != nil {
				return nil, err
			}
		}
		if d.out.Len > 0 {
			return d.out, nil
		}
	}
}

func (d *distinct) Close() error { return errors.Join(d.in.Close(), d.sp.Close()) }

// emptyOp is an operator at its end.
type emptyOp struct{}

func (emptyOp) Next(context.Context) (*types.Batch, error) { return nil, nil }
func (emptyOp) Close() error                               { return nil }
