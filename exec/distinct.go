package exec

import (
	"context"

	"github.com/nectar-dev/nectar/types"
)

// distinct passes each distinct row once, in first-seen order.
type distinct struct {
	in     Operator
	schema types.Schema
	rows   *rowSet // every row passed on so far
	out    *types.Batch
}

func (d *distinct) Next(ctx context.Context) (*types.Batch, error) {
	if d.rows == nil {
		d.rows = newRowSet()
		d.out = types.NewBatch(d.schema, types.BatchSize)
	}
	for {
		b, err := d.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return nil, err
		}
		d.out.Reset()
		for r := 0; r < b.Len; r++ {
			if d.rows.hasRow(b, r) {
				continue
			}
			// The key, plus about what a map entry costs around it.
			if err := reserve(ctx, int64(len(d.rows.key))+48, "DISTINCT"); err != nil {
				return nil, err
			}
			d.rows.add()
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
