// Command nectar queries Segment event logs with SQL and pipe syntax.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/syntax"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := newRoot()
	if err := root.ExecuteContext(ctx); err != nil {
		var q *queryError
		if errors.As(err, &q) {
			fmt.Fprintln(os.Stderr, syntax.Format(q.src, q.err))
		} else {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

// queryError carries the query text so errors can point at line:column.
type queryError struct {
	src string
	err error
}

func (q *queryError) Error() string { return q.err.Error() }
func (q *queryError) Unwrap() error { return q.err }

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "nectar",
		Short:         "Query Segment event logs with SQL and pipe syntax",
		Long:          "nectar reads Segment's gzip NDJSON event logs (local files now, S3 soon) and answers SQL and pipe-syntax queries from one binary.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newQueryCmd(), newGlimpseCmd(), newGenCmd(), newDemoCmd())
	return root
}
