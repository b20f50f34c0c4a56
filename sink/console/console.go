package console

import (
	"context"
	"fmt"
	"io"

	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/types"
)

var (
	_ sink.Sink  = (*Sink)(nil)
	_ sink.Named = (*Sink)(nil)
)

// Sink prints each batch's rows as a table, headed by the batch number,
// as Spark's console sink does.
type Sink struct {
	W    io.Writer
	info sink.Info
}

// New returns a sink printing to w.
func New(w io.Writer) *Sink { return &Sink{W: w} }

// Name identifies the sink in the checkpoint.
func (c *Sink) Name() string { return "console" }

// Open implements sink.Sink.
func (c *Sink) Open(ctx context.Context, info sink.Info) error { c.info = info; return nil }

// Write implements sink.Sink.
func (c *Sink) Write(ctx context.Context, batch int64, rows [][]types.Value) error {
	fmt.Fprintf(c.W, "-------------------------------------------\nBatch: %d (%s)\n-------------------------------------------\n", batch, c.info.Mode)
	w, err := output.New(output.Table, c.W, c.info.Schema)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		b := types.NewBatch(c.info.Schema, len(rows))
		for _, r := range rows {
			b.AppendRow(r)
		}
		if err := w.Write(b); err != nil {
			return err
		}
	}
	return w.Close()
}

// Close implements sink.Sink.
func (c *Sink) Close() error { return nil }
