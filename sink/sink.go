package sink

import (
	"context"

	"github.com/nectar-dev/nectar/types"
)

// Mode says which rows a sink receives after each batch, with Spark's
// meanings.
type Mode string

const (
	// Append emits each row once, never changed later: every row of a
	// stateless query, or the groups of event-time windows that the
	// watermark has closed.
	Append Mode = "append"
	// Update emits the groups a batch changed, with their new values.
	Update Mode = "update"
	// Complete emits the whole result table after every batch.
	Complete Mode = "complete"
)

// Sink receives the rows of each batch. Write must be idempotent by batch
// id: after a crash the batch is run again with the same files and
// delivered again, and the second delivery must replace the first.
type Sink interface {
	// Open prepares the sink; info says what it will receive and which
	// batch committed last, so a sink kept in the checkpoint can restore.
	Open(ctx context.Context, info Info) error
	// Write delivers batch id's rows for the output mode.
	Write(ctx context.Context, batch int64, rows [][]types.Value) error
	Close() error
}

// Named is a Sink that says which sink it is ("file:csv", "memory:t"). The
// stream records the name in its checkpoint and refuses to resume into a
// different sink; a sink without a name is known by its Go type.
type Named interface {
	Name() string
}

// Info is what Sink.Open learns.
type Info struct {
	Schema types.Schema
	Mode   Mode
	// Dir is a directory inside the checkpoint that the sink may use for
	// its own bookkeeping.
	Dir string
	// LastCommitted is the last batch whose commit was recorded (-1: none).
	// A sink drops whatever it holds for later batches: they will be
	// delivered again.
	LastCommitted int64
	// Keys is how many leading columns identify a row in update mode
	// (the grouping keys), or 0 when not known.
	Keys int
}
