package exec

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/nectar-dev/nectar/types"
)

// ErrMemoryLimit is returned when a query's blocking operators (hash
// aggregation, sort, window, join, DISTINCT) would hold more rows than the
// memory budget allows. Failing with a clear message beats being killed by
// the kernel's OOM killer.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// budget counts the bytes a query's operators hold.
type budget struct {
	limit int64
	used  atomic.Int64
}

type budgetKey struct{}

// WithMemoryLimit returns a context whose queries fail with ErrMemoryLimit
// once their operators hold about limit bytes. limit <= 0 means no limit.
func WithMemoryLimit(ctx context.Context, limit int64) context.Context {
	if limit <= 0 {
		return ctx
	}
	return context.WithValue(ctx, budgetKey{}, &budget{limit: limit})
}

// budgeted runs its operator under a memory budget whatever context the
// caller pulls with.
type budgeted struct {
	Operator
	b *budget
}

func (o *budgeted) Next(ctx context.Context) (*types.Batch, error) {
	return o.Operator.Next(context.WithValue(ctx, budgetKey{}, o.b))
}

// reserve accounts n more bytes held by what; it fails once the budget is
// spent. Memory is not given back during a query: operators free their
// state only when the query ends.
func reserve(ctx context.Context, n int64, what string) error {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return nil
	}
	if b.used.Add(n) > b.limit {
		return fmt.Errorf("%w: %s needs more than the %s memory limit; narrow the query, or raise --memory-limit", ErrMemoryLimit, what, fmt.Sprintf("%.0f MiB", float64(b.limit)/(1<<20)))
	}
	return nil
}

// valueSize is Value's in-memory size; rowSize estimates a materialised
// row's footprint (slice header, values, string bytes).
const valueSize = 40

func rowSize(row []types.Value) int64 {
	n := int64(24 + valueSize*len(row))
	for _, v := range row {
		n += int64(len(v.S))
	}
	return n
}
