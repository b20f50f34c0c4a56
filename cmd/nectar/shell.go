package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/shell"
	"github.com/nectar-dev/nectar/spark"
)

func newShellCmd() *cobra.Command {
	var (
		sf sourceFlags
		ef engineFlags
	)
	c := &cobra.Command{
		Use:   "shell",
		Short: "Interactive SQL shell: history, completion, .tables, .schema, .mode, .timer (also: nectar alone on a terminal)",
		Long: `An interactive shell over one session: statements end with ';' and may span lines,
Tab completes keywords, functions, tables and column paths, and the history is kept
(in $NECTAR_HISTORY, else nectar/history in the user's configuration directory).
Dot commands: .help, .tables, .schema, .mode table|line|csv|json, .timer on|off,
.open FILE, .read FILE, .quit. Ctrl-C cancels the running statement; Ctrl-D quits.
With standard input not a terminal, statements and dot commands are read from it
as a script, and the exit status says whether all of them succeeded.`,
		Example: `  nectar shell
  nectar shell --config project/nectar.yaml
  nectar shell < analysis.sql`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShell(cmd.Context(), &sf, &ef, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	sf.add(c)
	ef.addEngine(c)
	return c
}

// runShell starts the shell: interactive when stdin and stdout are a
// terminal, else reading a script from stdin.
func runShell(ctx context.Context, sf *sourceFlags, ef *engineFlags, stdin io.Reader, stdout, stderr io.Writer) error {
	interactive := isTerminal(stdin) && isTerminal(stdout)
	o := shell.Options{
		Config: sf.config,
		In:     stdin, Out: stdout, Err: stderr,
		Interactive: interactive,
		Version:     versionString(),
		Progress:    func(e *engine.Session) func() { return startProgress(e, stderr) },
		Open: func(ctx context.Context, config string) (*engine.Session, func() error, error) {
			f := *sf
			f.config = config
			e, _, err := f.engine(ctx, stderr, ef.backend)
			// Each session closes its own Spark connection: .open makes
			// the next one before the last is closed.
			sp := ef.spark
			ef.spark = nil
			if err != nil {
				return nil, nil, errors.Join(err, closeSpark(sp))
			}
			return e, func() error { return errors.Join(e.Close(), closeSpark(sp)) }, nil
		},
	}
	if interactive {
		o.HistoryPath = shell.HistoryPath()
		o.Width = func() int { return terminalWidth(stdout) }
		// The shell takes Ctrl-C to cancel a statement; main's handler
		// would end nectar. SIGTERM still does.
		signal.Reset(os.Interrupt)
	}
	return shell.Run(ctx, o)
}

func closeSpark(b *spark.Backend) error {
	if b == nil {
		return nil
	}
	return b.Close()
}

// shellWhenBare makes nectar alone start the shell on a terminal, as
// duckdb and sqlite3 do; elsewhere (a pipe, CI) it prints the help.
func shellWhenBare(root *cobra.Command) {
	root.Args = cobra.NoArgs
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if !isTerminal(cmd.InOrStdin()) || !isTerminal(cmd.OutOrStdout()) {
			return cmd.Help()
		}
		return runShell(cmd.Context(), &sourceFlags{}, &engineFlags{}, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
	}
}

func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// terminalWidth is w's width in columns, or 0 when it is not a terminal.
func terminalWidth(w io.Writer) int {
	file, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(file.Fd()))
	if err != nil {
		return 0
	}
	return width
}
