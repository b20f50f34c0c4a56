// Command nectar queries Segment event logs with SQL and pipe syntax.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/syntax"
)

// Exit codes.
const (
	exitOK          = 0
	exitError       = 1   // the command failed: bad flags, a query that cannot run, --strict input
	exitInterrupted = 130 // Ctrl-C, as shells report death by SIGINT
	exitTerminated  = 143 // SIGTERM, as shells report death by it
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal cancels the work, which stops promptly and
		// cleans up (unfinished output files are removed, a stream's
		// checkpoint stays consistent); a second one exits at once.
		sig := <-sigs
		cancel(interrupted{sig})
		<-sigs
		os.Exit(exitCode(sig))
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(code)
}

// interrupted is the cause of a context cancelled by a signal.
type interrupted struct{ sig os.Signal }

func (i interrupted) Error() string { return "interrupted by " + i.sig.String() }

func exitCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}

// run executes one nectar command line and returns its exit code. Results
// go to stdout, progress and diagnostics to stderr; it never calls os.Exit
// so tests can run the whole command in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	if args == nil {
		args = []string{} // cobra falls back to os.Args on nil
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if ctx.Err() != nil {
		// Whatever the error says (a stream stops without one), the work
		// was stopped from outside: say so, as shells would.
		var in interrupted
		if errors.As(context.Cause(ctx), &in) {
			fmt.Fprintf(stderr, "error: %v\n", in)
			return exitCode(in.sig)
		}
		fmt.Fprintln(stderr, "error: interrupted")
		return exitInterrupted
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, formatError(err))
	return exitError
}

// formatError renders err for stderr: query errors point at line:column
// with a caret; everything else is one "error: …" line.
func formatError(err error) string {
	var q *queryError
	if errors.As(err, &q) {
		var se *syntax.Error
		var sl syntax.ErrorList
		if errors.As(q.err, &se) || errors.As(q.err, &sl) {
			return syntax.Format(q.src, q.err)
		}
	}
	return "error: " + err.Error()
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
		Long:          "nectar reads Segment's gzip NDJSON event logs (local files or S3) and answers SQL and pipe-syntax queries from one binary.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.AddCommand(newQueryCmd(), newGlimpseCmd(), newGenCmd(), newDemoCmd(), newExperimentCmd(), newStreamCmd(), newCompactCmd(), newServeCmd(), newGraphCmd(), newCacheCmd())
	root.AddCommand(newShellCmd())
	shellWhenBare(root)
	return root
}
